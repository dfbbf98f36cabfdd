"""A ``SqlSession`` over a psycopg connection: the shared SQL's ``?`` placeholders become psycopg's ``%s``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import psycopg

from indexing.store.sql_session import Row


class PostgresSession:
    """Statements on one psycopg connection, inside whatever transaction its holder began."""

    def __init__(self, connection: psycopg.Connection) -> None:
        self.connection = connection

    def rows(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        with self.connection.cursor() as cursor:
            cursor.execute(_psycopg_sql(sql), list(params))
            return cursor.fetchall() if cursor.description is not None else []

    def run(self, sql: str, params: Sequence[object] = ()) -> None:
        self.connection.execute(_psycopg_sql(sql), list(params))

    def run_many(self, sql: str, rows: Iterable[Sequence[object]]) -> None:
        batch = [list(row) for row in rows]
        if batch:
            with self.connection.cursor() as cursor:
                cursor.executemany(_psycopg_sql(sql), batch)

    def has_table(self, name: str) -> bool:
        return bool(self.rows("SELECT to_regclass(?) IS NOT NULL", (name,))[0][0])


def _psycopg_sql(sql: str) -> str:
    # Parameters are always passed, so psycopg reads every "%": a literal one must be doubled.
    return sql.replace("%", "%%").replace("?", "%s")
