"""API keys kept in the store itself: a database store's servers then share one set of keys, and a key revoked on
one of them stops opening the others at once. Only digests are kept, never a key (``service.access_keys``)."""

from __future__ import annotations

from collections.abc import Mapping

from indexing.store.sql_session import SqlSession

KEY_FIELDS = ("id", "name", "role", "created", "sha256")
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS api_keys (id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, "
    "created TEXT NOT NULL, sha256 TEXT NOT NULL)"
)


class KeyTable:
    """The ``api_keys`` table, made when the first key is; one implementation over any session."""

    def records(self, session: SqlSession) -> list[dict[str, str]] | None:
        """Every key's record in creation order; None when no key was ever made here."""
        if not session.has_table("api_keys"):
            return None
        rows = session.rows(f"SELECT {', '.join(KEY_FIELDS)} FROM api_keys ORDER BY created, id")
        return [dict(zip(KEY_FIELDS, row, strict=True)) for row in rows]

    def add(self, session: SqlSession, record: Mapping[str, str]) -> None:
        session.run(_SCHEMA)
        session.run(
            f"INSERT INTO api_keys({', '.join(KEY_FIELDS)}) VALUES (?, ?, ?, ?, ?)",
            [record[field] for field in KEY_FIELDS],
        )

    def remove(self, session: SqlSession, key_id: str) -> dict[str, str] | None:
        """Remove a key; its record, or None when there is no such key."""
        if not session.has_table("api_keys"):
            return None
        rows = session.rows(f"DELETE FROM api_keys WHERE id = ? RETURNING {', '.join(KEY_FIELDS)}", (key_id,))
        return dict(zip(KEY_FIELDS, rows[0], strict=True)) if rows else None
