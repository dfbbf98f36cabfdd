"""Vector search in PostgreSQL: pgvector's HNSW index (cosine) over ``chunks.embedding``.

The index lives in the database and changes in the writer's own transaction, so there is nothing to bring up to
date after a commit or a crash. HNSW returns at most ``hnsw.ef_search`` candidates and applies a filter after
finding them, so a filtered search could come back short; when it does, the filtered chunks are searched exactly
(a selective filter leaves few to compare), and a filter never cuts a list silently.
"""

from __future__ import annotations

import numpy as np

from indexing.store.parts import Ranking
from indexing.store.postgres.database import PostgresDatabase
from indexing.store.records import ChunkChanges, ChunkFilter
from indexing.store.sql_filters import filter_condition
from indexing.store.sql_session import SqlSession

EF_SEARCH_MIN = 400
"""Candidates HNSW gathers at least (pgvector's default is 40). Law passages lie close together: over 9,247 of them
and 100 real queries, recall@10 (ties counted) was 0.63 at 40, 0.81 at 100, 0.98 at 400 (+5 ms), 0.997 at 1000;
recall@100 0.97 at 400 (scripts/bench/store_backends.py measures it at any size)."""
EF_SEARCH_MAX = 1000
"""pgvector's limit; a search for more neighbours than this is exact."""


class PgVectorIndex:
    """Nearest chunks by cosine similarity, from the HNSW index or, where it cannot answer, exactly."""

    index_type = "hnsw"

    def __init__(self, database: PostgresDatabase, ef_search: int = EF_SEARCH_MIN) -> None:
        self._database = database
        self.ef_search = ef_search

    def search(self, vector: np.ndarray, k: int, chunk_filter: ChunkFilter) -> Ranking:
        query = np.ascontiguousarray(vector, dtype=np.float32)
        condition, params = filter_condition(chunk_filter)
        with self._database.snapshot() as session:
            if k <= EF_SEARCH_MAX:
                found = self._approximate(session, query, k, condition, params)
                if len(found) == k:
                    return found
            return self._exact(session, query, k, condition, params)

    def _approximate(
        self, session: SqlSession, query: np.ndarray, k: int, condition: str, params: list[object]
    ) -> Ranking:
        candidates = min(max(self.ef_search, 4 * k), EF_SEARCH_MAX)
        session.run("SELECT set_config('hnsw.ef_search', ?, true)", (str(candidates),))
        rows = session.rows(
            "SELECT c.id, 1 - (c.embedding <=> ?) FROM chunks c "
            f"WHERE {condition} ORDER BY c.embedding <=> ? LIMIT ?",
            [query, *params, query, k],
        )
        return [(int(chunk_id), float(similarity)) for chunk_id, similarity in rows]

    def _exact(
        self, session: SqlSession, query: np.ndarray, k: int, condition: str, params: list[object]
    ) -> Ranking:
        # Materialised first, so that the planner cannot answer from the approximate index.
        rows = session.rows(
            f"WITH allowed AS MATERIALIZED (SELECT c.id, c.embedding FROM chunks c WHERE {condition}) "
            "SELECT id, 1 - (embedding <=> ?) AS similarity FROM allowed ORDER BY similarity DESC, id LIMIT ?",
            [*params, query, k],
        )
        return [(int(chunk_id), float(similarity)) for chunk_id, similarity in rows]

    def committed(self, changes: ChunkChanges, persist: bool) -> None:
        """Nothing to do: the index changed inside the write's own transaction."""

    def save(self) -> None:
        """Nothing to do: the index is the database's."""

    def check(self) -> list[str]:
        with self._database.session() as session:
            wrong = session.rows(
                "SELECT count(*) FROM chunks WHERE vector_dims(embedding) != ?", (self._database.dimension,)
            )[0][0]
        return [f"{wrong} chunks have a vector of the wrong size"] if wrong else []
