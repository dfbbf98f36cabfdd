"""The SQLite database of a store folder: ``hromada.sqlite`` in WAL mode, the truth of the store.

One connection serves this process's reads and its one writer, behind a lock of its own; another process's writer
waits on ``write.lock`` (``WriteLock``) up to the busy timeout. Every write bumps the write generation, which
``vectors.faiss`` records, so a vector file left behind by a crash is seen and brought up to date.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from indexing.errors import StoreError
from indexing.places import Gazetteer
from indexing.store.sql_session import SqliteSession, SqlSession
from indexing.store.sqlite.manifest import FORMAT_VERSION
from indexing.store.sqlite.place_upgrade import upgrade_places
from indexing.store.sqlite.schema import SCHEMA
from indexing.store.store_meta import create_tables, meta_value, stored_model
from indexing.store.write_lock import WriteLock

log = logging.getLogger(__name__)

DATABASE_NAME = "hromada.sqlite"
LOCK_NAME = "write.lock"


class BlobVectorColumn:
    """Vectors as float32 bytes in ``chunks.vector``."""

    name = "vector"

    def encode(self, vector: np.ndarray) -> object:
        return np.ascontiguousarray(vector, dtype=np.float32).tobytes()

    def decode(self, value: Any) -> np.ndarray:
        return np.frombuffer(value, dtype=np.float32)


class SqliteDatabase:
    """``hromada.sqlite`` of one store folder: its sessions, snapshots and the one writer's transactions."""

    blob_type = "BLOB"
    real_type = "REAL"

    def __init__(
        self,
        folder: Path,
        model: str | None,
        dimension: int | None,
        busy_timeout: float = 30.0,
        companion_files: tuple[str, ...] = (),
    ) -> None:
        self.folder = folder
        self.address = str(folder)
        self.busy_timeout = busy_timeout
        self.companion_files = companion_files
        """Files of the folder that a copy of the store takes along (the vector index and its manifest)."""
        self.vector_column = BlobVectorColumn()
        self._guard = threading.RLock()
        is_new = not (folder / DATABASE_NAME).exists()
        if is_new and (model is None or dimension is None):
            raise StoreError(f"{folder}: there is no store here yet (index some documents first)")
        folder.mkdir(parents=True, exist_ok=True)
        self._db = self._connect(folder / DATABASE_NAME)
        # A process killed while creating the store leaves a database without tables: that is no store yet.
        if is_new or not self._has_schema():
            if model is None or dimension is None:
                self._db.close()
                raise StoreError(f"{folder}: there is no store here yet (index some documents first)")
            self._create(model, dimension)
        self.model, self.dimension = self._check_compatible(model, dimension)
        self._upgrade()

    @staticmethod
    def exists(folder: Path) -> bool:
        """Whether ``folder`` holds a store."""
        return (folder / DATABASE_NAME).exists()

    # ----------------------------------------------------------------- opening

    def _connect(self, path: Path) -> sqlite3.Connection:
        try:
            db = sqlite3.connect(
                path, timeout=self.busy_timeout, check_same_thread=False, isolation_level=None
            )
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = FULL")
            db.execute("PRAGMA foreign_keys = ON")
        except sqlite3.DatabaseError as error:
            raise StoreError(f"{path}: not a usable hromada store ({error})") from error
        return db

    def _create(self, model: str, dimension: int) -> None:
        with self._begin() as session:
            # A second process creating the same store at once must not reset the generation: the first's stays.
            meta = {"format_version": str(FORMAT_VERSION), "model": model, "dimension": str(dimension)}
            create_tables(session, SCHEMA, {**meta, "generation": "0"})

    def _has_schema(self) -> bool:
        try:
            return SqliteSession(self._db).has_table("meta")
        except sqlite3.DatabaseError as error:
            raise StoreError(f"{self.folder}: not a usable hromada store ({error})") from error

    def meta(self, key: str) -> str | None:
        with self.session() as session:
            return meta_value(session, key)

    def _check_compatible(self, model: str | None, dimension: int | None) -> tuple[str, int]:
        try:
            return stored_model(self.address, self.meta, FORMAT_VERSION, model, dimension)
        except sqlite3.DatabaseError as error:
            raise StoreError(f"{self.folder}: not a usable hromada store ({error})") from error

    def _upgrade(self) -> None:
        """Bring a store of an older format to this one (the version is read again under the write lock)."""
        if int(self.meta("format_version") or 0) >= FORMAT_VERSION:
            return
        with self.write_lock(), self._guard, self._begin() as session:
            if int(self.meta("format_version") or 0) >= FORMAT_VERSION:
                return
            upgrade_places(session, Gazetteer.default())
            session.run("UPDATE meta SET value = ? WHERE key = 'format_version'", (str(FORMAT_VERSION),))
            log.info("%s: upgraded to store format %d", self.folder, FORMAT_VERSION)

    def close(self) -> None:
        self._db.close()

    # ----------------------------------------------------------------- sessions and transactions

    @contextmanager
    def session(self) -> Iterator[SqlSession]:
        """This process's connection, for short reads of what is committed (and this process's open write)."""
        with self._guard:
            yield SqliteSession(self._db)

    def generation(self) -> int:
        """The write generation: one more with every committed write."""
        return int(self.meta("generation") or 0)

    def write_lock(self, timeout: float | None = None) -> WriteLock:
        """The lock that makes writers of every process take turns; the kernel releases it if its holder dies.
        It waits ``timeout`` seconds for another writer (the busy timeout by default)."""
        return WriteLock(self.folder / LOCK_NAME, self.busy_timeout if timeout is None else timeout)

    @contextmanager
    def _begin(self) -> Iterator[SqlSession]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield SqliteSession(self._db)
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    @contextmanager
    def transaction(self, after_commit: Callable[[], None]) -> Iterator[SqlSession]:
        """The one writer: the folder's write lock, then this process's guard, then one SQLite transaction."""
        # The file lock before the guard: waiting for another process's write must not hold up this process's
        # searches, which take only the guard.
        with self.write_lock(), self._guard:
            with self._begin() as session:
                yield session
                session.run("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'")
            after_commit()

    @contextmanager
    def snapshot(self) -> Iterator[SqlSession]:
        """A read-only connection of its own, in one read transaction: what is committed, as of its first read.

        It takes neither the write lock nor this process's guard, so that writes and searches go on meanwhile
        (WAL readers never wait for writers).
        """
        db = sqlite3.connect(
            self.folder / DATABASE_NAME,
            timeout=self.busy_timeout,
            check_same_thread=False,
            isolation_level=None,
        )
        try:
            db.execute("PRAGMA query_only = ON")
            db.execute("BEGIN")
            yield SqliteSession(db)
        finally:
            db.close()  # ends the read transaction; nothing was written

    def copy_to(self, target: Path) -> None:
        """Copy the database and its companion files into the new folder ``target``.

        The database goes through SQLite's backup API: copying its files by hand would read them outside
        SQLite, and closing such a file descriptor drops this process's POSIX locks on the database, which
        lets another process checkpoint the WAL under our feet (sqlite.org/howtocorrupt.html, 2.2).
        """
        target.mkdir(parents=True)
        with self.write_lock(), self._guard:
            copy = sqlite3.connect(target / DATABASE_NAME)
            try:
                self._db.backup(copy)
            finally:
                copy.close()
            for name in self.companion_files:
                if (self.folder / name).exists():
                    (target / name).write_bytes((self.folder / name).read_bytes())

    # ----------------------------------------------------------------- checking

    def check(self) -> list[str]:
        findings: list[str] = []
        with self.session() as session:
            result = session.rows("PRAGMA integrity_check")[0][0]
            if result != "ok":
                findings.append(f"SQLite integrity check: {result}")
            if session.rows("PRAGMA foreign_key_check"):
                findings.append("some chunks or documents point to rows that no longer exist")
        return findings
