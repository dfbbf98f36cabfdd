"""API keys: who may call the HTTP API, and in which role.

Keys are kept in a JSON file (``HROMADA_KEYS_FILE``, by default ``keys.json`` in the store folder, mode 0600), or
in a database store itself, where every server sharing it reads them, and may also be given in the environment (``HROMADA_API_KEYS="reader:KEY,admin:KEY"``). The file holds only the
SHA-256 digest of each key, never the key: a key is 256 random bits, so nobody can find a key from its digest
by trying candidates, and neither a salt (which defeats tables precomputed for guessable secrets) nor a slow
key-derivation function (which slows the guessing of human-chosen passwords) would add anything. A presented
key is hashed and compared with every stored digest by ``hmac.compare_digest``, in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from indexing.store.atomic_file import write_atomically
from indexing.store.write_lock import WriteLock
from models.errors import HromadaError
from service.settings import Settings

if TYPE_CHECKING:
    from indexing.store import Store

ROLES = ("reader", "writer", "admin")
"""Each role may do everything the roles before it may."""
KEY_PREFIX = "hmd_"
_KEY_BYTES = 32
MIN_ENVIRONMENT_KEY_CHARS = 32
"""Keys given in the environment are chosen by a person: shorter ones are refused as guessable."""
_LOCK_TIMEOUT = 10.0


class AccessConfigError(HromadaError):
    """The keys file or ``HROMADA_API_KEYS`` cannot be used; the message says what is wrong (never the key)."""


class UnknownKeyError(HromadaError):
    """No key with the id asked for."""


@dataclass(frozen=True)
class ApiKey:
    """A key as the store knows it: everything but the secret itself."""

    id: str
    name: str
    role: str
    created: str
    sha256: str

    def public(self) -> dict[str, str]:
        """What ``keys list`` and ``GET /keys`` show: no digest, no secret."""
        return {"id": self.id, "name": self.name, "role": self.role, "created": self.created}


def role_allows(role: str, needed: str) -> bool:
    """Whether a key of ``role`` may do what needs ``needed``."""
    return ROLES.index(role) >= ROLES.index(needed)


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class KeyRecords(Protocol):
    """Where a server's keys are kept: a keys file, or the store's database."""

    def read(self) -> list[ApiKey] | None:
        """The keys kept; None when no key was ever made here (revoking them all still leaves a record)."""
        ...

    def change(self, changed: Callable[[list[ApiKey]], list[ApiKey]]) -> list[ApiKey]:
        """Replace the keys by ``changed(keys)``, one change at a time across processes; the keys before."""
        ...


class KeyStore:
    """The keys of one server: those kept (``KeyRecords``) and those of the environment."""

    def __init__(self, records: KeyRecords, environment_keys: str = "") -> None:
        self.records = records
        self._environment_keys = parse_environment_keys(environment_keys)

    @classmethod
    def from_settings(cls, settings: Settings, stores: StoreOpener) -> KeyStore:
        """Keys in ``HROMADA_KEYS_FILE`` when given, else beside the store: ``keys.json`` in a folder, or in a
        database store itself, where every server sharing it reads them."""
        path = settings.keys_path
        records = KeysFile(path) if path is not None else StoreKeys(stores)
        return cls(records, settings.api_keys.get_secret_value())

    # ------------------------------------------------------------ reading

    def in_force(self) -> list[ApiKey]:
        """Every key in force: those kept, then the environment's."""
        return [*(self.records.read() or []), *self._environment_keys]

    def has_keys(self) -> bool:
        """Whether any key is in force."""
        return bool(self.in_force())

    def restricted(self) -> bool:
        """Whether every request needs a key: once a key was made, even when all were revoked since.

        Revoking the last key must lock a server that was allowed onto the network because it had keys,
        not open it; delete the keys file to open a loopback-only server again.
        """
        return bool(self._environment_keys) or self.records.read() is not None

    def authenticate(self, presented: str | None) -> ApiKey | None:
        """The key that ``presented`` is, or None; every digest is compared, in constant time."""
        if not presented:
            return None
        digest = key_digest(presented)
        found = None
        for key in self.in_force():
            if hmac.compare_digest(digest, key.sha256):
                found = key
        return found

    # ------------------------------------------------------------ changing

    def create(self, role: str, name: str = "") -> tuple[ApiKey, str]:
        """A new key of ``role``: its record, and the key itself, which is shown once and never stored."""
        if role not in ROLES:
            raise AccessConfigError(f"the role must be one of {', '.join(ROLES)}, not {role!r}")
        secret = KEY_PREFIX + secrets.token_urlsafe(_KEY_BYTES)
        created = datetime.now(UTC).isoformat(timespec="seconds")
        made: list[ApiKey] = []

        def with_new_key(keys: list[ApiKey]) -> list[ApiKey]:
            taken = {key.id for key in keys}
            key_id = secrets.token_hex(4)
            while key_id in taken:
                key_id = secrets.token_hex(4)
            made.append(ApiKey(key_id, name, role, created, key_digest(secret)))
            return [*keys, made[0]]

        self.records.change(with_new_key)
        return made[0], secret

    def revoke(self, key_id: str) -> ApiKey:
        """Remove a kept key; keys of the environment are removed from the environment."""
        before = self.records.change(lambda keys: [key for key in keys if key.id != key_id])
        revoked = [key for key in before if key.id == key_id]
        if not revoked:
            raise UnknownKeyError(f"no key with id {key_id!r}")
        return revoked[0]


class KeysFile:
    """Keys in a JSON file (mode 0600), re-read when it changes, so that a running server obeys a revocation."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._keys: list[ApiKey] = []
        self._version: tuple[int, int, int] | None = None

    def read(self) -> list[ApiKey] | None:
        try:
            status = self.path.stat()
        except FileNotFoundError:
            self._keys, self._version = [], None
            return None
        version = (status.st_mtime_ns, status.st_size, status.st_ino)
        if version != self._version:
            self._keys = self._read_file()
            self._version = version
        return list(self._keys)

    def change(self, changed: Callable[[list[ApiKey]], list[ApiKey]]) -> list[ApiKey]:
        # Two ``keys create`` at once must not lose one of the two keys.
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with WriteLock(self.path.with_name(self.path.name + ".lock"), _LOCK_TIMEOUT):
            keys = self._read_file()
            kept = changed(keys)
            if kept != keys:
                self._write_file(kept)
        return keys

    def _read_file(self) -> list[ApiKey]:
        try:
            records = json.loads(self.path.read_text(encoding="utf-8"))["keys"]
            return [ApiKey(**record) for record in records]
        except FileNotFoundError:
            return []
        except (OSError, ValueError, TypeError, KeyError) as error:
            raise AccessConfigError(f"{self.path}: the keys file is damaged ({error})") from error

    def _write_file(self, keys: list[ApiKey]) -> None:
        payload = json.dumps({"keys": [asdict(key) for key in keys]}, indent=2).encode("utf-8")
        # The digests are not secrets that unlock anything, but nobody else needs to read them either.
        previous_mask = os.umask(0o077)
        try:
            write_atomically(self.path, payload)
        finally:
            os.umask(previous_mask)
        os.chmod(self.path, 0o600)


class StoreOpener(Protocol):
    """What keys kept in the store need of ``service.hromada.Hromada``."""

    def has_store(self) -> bool: ...

    def store(self, with_model: bool = False, create: bool = False) -> Store: ...


class StoreKeys:
    """Keys in the store's own database: read on every request, so a revocation on any server applies at once."""

    def __init__(self, stores: StoreOpener) -> None:
        self._stores = stores

    def read(self) -> list[ApiKey] | None:
        if not self._stores.has_store():
            return None
        records = self._stores.store().api_keys()
        return None if records is None else [ApiKey(**record) for record in records]

    def change(self, changed: Callable[[list[ApiKey]], list[ApiKey]]) -> list[ApiKey]:
        store = self._stores.store()
        with store.write(persist_indexes=False) as writer:
            keys = [ApiKey(**record) for record in store.api_keys() or []]
            kept = changed(keys)
            for key in keys:
                if key not in kept:
                    writer.remove_api_key(key.id)
            for key in kept:
                if key not in keys:
                    writer.add_api_key(asdict(key))
        return keys


def parse_environment_keys(value: str) -> list[ApiKey]:
    """Keys from ``role:KEY,role:KEY``; a malformed entry is named by its position, never by its key."""
    keys = []
    for number, entry in enumerate((part.strip() for part in value.split(",") if part.strip()), start=1):
        role, separator, secret = entry.partition(":")
        role, secret = role.strip(), secret.strip()
        if not separator or role not in ROLES:
            raise AccessConfigError(
                f"HROMADA_API_KEYS, entry {number}: expected role:KEY with a role of {', '.join(ROLES)}"
            )
        if len(secret) < MIN_ENVIRONMENT_KEY_CHARS:
            raise AccessConfigError(
                f"HROMADA_API_KEYS, entry {number}: the key is shorter than {MIN_ENVIRONMENT_KEY_CHARS} "
                "characters; make one with `hromada keys create` or `openssl rand -base64 32`"
            )
        keys.append(ApiKey(f"env-{number}", "HROMADA_API_KEYS", role, "", key_digest(secret)))
    return keys
