"""The command line's grammar: every command, its arguments and its help, in one place."""

from __future__ import annotations

import argparse
from pathlib import Path

from indexing.document import KINDS
from service.cli import commands
from service.cli.key_commands import add_key_commands
from service.cli.precedent_commands import add_precedent_commands
from service.cli.problem_commands import add_problem_commands
from service.excerpt_export import EXPORT_FORMATS
from service.search_types import SEARCH_MODES


def build_parser() -> argparse.ArgumentParser:
    # SUPPRESS keeps a subcommand from resetting an option given before it (hromada --store S search ...).
    common = argparse.ArgumentParser(add_help=False, argument_default=argparse.SUPPRESS)
    common.add_argument(
        "--store",
        help="the store: a folder, or postgresql://… (default: $HROMADA_STORE or ./hromada-store)",
    )
    common.add_argument(
        "--json", action="store_true", help="print one JSON object on stdout and nothing else"
    )
    common.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")

    parser = argparse.ArgumentParser(
        prog="hromada",
        description="Search, cite and analyse Ukrainian documents about local self-government.",
        parents=[common],
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    index = sub.add_parser("index", parents=[common], help="index files and folders")
    index.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    index.add_argument("--kind", default="auto", choices=("auto", *KINDS))
    index.add_argument("--meta", type=Path, help="JSON file with metadata for the documents of this run")
    index.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="TEXT",
        help="index only records/acts whose id, number or title contains TEXT (repeatable)",
    )
    index.add_argument(
        "--ray",
        metavar="auto|ADDRESS",
        help="embed on a Ray cluster: auto (the local one, started when none runs) or a cluster's address "
        "(default: $HROMADA_RAY_ADDRESS, else in this process); needs pip install 'hromada[ray]'",
    )
    index.set_defaults(handler=commands.index)

    search = sub.add_parser("search", parents=[common], help="search by meaning and by words")
    search.add_argument("query", nargs="?", help="the question, in Ukrainian or Russian")
    search.add_argument("--queries", type=Path, help="a file of queries: one a line, or JSONL {id, query}")
    _add_search_options(search, default_k=10)
    search.add_argument("--mode", default="hybrid", choices=SEARCH_MODES)
    search.set_defaults(handler=commands.search)

    excerpts = sub.add_parser("excerpts", parents=[common], help="excerpts with numbered citations")
    excerpts.add_argument("query")
    _add_search_options(excerpts, default_k=5)
    excerpts.add_argument("--format", default="markdown", choices=EXPORT_FORMATS)
    excerpts.add_argument("-o", "--output", type=Path, help="write to this file (needed for docx)")
    excerpts.set_defaults(handler=commands.excerpts)

    delete = sub.add_parser("delete", parents=[common], help="remove a document from the store")
    delete.add_argument("doc_id", type=int)
    delete.set_defaults(handler=commands.delete)

    check = sub.add_parser("check", parents=[common], help="check the store's integrity")
    check.set_defaults(handler=commands.check)

    stats = sub.add_parser("stats", parents=[common], help="counts of the store")
    stats.set_defaults(handler=commands.stats)

    serve = sub.add_parser("serve", parents=[common], help="serve the HTTP API and the web page")
    serve.add_argument("--host", default=None, help="default 127.0.0.1")
    serve.add_argument("--port", type=int, default=None, help="default 8000")
    serve.set_defaults(handler=commands.serve)
    add_key_commands(sub, common)
    add_precedent_commands(sub, common)
    add_problem_commands(sub, common)
    return parser


def _add_search_options(parser: argparse.ArgumentParser, default_k: int) -> None:
    parser.add_argument("-k", type=int, default=default_k, help=f"how many results (default {default_k})")
    parser.add_argument("--kind", choices=KINDS)
    parser.add_argument("--sector")
    parser.add_argument("--region")
    parser.add_argument("--since", metavar="DATE", help="YYYY-MM-DD, inclusive")
    parser.add_argument("--until", metavar="DATE", help="YYYY-MM-DD, inclusive")
