"""The tables of recurring problems: the problems, every statement received, keyword counts and settings.

One implementation for every backend: each method takes the ``SqlSession`` of the caller's transaction and never
commits, so a batch that fails half-way leaves nothing behind.

- ``problems``: one row per problem; ``vector_sum`` is the float64 sum of its members' unit vectors (the centre
  is its direction, and adding a member is adding its vector).
- ``problem_items``: every statement ever received, under its item id, whether it joined a problem or not; this
  is what makes re-sending a batch count nothing twice. ``embedding`` is kept only while the item is unassigned,
  so that it can form a new problem with later items.
- ``problem_keyword_counts``: keyword lemma counts per problem, from which labels are recomputed as problems grow.
- ``problem_settings``: the calibrated assignment threshold and the clustering parameters of the problem set.
- ``problem_batches``: one row per batch received, for the record.

A batch is computed from a ``ProblemSnapshot`` read outside any write, then saved by ``save_batch`` in one short
transaction that first checks the snapshot is still current: the ``problem_set_version`` setting grows by one with
every saved batch, so a batch computed from an older state is refused instead of overwriting another's work.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from indexing.store.problem_item import ProblemItem, StoredProblem
from indexing.store.problem_types import (
    CENTRAL_MEMBERS_READ,
    VERSION_SETTING,
    BatchRecord,
    BatchWrite,
    ItemFilter,
    ItemPlacement,
    ProblemSetChangedError,
    ProblemSnapshot,
)
from indexing.store.sql_session import SqlSession, placeholders

SCHEMA = """
CREATE TABLE IF NOT EXISTS problem_settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS problems (
    id TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    keywords TEXT NOT NULL,
    size INTEGER NOT NULL,
    vector_sum {blob} NOT NULL,
    batch_id TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS problem_items (
    item_id TEXT PRIMARY KEY,
    problem_id TEXT REFERENCES problems(id) DEFERRABLE INITIALLY DEFERRED,  -- items are saved before new problems
    similarity {real},
    text TEXT NOT NULL,
    date TEXT,
    region TEXT,
    kind TEXT,
    doc_id BIGINT,
    chunk_id BIGINT,
    start INTEGER,
    "end" INTEGER,
    embedding {blob},
    batch_id TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS problem_items_by_problem ON problem_items(problem_id);
CREATE TABLE IF NOT EXISTS problem_keyword_counts (
    problem_id TEXT NOT NULL REFERENCES problems(id) DEFERRABLE INITIALLY DEFERRED,
    lemma TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (problem_id, lemma)
);
CREATE TABLE IF NOT EXISTS problem_batches (
    id TEXT PRIMARY KEY,
    received_at TEXT NOT NULL,
    item_count INTEGER NOT NULL,
    already_seen INTEGER NOT NULL,
    assigned_to_known INTEGER NOT NULL,
    new_problems INTEGER NOT NULL
);
"""
"""``{blob}`` and ``{real}`` are the database's names for bytes and for double-precision numbers."""

_ITEM_COLUMNS = 'item_id, text, date, region, kind, doc_id, chunk_id, start, "end"'


class ProblemTables:
    """Reads and writes the problem tables through the session it is given."""

    def __init__(self, blob_type: str = "BLOB", real_type: str = "REAL") -> None:
        self._schema = SCHEMA.format(blob=blob_type, real=real_type)

    # ------------------------------------------------------------ a batch: read, then saved

    def create_schema(self, session: SqlSession) -> None:
        """Create the problem tables when they are missing (idempotent)."""
        for statement in self._schema.split(";"):
            if statement.strip():
                session.run(statement)

    def exist(self, session: SqlSession) -> bool:
        """Whether problems were ever saved here (readers then need not create the tables, which is a write)."""
        return session.has_table("problems")

    def snapshot(
        self, session: SqlSession, item_ids: Iterable[str], central_per_problem: int = CENTRAL_MEMBERS_READ
    ) -> ProblemSnapshot:
        """What a batch of ``item_ids`` is computed from; run it in one read transaction so that it is consistent."""
        if not self.exist(session):
            return ProblemSnapshot(0, {}, {}, [], None, [], {}, 0, {})
        settings = self.settings(session)
        waiting, waiting_embeddings = self.waiting_items(session)
        return ProblemSnapshot(
            version=int(settings.pop(VERSION_SETTING, "0")),
            placements=self.placements(session, item_ids),
            settings=settings,
            waiting=waiting,
            waiting_embeddings=waiting_embeddings,
            problems=self.problems(session),
            keyword_counts=self.keyword_counts(session),
            batch_count=self.batch_count(session),
            central_members=self.central_members(session, central_per_problem),
        )

    def save_batch(self, session: SqlSession, batch: BatchWrite) -> None:
        """Save a computed batch inside the caller's write transaction, if the problems are still as it read them.

        Raises ``ProblemSetChangedError`` (having written nothing) when another batch was saved in between.
        """
        self.create_schema(session)
        current = int(self.settings(session).get(VERSION_SETTING, "0"))
        if current != batch.version:
            raise ProblemSetChangedError(
                f"another batch was saved while this one was computed (problem set version {current}, "
                f"expected {batch.version})"
            )
        self._save_items(session, batch.items, batch.record.id)
        self._place_waiting_items(session, batch.waiting_placements)
        self._save_problems(session, batch.problems)
        for problem_id, counts in batch.added_keyword_counts.items():
            self._add_keyword_counts(session, problem_id, counts)
        self._save_settings(session, {**batch.settings, VERSION_SETTING: str(current + 1)})
        self._save_batch_record(session, batch.record)

    # ------------------------------------------------------------ reading

    def settings(self, session: SqlSession) -> dict[str, str]:
        return dict(session.rows("SELECT name, value FROM problem_settings"))

    def problems(self, session: SqlSession) -> list[StoredProblem]:
        """All problems, in id order."""
        if not self.exist(session):
            return []
        rows = session.rows(
            "SELECT id, label, keywords, size, vector_sum, batch_id FROM problems ORDER BY id"
        )
        return [
            StoredProblem(
                id=row[0],
                label=row[1],
                keywords=json.loads(row[2]),
                size=row[3],
                vector_sum=np.frombuffer(row[4], dtype=np.float64).copy(),
                batch_id=row[5],
            )
            for row in rows
        ]

    def placements(self, session: SqlSession, item_ids: Iterable[str]) -> dict[str, ItemPlacement]:
        """Where the items among ``item_ids`` that were received before went."""
        placements: dict[str, ItemPlacement] = {}
        ids = list(item_ids)
        # SQLite limits the number of bound parameters; ask in slices.
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            rows = session.rows(
                "SELECT item_id, problem_id, similarity FROM problem_items "
                f"WHERE item_id IN ({placeholders(len(part))})",
                part,
            )
            for item_id, problem_id, similarity in rows:
                placements[item_id] = ItemPlacement(problem_id, similarity)
        return placements

    def waiting_items(self, session: SqlSession) -> tuple[list[ProblemItem], np.ndarray | None]:
        """Items received earlier that fit no problem, with their embeddings (None when there are none)."""
        rows = session.rows(
            f"SELECT {_ITEM_COLUMNS}, embedding FROM problem_items "
            "WHERE problem_id IS NULL AND embedding IS NOT NULL ORDER BY item_id"
        )
        if not rows:
            return [], None
        items = [_item_from_row(row[:-1]) for row in rows]
        return items, np.stack([np.frombuffer(row[-1], dtype=np.float32) for row in rows])

    def members(
        self, session: SqlSession, item_filter: ItemFilter, problem_id: str | None = None
    ) -> list[tuple[ProblemItem, ItemPlacement]]:
        """Received items that pass ``item_filter`` (all of them, or only those of ``problem_id``), in id order."""
        if not self.exist(session):
            return []
        conditions, parameters = _filter_conditions(item_filter)
        if problem_id is not None:
            conditions.append("problem_id = ?")
            parameters.append(problem_id)
        where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
        rows = session.rows(
            f"SELECT {_ITEM_COLUMNS}, problem_id, similarity FROM problem_items {where} ORDER BY item_id",
            parameters,
        )
        return [(_item_from_row(row[:-2]), ItemPlacement(row[-2], row[-1])) for row in rows]

    def central_members(
        self, session: SqlSession, per_problem: int
    ) -> dict[str, list[tuple[ProblemItem, float]]]:
        """Each problem's ``per_problem`` members most similar to its centre, the closest first (ties by item id)."""
        rows = session.rows(
            f"SELECT {_ITEM_COLUMNS}, problem_id, similarity FROM ("
            f"  SELECT *, ROW_NUMBER() OVER ("
            "    PARTITION BY problem_id ORDER BY similarity DESC, item_id) AS closeness"
            "  FROM problem_items WHERE problem_id IS NOT NULL"
            ") AS ranked WHERE closeness <= ? ORDER BY problem_id, closeness",
            (per_problem,),
        )
        members: dict[str, list[tuple[ProblemItem, float]]] = {}
        for row in rows:
            members.setdefault(row[-2], []).append((_item_from_row(row[:-2]), row[-1] or 0.0))
        return members

    def keyword_counts(self, session: SqlSession) -> dict[str, Counter[str]]:
        counts: dict[str, Counter[str]] = {}
        for problem_id, lemma, count in session.rows(
            "SELECT problem_id, lemma, count FROM problem_keyword_counts ORDER BY problem_id, lemma"
        ):
            counts.setdefault(problem_id, Counter())[lemma] = count
        return counts

    def monthly_totals(self, session: SqlSession, item_filter: ItemFilter) -> Counter[str]:
        """Received items per month (``YYYY-MM``), assigned or not, that pass ``item_filter``."""
        if not self.exist(session):
            return Counter()
        conditions, parameters = _filter_conditions(item_filter)
        conditions.append("date IS NOT NULL")
        rows = session.rows(
            f"SELECT substr(date, 1, 7), count(*) FROM problem_items WHERE {' AND '.join(conditions)} "
            "GROUP BY substr(date, 1, 7)",
            parameters,
        )
        return Counter({month: int(count) for month, count in rows})

    def batch_count(self, session: SqlSession) -> int:
        return int(session.rows("SELECT count(*) FROM problem_batches")[0][0])

    def counts(self, session: SqlSession) -> dict[str, int]:
        """Numbers of problems, statements received (and of them placed in a problem) and batches."""
        if not self.exist(session):
            return {"problems": 0, "items": 0, "placed_items": 0, "batches": 0}
        row = session.rows(
            "SELECT (SELECT count(*) FROM problems), (SELECT count(*) FROM problem_items), "
            "(SELECT count(*) FROM problem_items WHERE problem_id IS NOT NULL), "
            "(SELECT count(*) FROM problem_batches)"
        )[0]
        return dict(zip(("problems", "items", "placed_items", "batches"), map(int, row), strict=True))

    # ------------------------------------------------------------ writing

    def _save_settings(self, session: SqlSession, settings: Mapping[str, str]) -> None:
        session.run_many(
            "INSERT INTO problem_settings(name, value) VALUES (?, ?) "
            "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
            sorted(settings.items()),
        )

    def _save_problems(self, session: SqlSession, problems: Iterable[StoredProblem]) -> None:
        """Insert new problems or update existing ones (label, keywords, size and vector sum; never the id)."""
        session.run_many(
            "INSERT INTO problems(id, label, keywords, size, vector_sum, batch_id) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET label = excluded.label, keywords = excluded.keywords, "
            "size = excluded.size, vector_sum = excluded.vector_sum",
            [
                (
                    problem.id,
                    problem.label,
                    json.dumps(problem.keywords, ensure_ascii=False),
                    problem.size,
                    np.asarray(problem.vector_sum, dtype=np.float64).tobytes(),
                    problem.batch_id,
                )
                for problem in problems
            ],
        )

    def _save_items(
        self,
        session: SqlSession,
        items: Iterable[tuple[ProblemItem, ItemPlacement, np.ndarray | None]],
        batch_id: str,
    ) -> None:
        """Record received items with their placement; the embedding only for those left unassigned."""
        session.run_many(
            f"INSERT INTO problem_items({_ITEM_COLUMNS}, problem_id, similarity, embedding, batch_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    *_item_values(item),
                    placement.problem_id,
                    placement.similarity,
                    None
                    if placement.problem_id is not None or embedding is None
                    else _vector_bytes(embedding),
                    batch_id,
                )
                for item, placement, embedding in items
            ],
        )

    def _place_waiting_items(self, session: SqlSession, placements: Mapping[str, ItemPlacement]) -> None:
        """Move items that were waiting unassigned into the problems they now form; their embeddings go."""
        session.run_many(
            "UPDATE problem_items SET problem_id = ?, similarity = ?, embedding = NULL WHERE item_id = ?",
            [
                (placement.problem_id, placement.similarity, item_id)
                for item_id, placement in placements.items()
            ],
        )

    def _add_keyword_counts(self, session: SqlSession, problem_id: str, counts: Counter[str]) -> None:
        session.run_many(
            "INSERT INTO problem_keyword_counts(problem_id, lemma, count) VALUES (?, ?, ?) "
            "ON CONFLICT(problem_id, lemma) DO UPDATE SET count = problem_keyword_counts.count + excluded.count",
            [(problem_id, lemma, count) for lemma, count in sorted(counts.items())],
        )

    def _save_batch_record(self, session: SqlSession, record: BatchRecord) -> None:
        session.run(
            "INSERT INTO problem_batches(id, received_at, item_count, already_seen, assigned_to_known, "
            "new_problems) VALUES (?, ?, ?, ?, ?, ?)",
            (
                record.id,
                record.received_at,
                record.item_count,
                record.already_seen,
                record.assigned_to_known,
                record.new_problems,
            ),
        )


def _filter_conditions(item_filter: ItemFilter) -> tuple[list[str], list[Any]]:
    conditions: list[str] = []
    parameters: list[Any] = []
    if item_filter.kind is not None:
        conditions.append("kind = ?")
        parameters.append(item_filter.kind)
    if item_filter.region is not None:
        conditions.append("region = ?")
        parameters.append(item_filter.region)
    if item_filter.since is not None:
        conditions.append("substr(date, 1, 10) >= ?")
        parameters.append(item_filter.since[:10])
    if item_filter.until is not None:
        conditions.append("substr(date, 1, 10) <= ?")
        parameters.append(item_filter.until[:10])
    return conditions, parameters


def _item_values(item: ProblemItem) -> tuple[object, ...]:
    return (
        item.id,
        item.text,
        item.date,
        item.region,
        item.kind,
        item.doc_id,
        item.chunk_id,
        item.start,
        item.end,
    )


def _item_from_row(row: tuple[Any, ...]) -> ProblemItem:
    item_id, text, date, region, kind, doc_id, chunk_id, start, end = row
    return ProblemItem(item_id, text, date, region, kind, doc_id, chunk_id, start, end)


def _vector_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float32).tobytes()
