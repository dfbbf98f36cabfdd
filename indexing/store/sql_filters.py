"""Turns a ``ChunkFilter`` into an SQL condition over the ``chunks`` table (aliased ``c``), one meaning in every
backend: the same SQL, with ``?`` placeholders, for SQLite and PostgreSQL."""

from __future__ import annotations

from indexing.store.records import ChunkFilter


def filter_condition(chunk_filter: ChunkFilter) -> tuple[str, list[object]]:
    """An SQL boolean expression and its parameters; always true when the filter is empty."""
    clauses: list[str] = []
    params: list[object] = []
    if chunk_filter.kinds:
        clauses.append(f"c.kind IN ({', '.join('?' * len(chunk_filter.kinds))})")
        params.extend(chunk_filter.kinds)
    if chunk_filter.sector:
        # Sectors are stored as comma-separated tags, the primary one first.
        clauses.append("(',' || c.sector || ',') LIKE ?")
        params.append(f"%,{chunk_filter.sector},%")
    if chunk_filter.region:
        # Regions are stored as the gazetteer names them, and a filter is resolved to that name before it gets here.
        clauses.append("c.region = ?")
        params.append(chunk_filter.region)
    if chunk_filter.since:
        clauses.append("substr(c.date, 1, 10) >= ?")
        params.append(chunk_filter.since[:10])
    if chunk_filter.until:
        clauses.append("substr(c.date, 1, 10) <= ?")
        params.append(chunk_filter.until[:10])
    if chunk_filter.doc_ids:
        clauses.append(f"c.doc_id IN ({', '.join('?' * len(chunk_filter.doc_ids))})")
        params.extend(chunk_filter.doc_ids)
    return (" AND ".join(clauses) or "1 = 1"), params
