"""Lexical search in PostgreSQL: the chunks' lemma keys as ``to_tsvector('simple', lemmas)`` under a GIN index.

The ``simple`` configuration only lowercases and splits: pymorphy3 has already made each word its lemma key, the
same keys as the folder store's FTS5 table. Any of the query's lemmas may match. PostgreSQL ranks matches with
``ts_rank``/``ts_rank_cd``, which know nothing of how rare a word is; ``bm25`` computes Okapi BM25 in SQL with
FTS5's constants (k1 1.2, b 0.75, the same idf), from the lemma counts of the matching rows and the store's
totals kept in ``meta``. ``scripts/bench/store_backends.py`` measures the rankings against FTS5's.
"""

from __future__ import annotations

from collections.abc import Sequence

from indexing.store.parts import Ranking
from indexing.store.postgres.database import PostgresDatabase
from indexing.store.records import ChunkFilter
from indexing.store.sql_filters import filter_condition
from indexing.store.sql_session import SqlSession

RANKINGS = ("bm25", "ts_rank_cd", "ts_rank_cd_length", "ts_rank")
DEFAULT_RANKING = "bm25"

# The query's lemmas, each as PostgreSQL reads it (plainto_tsquery never fails on any input), joined by OR.
_QUERY = (
    "(SELECT string_agg('(' || part::text || ')', ' | ')::tsquery "
    "FROM (SELECT plainto_tsquery('simple', term) AS part FROM unnest(?::text[]) AS term) AS parts "
    "WHERE numnode(part) > 0)"
)
_CHEAP_RANKS = {
    "ts_rank_cd": "ts_rank_cd(l.lemmas, q.query)",
    # 1: divided by 1 + log(length), the usual correction for long documents.
    "ts_rank_cd_length": "ts_rank_cd(l.lemmas, q.query, 1)",
    "ts_rank": "ts_rank(l.lemmas, q.query, 1)",
}
# BM25 needs each query lexeme's count in each matching chunk: setweight marks the query's lexemes and ts_filter
# keeps only them, so a chunk's other hundred lexemes are never unnested.
_BM25 = f"""
WITH q AS (
    SELECT {_QUERY} AS query,
           (SELECT array_agg(DISTINCT word.lexeme)
            FROM unnest(?::text[]) AS term, unnest(to_tsvector('simple', term)) AS word) AS lexemes
),
totals AS (
    SELECT max(CASE WHEN key = 'lexical_chunks' THEN value::float END) AS chunks,
           max(CASE WHEN key = 'lexical_lemmas' THEN value::float END) AS lemmas
    FROM meta WHERE key IN ('lexical_chunks', 'lexical_lemmas')
),
matched AS MATERIALIZED (
    SELECT l.chunk_id, l.length, word.lexeme, cardinality(word.positions) AS tf
    FROM chunk_lemmas l, q, unnest(ts_filter(setweight(l.lemmas, 'A', q.lexemes), '{{{{a}}}}')) AS word
    WHERE l.lemmas @@ q.query
),
frequency AS (
    SELECT lexeme, greatest(ln((t.chunks - count(*) + 0.5) / (count(*) + 0.5)), 1e-6) AS idf
    FROM matched, totals t GROUP BY lexeme, t.chunks
)
SELECT m.chunk_id,
       sum(f.idf * m.tf * 2.2 / (m.tf + 1.2 * (0.25 + 0.75 * m.length / greatest(t.lemmas / t.chunks, 1e-9))))
           AS score
FROM matched m JOIN frequency f ON f.lexeme = m.lexeme CROSS JOIN totals t {{filtered}}
GROUP BY m.chunk_id ORDER BY score DESC, m.chunk_id LIMIT ?
"""


class PostgresFullText:
    """Full-text search over ``chunk_lemmas``; ``ranking`` is one of ``RANKINGS``."""

    def __init__(self, database: PostgresDatabase, ranking: str = DEFAULT_RANKING) -> None:
        if ranking not in RANKINGS:
            raise ValueError(f"ranking must be one of {', '.join(RANKINGS)}, not {ranking!r}")
        self._database = database
        self.ranking = ranking

    def add(self, session: SqlSession, chunk_ids: Sequence[int], lemma_texts: Sequence[str]) -> None:
        if not chunk_ids:
            return
        added = session.rows(
            "INSERT INTO chunk_lemmas(chunk_id, lemmas, length) "
            "SELECT id, words, (SELECT coalesce(sum(cardinality(w.positions)), 0) FROM unnest(words) AS w) "
            "FROM (SELECT id, to_tsvector('simple', text) AS words "
            "      FROM unnest(?::bigint[], ?::text[]) AS given(id, text)) AS parsed "
            "RETURNING length",
            (list(chunk_ids), list(lemma_texts)),
        )
        self._count(session, len(added), sum(length for (length,) in added))

    def remove(self, session: SqlSession, chunk_ids: Sequence[int]) -> None:
        if not chunk_ids:
            return
        removed = session.rows(
            "DELETE FROM chunk_lemmas WHERE chunk_id = ANY(?::bigint[]) RETURNING length", (list(chunk_ids),)
        )
        self._count(session, -len(removed), -sum(length for (length,) in removed))

    def _count(self, session: SqlSession, chunks: int, lemmas: int) -> None:
        """Keep BM25's totals (chunks and their lemmas) in step, in the writer's transaction."""
        session.run_many(
            "UPDATE meta SET value = (value::bigint + ?)::text WHERE key = ?",
            [(chunks, "lexical_chunks"), (lemmas, "lexical_lemmas")],
        )

    def search(self, lemmas: Sequence[str], k: int, chunk_filter: ChunkFilter) -> Ranking:
        terms = list(lemmas)
        condition, params = filter_condition(chunk_filter)
        if self.ranking == "bm25":
            # Joined with the chunks only to filter: the join costs a row read per match.
            filtered = (
                "" if chunk_filter.is_empty() else f"JOIN chunks c ON c.id = m.chunk_id WHERE {condition}"
            )
            sql, arguments = _BM25.format(filtered=filtered), [terms, terms, *params, k]
        else:
            sql = (
                f"SELECT c.id, {_CHEAP_RANKS[self.ranking]} AS score FROM (SELECT {_QUERY} AS query) AS q "
                "JOIN chunk_lemmas l ON l.lemmas @@ q.query JOIN chunks c ON c.id = l.chunk_id "
                f"WHERE {condition} ORDER BY score DESC, c.id LIMIT ?"
            )
            arguments = [terms, *params, k]
        with self._database.session() as session:
            rows = session.rows(sql, arguments)
        return [(int(chunk_id), float(score)) for chunk_id, score in rows]

    def count(self, lemmas: Sequence[str], cap: int, chunk_filter: ChunkFilter) -> int:
        condition, params = filter_condition(chunk_filter)
        filtered = "" if chunk_filter.is_empty() else f"JOIN chunks c ON c.id = l.chunk_id AND {condition}"
        with self._database.session() as session:
            return int(
                session.rows(
                    f"SELECT count(*) FROM (SELECT 1 FROM (SELECT {_QUERY} AS query) AS q "
                    f"JOIN chunk_lemmas l ON l.lemmas @@ q.query {filtered} LIMIT ?) AS matches",
                    [list(lemmas), *params, cap],
                )[0][0]
            )

    def committed(self, persist: bool) -> None:
        """Nothing to do: the lemmas and BM25's totals are written in the write's own transaction."""

    def save(self) -> None:
        """Nothing kept outside the database."""

    def check(self, session: SqlSession) -> list[str]:
        unindexed, chunks, indexed, lemmas = session.rows(
            "SELECT (SELECT count(*) FROM chunks c WHERE NOT EXISTS "
            "        (SELECT 1 FROM chunk_lemmas l WHERE l.chunk_id = c.id)), "
            "(SELECT count(*) FROM chunks), (SELECT count(*) FROM chunk_lemmas), "
            "(SELECT coalesce(sum(length), 0) FROM chunk_lemmas)"
        )[0]
        findings = []
        if unindexed or indexed != chunks:
            findings.append(f"the lexical index and the chunks disagree ({unindexed} chunks not in it)")
        totals = dict(
            session.rows("SELECT key, value FROM meta WHERE key IN ('lexical_chunks', 'lexical_lemmas')")
        )
        if (int(totals.get("lexical_chunks", -1)), int(totals.get("lexical_lemmas", -1))) != (
            indexed,
            lemmas,
        ):
            findings.append("the lexical index's totals in meta differ from its rows")
        return findings
