"""Start a local PostgreSQL 16 with pgvector (the ``pgserver`` wheel of the test extra) and print a store address.

    export HROMADA_STORE=$(.venv/bin/python scripts/postgres_server.py ./hromada-postgres)
    hromada index sample-corpus && hromada search "підвезення дітей до школи"

The server keeps its data in the folder, listens only on a Unix socket there, and keeps running after this
script ends (run the script again for the address: it finds the running server); ``--stop`` stops it. The
database (``--database``, default ``hromada``) is made if missing; ``hromada index`` makes the store in it.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path, help="where the server keeps its data (made if missing)")
    parser.add_argument("--database", default="hromada", help="the database to print the address of")
    parser.add_argument("--stop", action="store_true", help="stop the server of this folder")
    args = parser.parse_args()
    folder = args.folder.resolve()
    folder.mkdir(parents=True, exist_ok=True)
    # Run as root, pgserver runs PostgreSQL as a user of its own, which must reach the folder.
    folder.chmod(0o755)
    runtime = folder / "run"
    runtime.mkdir(mode=0o700, exist_ok=True)
    os.environ["XDG_RUNTIME_DIR"] = str(runtime)  # pgserver's lock and socket; read when it is imported
    import pgserver
    import psycopg

    if args.stop:
        # As root, pgserver made the server run as its own user "pgserver": pg_ctl must run as that user too.
        user = "pgserver" if os.geteuid() == 0 else None
        pgserver.pg_ctl(["-w", "stop"], pgdata=folder / "data", user=user)
        return 0
    server = pgserver.get_server(folder / "data", cleanup_mode=None)
    base = server.get_uri()
    with psycopg.connect(base, autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (args.database,)).fetchone():
            connection.execute(f'CREATE DATABASE "{args.database}"')
    print(urlunsplit(urlsplit(base)._replace(path=f"/{args.database}")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
