"""One open connection's statements, whatever the database: the SQL that SQLite and PostgreSQL share goes here.

Statements are written once, with ``?`` placeholders and SQL that both databases read the same way (``"end"``
quoted, ``INSERT ... RETURNING``, ``ON CONFLICT``); each backend's session adapts the placeholders to its driver.
The tables of documents, chunks and problems are then read and written by one piece of code for every backend.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

Row = tuple[Any, ...]


class SqlSession(Protocol):
    """Statements on one connection, inside whatever transaction the caller holds."""

    def rows(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        """Run a query and return all its rows."""
        ...

    def run(self, sql: str, params: Sequence[object] = ()) -> None:
        """Run a statement whose rows, if any, are not wanted."""
        ...

    def run_many(self, sql: str, rows: Iterable[Sequence[object]]) -> None:
        """Run a statement once per row of parameters."""
        ...

    def has_table(self, name: str) -> bool:
        """Whether the database holds a table of this name."""
        ...


class SqliteSession:
    """A ``SqlSession`` over a ``sqlite3`` connection."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def rows(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        return self.connection.execute(sql, params).fetchall()

    def run(self, sql: str, params: Sequence[object] = ()) -> None:
        self.connection.execute(sql, params)

    def run_many(self, sql: str, rows: Iterable[Sequence[object]]) -> None:
        self.connection.executemany(sql, rows)

    def has_table(self, name: str) -> bool:
        return bool(self.rows("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)))


def first(session: SqlSession, sql: str, params: Sequence[object] = ()) -> Row | None:
    """The first row of a query, or None."""
    found = session.rows(sql, params)
    return found[0] if found else None


def placeholders(count: int) -> str:
    """``?, ?, ?`` for an ``IN (...)`` list of ``count`` values."""
    return ", ".join("?" * count)
