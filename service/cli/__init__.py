"""The ``hromada`` command: parse the arguments, run one command over the Python API, print, exit.

Exit status: 0 success, 1 partial failure (some inputs failed, the rest done), 2 usage error or unusable store.
With ``--json`` the command prints one JSON object on stdout and nothing else there; logs go to stderr.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Sequence

from models.errors import HromadaError
from service.cli.commands import EXIT_OK, EXIT_PARTIAL, EXIT_UNUSABLE
from service.cli.parser import build_parser
from service.hromada import Hromada
from service.settings import Settings


def main(argv: Sequence[str] | None = None, make_app: Callable[[Settings], Hromada] = Hromada) -> int:
    """Run ``hromada ARGS`` and return its exit status; ``make_app`` makes the ``Hromada`` that the command runs on
    from the settings (tests give one whose models are already loaded)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    for option, default in (("store", None), ("json", False), ("verbose", False)):
        setattr(args, option, getattr(args, option, default))
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING, format="%(levelname)s: %(message)s"
    )
    overrides = {"store": args.store} if args.store else {}
    try:
        app = make_app(Settings(**overrides))
        try:
            return int(args.handler(app, args) or EXIT_OK)
        finally:
            app.close()
    except HromadaError as error:
        print(f"hromada: {error}", file=sys.stderr)
        return EXIT_UNUSABLE
    except KeyboardInterrupt:
        print("hromada: interrupted; the store keeps what was committed before", file=sys.stderr)
        return EXIT_PARTIAL
