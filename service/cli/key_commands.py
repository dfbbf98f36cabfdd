"""``hromada keys create|list|revoke``: the API keys of the HTTP server, kept hashed beside the store."""

from __future__ import annotations

import argparse

from service.access_keys import ROLES, KeyStore
from service.cli.commands import EXIT_OK, print_json, say
from service.hromada import Hromada


def add_key_commands(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    keys = sub.add_parser("keys", parents=[common], help="API keys of the HTTP server")
    actions = keys.add_subparsers(dest="keys_action", required=True, metavar="ACTION")

    create = actions.add_parser("create", parents=[common], help="make a key and print it (once)")
    create.add_argument("--role", required=True, choices=ROLES)
    create.add_argument("--name", default="", help="who or what the key is for")
    create.set_defaults(handler=create_key)

    listing = actions.add_parser("list", parents=[common], help="the keys: id, name, role, created")
    listing.set_defaults(handler=list_keys)

    revoke = actions.add_parser(
        "revoke", parents=[common], help="remove a key; a running server obeys at once"
    )
    revoke.add_argument("key_id", metavar="ID")
    revoke.set_defaults(handler=revoke_key)


def create_key(app: Hromada, args: argparse.Namespace) -> int:
    record, secret = KeyStore.from_settings(app.settings, app).create(args.role, args.name)
    if args.json:
        print_json({**record.public(), "key": secret})
    else:
        print(secret)
        say(f"key {record.id} ({record.role}) created; it is shown only now, so keep it safe")
    return EXIT_OK


def list_keys(app: Hromada, args: argparse.Namespace) -> int:
    keys = [key.public() for key in KeyStore.from_settings(app.settings, app).in_force()]
    if args.json:
        print_json({"keys": keys})
    elif not keys:
        say("no keys: the server answers anyone, and only on this machine")
    for key in [] if args.json else keys:
        print(f"{key['id']}\t{key['role']}\t{key['created'] or '(environment)'}\t{key['name']}")
    return EXIT_OK


def revoke_key(app: Hromada, args: argparse.Namespace) -> int:
    revoked = KeyStore.from_settings(app.settings, app).revoke(args.key_id)
    if args.json:
        print_json({"revoked": revoked.id})
    else:
        say(f"revoked key {revoked.id} ({revoked.role})")
    return EXIT_OK
