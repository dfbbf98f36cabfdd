"""The shared store: PostgreSQL with pgvector (``--store postgresql://…``), which several servers may use at once.

Needs the ``postgres`` extra (psycopg 3, its pool and pgvector's adapter)."""

from __future__ import annotations

from indexing.store.document_rows import DocumentRows
from indexing.store.postgres.database import PostgresDatabase, database_store_exists
from indexing.store.postgres.full_text import DEFAULT_RANKING, PostgresFullText
from indexing.store.postgres.pgvector_index import PgVectorIndex
from indexing.store.problem_tables import ProblemTables
from indexing.store.store import Store

__all__ = ["database_store_exists", "open_database_store"]


def open_database_store(
    url: str,
    model: str | None = None,
    dimension: int | None = None,
    busy_timeout: float = 30.0,
    lexical_ranking: str = DEFAULT_RANKING,
) -> Store:
    """The store in the database at ``url`` (made there when a model is given and there is none yet).

    ``lexical_ranking``: how full-text matches are ranked (``full_text.RANKINGS``; the benchmark compares them).
    """
    database = PostgresDatabase(url, model, dimension, busy_timeout)
    return Store(
        database,
        DocumentRows(database.vector_column, database.dimension),
        PostgresFullText(database, lexical_ranking),
        PgVectorIndex(database),
        ProblemTables(database.blob_type, database.real_type),
    )
