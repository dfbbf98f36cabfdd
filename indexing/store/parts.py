"""The parts a store is made of, each behind a small protocol; a backend supplies one of each.

- ``StoreDatabase``: where rows live, and the transactions over them (sessions for reads, one consistent read
  snapshot, the one writer at a time with its lock and busy timeout), the model the store was built with, and the
  database's own integrity check.
- ``LexicalIndex``: full-text search over the chunks' pymorphy3 lemma keys (no engine here knows Ukrainian
  morphology, so the lemmas are the terms in every backend), written in the same transaction as the rows and
  told of each committed write.
- ``VectorIndex``: nearest chunks by cosine, told of each committed write.

The rows themselves (``DocumentRows``) and the problem tables (``ProblemTables``) are one implementation over
any database's ``SqlSession``. ``Store`` composes them into the one interface the service uses.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Protocol

import numpy as np

from indexing.store.document_rows import LemmaWriter, VectorColumn
from indexing.store.records import ChunkChanges, ChunkFilter
from indexing.store.sql_session import SqlSession

Ranking = list[tuple[int, float]]
"""Chunk ids with their scores, best first."""


class StoreDatabase(Protocol):
    """The database of one store: its rows' transactions and what it was built with."""

    address: str
    """Where the store is, as messages may show it (a database address without its password)."""
    model: str
    dimension: int
    vector_column: VectorColumn
    blob_type: str
    """The database's column type for bytes."""
    real_type: str
    """The database's column type for double-precision numbers."""

    def session(self) -> AbstractContextManager[SqlSession]:
        """Statements on committed data, for short reads."""
        ...

    def snapshot(self) -> AbstractContextManager[SqlSession]:
        """One read transaction: what was committed when it began, however long it lasts; takes no write lock."""
        ...

    def transaction(self, after_commit: Callable[[], None]) -> AbstractContextManager[SqlSession]:
        """The one write at a time: waits for another writer up to the busy timeout, then ``StoreBusyError``;
        commits when the block ends, rolls back everything on an exception; ``after_commit`` runs once the
        commit is durable, still as the only writer."""
        ...

    def check(self) -> list[str]:
        """The database's own integrity findings (not the rows')."""
        ...

    def copy_to(self, target: Path) -> None:
        """A consistent copy of the store in the new folder ``target``, even while others write."""
        ...

    def close(self) -> None: ...


class LexicalIndex(LemmaWriter, Protocol):
    """Full-text search over lemma keys: any of the query's lemmas may match, higher scores are better."""

    def search(self, lemmas: Sequence[str], k: int, chunk_filter: ChunkFilter) -> Ranking: ...

    def count(self, lemmas: Sequence[str], cap: int, chunk_filter: ChunkFilter) -> int:
        """How many chunks that pass the filter hold any of the lemmas, counted up to ``cap``."""
        ...

    def check(self, session: SqlSession) -> list[str]:
        """Findings where the index and the chunks disagree."""
        ...

    def committed(self, persist: bool) -> None:
        """Learn that a write was committed; ``persist``: also bring any file kept beside the rows up to date."""
        ...

    def save(self) -> None:
        """Bring whatever the index keeps outside the database up to date with it."""
        ...


class VectorIndex(Protocol):
    """Nearest chunks by cosine similarity of their normalised vectors."""

    @property
    def index_type(self) -> str:
        """What kind of index answers (``flat``, ``ivf<lists>``, ``hnsw``), for ``stats``."""
        ...

    def search(self, vector: np.ndarray, k: int, chunk_filter: ChunkFilter) -> Ranking:
        """The ``k`` nearest chunks that pass the filter; a filter never leaves the list silently short."""
        ...

    def committed(self, changes: ChunkChanges, persist: bool) -> None:
        """Learn a committed write's chunks; ``persist``: also bring any file kept beside the rows up to date."""
        ...

    def save(self) -> None:
        """Bring whatever the index keeps outside the database up to date with it."""
        ...

    def check(self) -> list[str]:
        """Findings where the index and the chunks disagree."""
        ...
