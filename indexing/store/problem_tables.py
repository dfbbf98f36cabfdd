"""SQLite tables of recurring problems: the problems, every statement received, keyword counts and settings.

Every function takes a ``sqlite3.Connection`` and never commits: the caller's transaction decides, so a batch
that fails half-way leaves nothing behind.

- ``problems``: one row per problem; ``vector_sum`` is the float64 sum of its members' unit vectors (the centre
  is its direction, and adding a member is adding its vector).
- ``problem_items``: every statement ever received, under its item id, whether it joined a problem or not; this
  is what makes re-sending a batch count nothing twice. ``embedding`` is kept only while the item is unassigned,
  so that it can form a new problem with later items.
- ``problem_keyword_counts``: keyword lemma counts per problem, from which labels are recomputed as problems grow.
- ``problem_settings``: the calibrated assignment threshold and the clustering parameters of the problem set.
- ``problem_batches``: one row per batch received, for the record.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from indexing.store.problem_item import ProblemItem, StoredProblem

_SCHEMA = """
CREATE TABLE IF NOT EXISTS problem_settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS problems (
    id TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    keywords TEXT NOT NULL,
    size INTEGER NOT NULL,
    vector_sum BLOB NOT NULL,
    batch_id TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS problem_items (
    item_id TEXT PRIMARY KEY,
    problem_id TEXT REFERENCES problems(id) DEFERRABLE INITIALLY DEFERRED,  -- items are saved before new problems
    similarity REAL,
    text TEXT NOT NULL,
    date TEXT,
    region TEXT,
    kind TEXT,
    doc_id INTEGER,
    chunk_id INTEGER,
    start INTEGER,
    "end" INTEGER,
    embedding BLOB,
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

_ITEM_COLUMNS = 'item_id, text, date, region, kind, doc_id, chunk_id, start, "end"'


@dataclass(frozen=True)
class ItemPlacement:
    """Where a received item went: its problem (None when unassigned) and its similarity to that centre."""

    problem_id: str | None
    similarity: float | None


@dataclass(frozen=True)
class ItemFilter:
    """Which statements to count: by kind, region, and a period of days (inclusive, ``YYYY-MM-DD``)."""

    kind: str | None = None
    region: str | None = None
    since: str | None = None
    until: str | None = None


@dataclass(frozen=True)
class BatchRecord:
    """The summary row of one received batch."""

    id: str
    received_at: str
    item_count: int
    already_seen: int
    assigned_to_known: int
    new_problems: int


def create_problem_schema(connection: sqlite3.Connection) -> None:
    """Create the problem tables when they are missing (idempotent)."""
    for statement in _SCHEMA.split(";"):
        if statement.strip():
            connection.execute(statement)


def load_settings(connection: sqlite3.Connection) -> dict[str, str]:
    return dict(connection.execute("SELECT name, value FROM problem_settings").fetchall())


def save_settings(connection: sqlite3.Connection, settings: Mapping[str, str]) -> None:
    connection.executemany(
        "INSERT INTO problem_settings(name, value) VALUES (?, ?) "
        "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
        sorted(settings.items()),
    )


def load_problems(connection: sqlite3.Connection) -> list[StoredProblem]:
    """All problems, in id order."""
    rows = connection.execute(
        "SELECT id, label, keywords, size, vector_sum, batch_id FROM problems ORDER BY id"
    ).fetchall()
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


def save_problems(connection: sqlite3.Connection, problems: Iterable[StoredProblem]) -> None:
    """Insert new problems or update existing ones (label, keywords, size and vector sum; never the id)."""
    connection.executemany(
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


def load_placements(connection: sqlite3.Connection, item_ids: Iterable[str]) -> dict[str, ItemPlacement]:
    """Where the items among ``item_ids`` that were received before went."""
    placements: dict[str, ItemPlacement] = {}
    ids = list(item_ids)
    # SQLite limits the number of bound parameters; ask in slices.
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        rows = connection.execute(
            f"SELECT item_id, problem_id, similarity FROM problem_items "
            f"WHERE item_id IN ({','.join('?' * len(part))})",
            part,
        )
        for item_id, problem_id, similarity in rows:
            placements[item_id] = ItemPlacement(problem_id, similarity)
    return placements


def save_items(
    connection: sqlite3.Connection,
    items: Iterable[tuple[ProblemItem, ItemPlacement, np.ndarray | None]],
    batch_id: str,
) -> None:
    """Record received items with their placement; the embedding only for those left unassigned."""
    connection.executemany(
        f"INSERT INTO problem_items({_ITEM_COLUMNS}, problem_id, similarity, embedding, batch_id) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                *_item_values(item),
                placement.problem_id,
                placement.similarity,
                None if placement.problem_id is not None or embedding is None else _vector_blob(embedding),
                batch_id,
            )
            for item, placement, embedding in items
        ],
    )


def place_waiting_items(connection: sqlite3.Connection, placements: Mapping[str, ItemPlacement]) -> None:
    """Move items that were waiting unassigned into the problems they now form; their embeddings go."""
    connection.executemany(
        "UPDATE problem_items SET problem_id = ?, similarity = ?, embedding = NULL WHERE item_id = ?",
        [(placement.problem_id, placement.similarity, item_id) for item_id, placement in placements.items()],
    )


def load_waiting_items(connection: sqlite3.Connection) -> tuple[list[ProblemItem], np.ndarray | None]:
    """Items received earlier that fit no problem, with their embeddings (None when there are none)."""
    rows = connection.execute(
        f"SELECT {_ITEM_COLUMNS}, embedding FROM problem_items "
        "WHERE problem_id IS NULL AND embedding IS NOT NULL ORDER BY item_id"
    ).fetchall()
    if not rows:
        return [], None
    items = [_item_from_row(row[:-1]) for row in rows]
    return items, np.stack([np.frombuffer(row[-1], dtype=np.float32) for row in rows])


def load_members(
    connection: sqlite3.Connection, item_filter: ItemFilter, problem_id: str | None = None
) -> list[tuple[ProblemItem, ItemPlacement]]:
    """Received items that pass ``item_filter`` (all of them, or only those of ``problem_id``), in id order."""
    conditions, parameters = _filter_conditions(item_filter)
    if problem_id is not None:
        conditions.append("problem_id = ?")
        parameters.append(problem_id)
    where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
    rows = connection.execute(
        f"SELECT {_ITEM_COLUMNS}, problem_id, similarity FROM problem_items {where} ORDER BY item_id",
        parameters,
    ).fetchall()
    return [(_item_from_row(row[:-2]), ItemPlacement(row[-2], row[-1])) for row in rows]


def load_central_members(
    connection: sqlite3.Connection, per_problem: int
) -> dict[str, list[tuple[ProblemItem, float]]]:
    """Each problem's ``per_problem`` members most similar to its centre, the closest first (ties by item id)."""
    rows = connection.execute(
        f"SELECT {_ITEM_COLUMNS}, problem_id, similarity FROM ("
        f"  SELECT *, ROW_NUMBER() OVER ("
        "    PARTITION BY problem_id ORDER BY similarity DESC, item_id) AS closeness"
        "  FROM problem_items WHERE problem_id IS NOT NULL"
        ") WHERE closeness <= ? ORDER BY problem_id, closeness",
        (per_problem,),
    ).fetchall()
    members: dict[str, list[tuple[ProblemItem, float]]] = {}
    for row in rows:
        members.setdefault(row[-2], []).append((_item_from_row(row[:-2]), row[-1] or 0.0))
    return members


def load_keyword_counts(connection: sqlite3.Connection) -> dict[str, Counter[str]]:
    counts: dict[str, Counter[str]] = {}
    for problem_id, lemma, count in connection.execute(
        "SELECT problem_id, lemma, count FROM problem_keyword_counts ORDER BY problem_id, lemma"
    ):
        counts.setdefault(problem_id, Counter())[lemma] = count
    return counts


def add_keyword_counts(connection: sqlite3.Connection, problem_id: str, counts: Counter[str]) -> None:
    connection.executemany(
        "INSERT INTO problem_keyword_counts(problem_id, lemma, count) VALUES (?, ?, ?) "
        "ON CONFLICT(problem_id, lemma) DO UPDATE SET count = count + excluded.count",
        [(problem_id, lemma, count) for lemma, count in sorted(counts.items())],
    )


def save_batch_record(connection: sqlite3.Connection, record: BatchRecord) -> None:
    connection.execute(
        "INSERT INTO problem_batches(id, received_at, item_count, already_seen, assigned_to_known, new_problems) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (
            record.id,
            record.received_at,
            record.item_count,
            record.already_seen,
            record.assigned_to_known,
            record.new_problems,
        ),
    )


def _filter_conditions(item_filter: ItemFilter) -> tuple[list[str], list[str]]:
    conditions: list[str] = []
    parameters: list[str] = []
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


def _item_from_row(row: tuple) -> ProblemItem:
    item_id, text, date, region, kind, doc_id, chunk_id, start, end = row
    return ProblemItem(item_id, text, date, region, kind, doc_id, chunk_id, start, end)


def _vector_blob(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float32).tobytes()


def load_monthly_totals(connection: sqlite3.Connection, item_filter: ItemFilter) -> Counter[str]:
    """Received items per month (``YYYY-MM``), assigned or not, that pass ``item_filter``."""
    conditions, parameters = _filter_conditions(item_filter)
    conditions.append("date IS NOT NULL")
    rows = connection.execute(
        f"SELECT substr(date, 1, 7), count(*) FROM problem_items WHERE {' AND '.join(conditions)} "
        "GROUP BY substr(date, 1, 7)",
        parameters,
    )
    return Counter(dict(rows.fetchall()))


def count_batches(connection: sqlite3.Connection) -> int:
    return connection.execute("SELECT count(*) FROM problem_batches").fetchone()[0]
