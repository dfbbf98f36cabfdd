"""The PostgreSQL database of a store: rows, lemmas and vectors in one database that several servers may share.

Connections come from a small pool (psycopg 3, pgvector's adapter on each). Reads run on committed data; a
consistent read is one ``REPEATABLE READ`` transaction. Writers of every process and machine take turns through a
transaction-level advisory lock, the folder's ``write.lock`` in database form: PostgreSQL releases it when the
transaction ends or its connection dies, so a killed writer never leaves it held.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
from pgvector import Vector
from pgvector.psycopg import register_vector
from psycopg_pool import ConnectionPool, PoolTimeout

from indexing.errors import StoreBusyError, StoreError
from indexing.store.factory import StoreAddress
from indexing.store.postgres.schema import SCHEMA
from indexing.store.postgres.session import PostgresSession
from indexing.store.sql_session import SqlSession
from indexing.store.store_meta import create_tables, meta_value, stored_model

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
"""The layout of a PostgreSQL store; a store with a higher number is refused."""
WRITE_LOCK = 0x68726F6D
"""The advisory lock key that writers hold for their whole transaction ("hrom")."""
POOL_SIZE = 8
CONNECT_SECONDS = 10.0


class PgVectorColumn:
    """Vectors as pgvector ``vector`` values in ``chunks.embedding``."""

    name = "embedding"

    def encode(self, vector: np.ndarray) -> object:
        return np.ascontiguousarray(vector, dtype=np.float32)

    def decode(self, value: Any) -> np.ndarray:
        return np.asarray(value.to_numpy() if isinstance(value, Vector) else value, dtype=np.float32)


class PostgresDatabase:
    """One PostgreSQL database holding one store."""

    blob_type = "BYTEA"
    real_type = "DOUBLE PRECISION"

    def __init__(
        self, url: str, model: str | None, dimension: int | None, busy_timeout: float = 30.0
    ) -> None:
        self.address = StoreAddress(url).shown
        self.busy_timeout = busy_timeout
        self.vector_column = PgVectorColumn()
        is_new = not database_store_exists(url)
        if is_new and (model is None or dimension is None):
            raise StoreError(f"{self.address}: there is no store here yet (index some documents first)")
        if is_new:
            _create_vector_extension(url, self.address)
        self._pool = _connection_pool(url, self.address)
        try:
            if is_new:
                self._create(model, dimension)  # type: ignore[arg-type]
            self.model, self.dimension = stored_model(
                self.address, self.meta, FORMAT_VERSION, model, dimension
            )
        except BaseException:
            self._pool.close()
            raise

    # ----------------------------------------------------------------- opening

    def _create(self, model: str, dimension: int) -> None:
        with self.transaction(lambda: None) as session:
            if session.has_table("meta"):  # another process made it while this one waited for the lock
                return
            meta = {"format_version": str(FORMAT_VERSION), "model": model, "dimension": str(dimension)}
            create_tables(
                session,
                SCHEMA.format(dimension=int(dimension)),
                {**meta, "lexical_chunks": "0", "lexical_lemmas": "0"},
            )
        log.info("%s: made a new store", self.address)

    def meta(self, key: str) -> str | None:
        with self.session() as session:
            return meta_value(session, key)

    def close(self) -> None:
        self._pool.close()

    # ----------------------------------------------------------------- sessions and transactions

    @contextmanager
    def session(self) -> Iterator[SqlSession]:
        """A pooled connection in autocommit: each statement sees what is committed when it runs."""
        with self._connection() as connection:
            yield PostgresSession(connection)

    @contextmanager
    def snapshot(self) -> Iterator[SqlSession]:
        """One ``REPEATABLE READ`` read-only transaction: every statement sees the state of its first."""
        with self._connection() as connection, connection.transaction():
            connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield PostgresSession(connection)

    @contextmanager
    def transaction(self, after_commit: Callable[[], None]) -> Iterator[SqlSession]:
        """One transaction holding the writers' advisory lock, waited for up to the busy timeout."""
        with self._connection() as connection:
            with connection.transaction():
                self._take_write_lock(connection)
                yield PostgresSession(connection)
            after_commit()

    def _take_write_lock(self, connection: psycopg.Connection) -> None:
        # lock_timeout 0 would mean "wait for ever": a busy timeout of 0 waits a millisecond.
        waited = max(int(self.busy_timeout * 1000), 1)
        connection.execute("SELECT set_config('lock_timeout', %s, true)", (f"{waited}ms",))
        try:
            connection.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
        except psycopg.errors.LockNotAvailable:
            raise StoreBusyError(
                f"the store at {self.address} is busy: another process is writing to it "
                f"(waited {self.busy_timeout:g} s); try again when it has finished"
            ) from None
        connection.execute("SELECT set_config('lock_timeout', '0', true)")

    @contextmanager
    def _connection(self) -> Iterator[psycopg.Connection]:
        try:
            with self._pool.connection() as connection:
                yield connection
        except PoolTimeout as error:
            raise StoreError(f"{self.address}: no connection to the database ({error})") from error
        except psycopg.OperationalError as error:
            raise StoreError(f"{self.address}: the database cannot be used ({error})") from error

    def copy_to(self, target: Path) -> None:
        raise StoreError(
            f"{self.address}: a database store is copied with PostgreSQL's own tools (pg_dump), not into a folder"
        )

    # ----------------------------------------------------------------- checking

    def check(self) -> list[str]:
        """Invalid indexes (an interrupted ``CREATE INDEX CONCURRENTLY``, say) and rows whose owner is gone."""
        with self.session() as session:
            invalid = session.rows(
                "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = current_schema() AND NOT i.indisvalid ORDER BY c.relname"
            )
            orphans = session.rows(
                "SELECT (SELECT count(*) FROM chunks c WHERE NOT EXISTS (SELECT 1 FROM documents d WHERE d.id = c.doc_id))"
                " + (SELECT count(*) FROM documents d WHERE NOT EXISTS (SELECT 1 FROM sources s WHERE s.id = d.source_id))"
            )[0][0]
        findings = [f"the index {name} is not valid: rebuild it with REINDEX" for (name,) in invalid]
        if orphans:
            findings.append("some chunks or documents point to rows that no longer exist")
        return findings


def database_store_exists(url: str) -> bool:
    """Whether the database at ``url`` holds a store; ``StoreError`` when it cannot be reached."""
    with _direct_connection(url) as connection:
        return bool(connection.execute("SELECT to_regclass('meta') IS NOT NULL").fetchone()[0])  # type: ignore[index]


@contextmanager
def _direct_connection(url: str) -> Iterator[psycopg.Connection]:
    shown = StoreAddress(url).shown
    try:
        connection = psycopg.connect(url, autocommit=True, connect_timeout=int(CONNECT_SECONDS))
    except psycopg.Error as error:
        raise StoreError(f"{shown}: cannot connect to the database ({_first_line(error)})") from error
    with connection:
        yield connection


def _create_vector_extension(url: str, shown: str) -> None:
    """pgvector in the database; it must be there before a pooled connection registers its type."""
    with _direct_connection(url) as connection:
        try:
            connection.execute("CREATE EXTENSION IF NOT EXISTS vector")
        except (psycopg.errors.UniqueViolation, psycopg.errors.DuplicateObject):
            pass  # another process created it at the same moment
        except psycopg.Error as error:
            raise StoreError(
                f"{shown}: the pgvector extension cannot be created here ({_first_line(error)}); "
                "ask the database's administrator for CREATE EXTENSION vector"
            ) from error


def _connection_pool(url: str, shown: str) -> ConnectionPool:
    """A pool of connections to ``url`` with pgvector's adapters registered on each."""
    pool = ConnectionPool(
        url,
        min_size=1,
        max_size=POOL_SIZE,
        kwargs={"autocommit": True, "connect_timeout": int(CONNECT_SECONDS)},
        configure=register_vector,
        open=False,
        name="hromada-store",
    )
    try:
        pool.open(wait=True, timeout=CONNECT_SECONDS)
    except PoolTimeout as error:
        pool.close()
        raise StoreError(f"{shown}: cannot connect to the database ({error})") from error
    return pool


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
