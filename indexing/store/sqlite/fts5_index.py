"""Lexical search in a store folder: SQLite's FTS5 table ``chunk_lemmas`` over the chunks' lemma keys, ranked by
FTS5's own BM25; a chunk's lemmas are under its chunk id (the table's rowid).

The table is where the folder's lemma keys are kept; ``Bm25Index`` ranks them in memory, faster. This ranking
stays as the ``fts5`` choice of ``Settings.lexical_index``, the baseline of the benchmarks."""

from __future__ import annotations

from collections.abc import Sequence

from indexing.store.parts import Ranking
from indexing.store.records import ChunkFilter
from indexing.store.sql_filters import filter_condition
from indexing.store.sql_session import SqlSession
from indexing.store.sqlite.database import SqliteDatabase


class Fts5Index:
    """BM25 over ``chunk_lemmas``; any of the query's lemmas may match."""

    def __init__(self, database: SqliteDatabase) -> None:
        self._database = database

    def add(self, session: SqlSession, chunk_ids: Sequence[int], lemma_texts: Sequence[str]) -> None:
        session.run_many(
            "INSERT INTO chunk_lemmas(rowid, lemmas) VALUES (?, ?)", zip(chunk_ids, lemma_texts, strict=True)
        )

    def remove(self, session: SqlSession, chunk_ids: Sequence[int]) -> None:
        session.run_many("DELETE FROM chunk_lemmas WHERE rowid = ?", [(i,) for i in chunk_ids])

    def search(self, lemmas: Sequence[str], k: int, chunk_filter: ChunkFilter) -> Ranking:
        match = _match(lemmas)
        if match is None:
            return []
        condition, params = filter_condition(chunk_filter)
        # Joined with the chunks only to filter: the join costs a row read per match (2.5x the search's time).
        filtered = (
            "" if chunk_filter.is_empty() else f"JOIN chunks c ON c.id = chunk_lemmas.rowid AND {condition}"
        )
        with self._database.session() as session:
            rows = session.rows(
                f"SELECT chunk_lemmas.rowid, -bm25(chunk_lemmas) AS score FROM chunk_lemmas {filtered} "
                "WHERE chunk_lemmas MATCH ? ORDER BY score DESC, chunk_lemmas.rowid LIMIT ?",
                [*params, match, k],
            )
        return [(int(chunk_id), float(score)) for chunk_id, score in rows]

    def count(self, lemmas: Sequence[str], cap: int, chunk_filter: ChunkFilter) -> int:
        match = _match(lemmas)
        if match is None:
            return 0
        condition, params = filter_condition(chunk_filter)
        with self._database.session() as session:
            return int(
                session.rows(
                    "SELECT count(*) FROM (SELECT 1 FROM chunk_lemmas JOIN chunks c ON c.id = chunk_lemmas.rowid "
                    f"WHERE chunk_lemmas MATCH ? AND {condition} LIMIT ?)",
                    [match, *params, cap],
                )[0][0]
            )

    def committed(self, persist: bool) -> None:
        """Nothing to do: the FTS5 table is written in the write's own transaction."""

    def save(self) -> None:
        """Nothing kept outside the database."""

    def check(self, session: SqlSession) -> list[str]:
        unindexed = session.rows(
            "SELECT count(*) FROM chunks WHERE id NOT IN (SELECT rowid FROM chunk_lemmas)"
        )[0][0]
        indexed, chunks = session.rows(
            "SELECT (SELECT count(*) FROM chunk_lemmas), (SELECT count(*) FROM chunks)"
        )[0]
        if unindexed or indexed != chunks:
            return [f"the lexical index and the chunks disagree ({unindexed} chunks not in it)"]
        return []


def _match(lemmas: Sequence[str]) -> str | None:
    """The FTS5 query: any of the lemmas, each one quoted string so that nothing in it is read as query syntax."""
    terms = sorted({lemma.replace('"', "") for lemma in lemmas if lemma.strip('"')})
    return " OR ".join(f'"{term}"' for term in terms) if terms else None
