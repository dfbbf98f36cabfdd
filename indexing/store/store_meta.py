"""The ``meta`` table every backend keeps: the store's format, the model it was built with, and its totals.

Opening a store reads it first: a store of a newer format, or built with another model or dimension, is refused.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from indexing.errors import IncompatibleStoreError
from indexing.store.sql_session import SqlSession, first


def create_tables(session: SqlSession, schema: str, meta: Mapping[str, str]) -> None:
    """Run ``schema``'s statements and record ``meta``; a process doing the same at once keeps the first's values."""
    for statement in schema.split(";"):
        if statement.strip():
            session.run(statement)
    session.run_many(
        "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO NOTHING", sorted(meta.items())
    )


def meta_value(session: SqlSession, key: str) -> str | None:
    row = first(session, "SELECT value FROM meta WHERE key = ?", (key,))
    return row[0] if row else None


def stored_model(
    address: str,
    meta: Callable[[str], str | None],
    newest_format: int,
    model: str | None,
    dimension: int | None,
) -> tuple[str, int]:
    """The model and dimension the store was built with; ``IncompatibleStoreError`` for a store of a format newer
    than ``newest_format`` or, when ``model`` is given, of another model or dimension."""
    version = int(meta("format_version") or 0)
    if version > newest_format:
        raise IncompatibleStoreError(
            f"{address}: the store has format {version}, newer than this hromada understands "
            f"({newest_format}); upgrade hromada"
        )
    built_with = str(meta("model")), int(meta("dimension") or 0)
    if model is not None and dimension is not None:
        refuse_other_model(address, *built_with, model, dimension)
    return built_with


def refuse_other_model(
    address: str, stored_model: str, stored_dimension: int, model: str, dimension: int
) -> None:
    """``IncompatibleStoreError`` unless the store was built with ``model`` of ``dimension``."""
    if stored_model != model or stored_dimension != dimension:
        raise IncompatibleStoreError(
            f"{address}: the store was built with the model {stored_model} ({stored_dimension} dimensions), "
            f"not {model} ({dimension}); use another --store or re-index into a new one"
        )
