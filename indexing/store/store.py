"""The store: the one interface over documents, chunks, lemmas, vectors and problems, whatever holds them.

A ``Store`` composes the parts of one backend (``indexing.store.parts``): its database, the rows of documents and
chunks, the lexical index, the vector index and the problem tables. ``open_store`` (``indexing.store.factory``)
chooses the backend from the store's address: a folder (SQLite + FTS5 + FAISS) or ``postgresql://…``
(PostgreSQL + pgvector). Every write is one transaction of the database, so a crash or an error leaves the store
as it was before the write.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from indexing.errors import StoreError
from indexing.store.document_rows import DocumentRows, SourceRecord
from indexing.store.key_table import KeyTable
from indexing.store.parts import LexicalIndex, Ranking, StoreDatabase, VectorIndex
from indexing.store.problem_item import ProblemItem, StoredProblem
from indexing.store.problem_tables import ProblemTables
from indexing.store.problem_types import BatchWrite, ItemFilter, ItemPlacement, ProblemSnapshot
from indexing.store.records import (
    ChunkChanges,
    ChunkFilter,
    NewDocument,
    SourceState,
    StoredChunk,
    StoredDocument,
)
from indexing.store.sql_session import SqlSession
from indexing.store.store_meta import meta_value, refuse_other_model


class Store:
    """Documents, chunks, lemmas, vectors and problems of one store, behind one interface.

    Open one with ``open_store``: with the name and dimension of the embedder in use, a store built with another
    model is refused; without them, an existing store opens whatever its model (``check``, ``delete``, reading).
    """

    def __init__(
        self,
        database: StoreDatabase,
        rows: DocumentRows,
        lexical: LexicalIndex,
        vectors: VectorIndex,
        problems: ProblemTables,
    ) -> None:
        self.database = database
        self.rows = rows
        self.lexical = lexical
        self.vectors_index = vectors
        self.problems = problems
        self.keys = KeyTable()

    # ----------------------------------------------------------------- what it is

    @property
    def address(self) -> str:
        """The folder or the database address (without its password)."""
        return self.database.address

    @property
    def model(self) -> str:
        return self.database.model

    @property
    def dimension(self) -> int:
        return self.database.dimension

    @property
    def index_type(self) -> str:
        return self.vectors_index.index_type

    @property
    def backends(self) -> list[str]:
        """The encoder backends whose vectors the store holds (all interchangeable with float32's)."""
        with self.database.session() as session:
            return sorted(json.loads(meta_value(session, "backends") or "[]"))

    def ensure_model(self, model: str, dimension: int) -> None:
        """Refuse, with a clear message, an embedder other than the one the store was built with."""
        refuse_other_model(self.address, self.model, self.dimension, model, dimension)

    def close(self) -> None:
        self.database.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ----------------------------------------------------------------- writing

    @contextmanager
    def write(self, persist_indexes: bool = True) -> Iterator[StoreWriter]:
        """One atomic write: everything done through the writer is committed together, or not at all.

        ``persist_indexes=False`` leaves the files that indexes keep beside the database to a later write or
        ``save_indexes()``; the store stays consistent meanwhile because such a file is brought up to date when
        behind.
        """
        changes = ChunkChanges()

        def committed() -> None:
            self.vectors_index.committed(changes, persist_indexes)
            self.lexical.committed(persist_indexes)

        with self.database.transaction(committed) as session:
            yield StoreWriter(session, self, changes)

    def save_indexes(self) -> None:
        """Bring what the indexes keep outside the database (``vectors.faiss``, ``lemmas.bm25``) up to date."""
        self.vectors_index.save()
        self.lexical.save()

    @contextmanager
    def read(self) -> Iterator[StoreReading]:
        """One consistent read of what is committed, as of its start, holding no lock: writes and searches go on
        meanwhile. For long reads that must agree with themselves (a batch of problems is computed from one)."""
        with self.database.snapshot() as session:
            yield StoreReading(session, self.problems)

    def snapshot(self, target: Path) -> None:
        """Copy the store into the new folder ``target``, consistent even while others write to it."""
        self.save_indexes()
        self.database.copy_to(target)

    # ----------------------------------------------------------------- reading

    def counts(self) -> dict[str, int]:
        """Numbers of sources, documents and chunks."""
        with self.database.session() as session:
            return self.rows.counts(session)

    def kind_counts(self) -> dict[str, int]:
        with self.database.session() as session:
            return self.rows.kind_counts(session)

    def source_state(self, path: str) -> SourceState | None:
        """What the store holds of a source file (by resolved path), or None if it was never indexed."""
        with self.database.session() as session:
            return self.rows.source_state(session, path)

    def document(self, doc_id: int) -> StoredDocument | None:
        with self.database.session() as session:
            return self.rows.document(session, doc_id)

    def documents(self, limit: int = 100, offset: int = 0) -> list[dict[str, object]]:
        """Short descriptions of documents, newest first."""
        with self.database.session() as session:
            return self.rows.documents(session, limit, offset)

    def chunks(self, chunk_ids: Sequence[int]) -> list[StoredChunk]:
        """The chunks with these ids, in the order given; ids that no longer exist are left out."""
        with self.database.session() as session:
            found = self.rows.chunks(session, chunk_ids)
        return [found[chunk_id] for chunk_id in chunk_ids if chunk_id in found]

    def iter_chunks(
        self, chunk_filter: ChunkFilter | None = None, batch_size: int = 2000
    ) -> Iterator[StoredChunk]:
        """Every chunk that passes the filter, in id order, fetched in batches to keep memory bounded."""
        chunk_filter = chunk_filter or ChunkFilter()
        last_id = 0
        while True:
            with self.database.session() as session:
                batch = self.rows.chunks_after(session, last_id, chunk_filter, batch_size)
            if not batch:
                return
            yield from batch
            last_id = batch[-1].id

    def vectors(self, chunk_ids: Sequence[int] | np.ndarray) -> np.ndarray:
        """The stored vectors of these chunks, in the order given."""
        with self.database.session() as session:
            return self.rows.vectors(session, chunk_ids)

    def dense_search(
        self, query_vector: np.ndarray, k: int, chunk_filter: ChunkFilter | None = None
    ) -> Ranking:
        """Chunk ids and cosine similarities of the ``k`` nearest chunks that pass the filter."""
        if k <= 0:
            return []
        return self.vectors_index.search(query_vector, k, chunk_filter or ChunkFilter())

    def lexical_search(
        self, lemmas: Sequence[str], k: int, chunk_filter: ChunkFilter | None = None
    ) -> Ranking:
        """BM25-like scores over chunk lemmas (any of the lemmas may match); higher scores are better."""
        terms = sorted({lemma for lemma in lemmas if lemma.strip()})
        if not terms or k <= 0:
            return []
        return self.lexical.search(terms, k, chunk_filter or ChunkFilter())

    def lexical_count(self, lemmas: Sequence[str], cap: int, chunk_filter: ChunkFilter | None = None) -> int:
        """How many chunks that pass the filter hold any of the lemmas, counted up to ``cap`` (no ranking)."""
        terms = sorted({lemma for lemma in lemmas if lemma.strip()})
        if not terms or cap <= 0:
            return 0
        return self.lexical.count(terms, cap, chunk_filter or ChunkFilter())

    def api_keys(self) -> list[dict[str, str]] | None:
        """The records (id, name, role, created, sha256) of the API keys kept in the store; None when none was
        ever made here. A database store keeps its servers' keys; a folder's are in its keys file."""
        with self.database.session() as session:
            return self.keys.records(session)

    # ----------------------------------------------------------------- checking

    def check(self) -> list[str]:
        """Integrity findings; an empty list means the store is sound.

        Indexes left behind by a crash are first brought up to date (that is recovery, not damage).
        """
        findings = self.database.check()
        try:
            self.lexical.save()
        except StoreError as error:  # busy: another process is writing; its commit saves the postings
            findings.append(str(error))
        with self.database.session() as session:
            misplaced = self.rows.misplaced_chunks(session)
            if misplaced:
                findings.append(f"{misplaced} chunks do not match their document's text at their offsets")
            findings.extend(self.lexical.check(session))
        findings.extend(self.vectors_index.check())
        return findings


class StoreWriter:
    """What may be done inside one ``Store.write()``: add a source's documents, delete documents, save problems."""

    def __init__(self, session: SqlSession, store: Store, changes: ChunkChanges) -> None:
        self._session = session
        self._store = store
        self.changes = changes

    def add_documents(
        self,
        path: str,
        source: str,
        sha256: str,
        size: int,
        documents: Sequence[NewDocument],
        complete: bool = True,
    ) -> list[int]:
        """Add documents of a source file; a file whose content changed loses what its old version left.

        A large file may come in several writes: all but the last say ``complete=False``, so that an
        interrupted run can resume with the records still missing.
        """
        record = SourceRecord(path, source, sha256, size, complete)
        return self._store.rows.add_documents(
            self._session, self._store.lexical, self.changes, record, documents
        )

    def delete_document(self, doc_id: int) -> bool:
        """Remove a document and its chunks; False if there was no such document."""
        return self._store.rows.delete_document(self._session, self._store.lexical, self.changes, doc_id)

    def record_backend(self, backend: str) -> None:
        """Note that this write's vectors come from ``backend`` (shown in the manifest and by ``stats``)."""
        backends = sorted({*json.loads(meta_value(self._session, "backends") or "[]"), backend})
        self._session.run(
            "INSERT INTO meta(key, value) VALUES ('backends', ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (json.dumps(backends),),
        )

    def add_api_key(self, record: Mapping[str, str]) -> None:
        """Keep an API key's record (id, name, role, created, sha256) in the store."""
        self._store.keys.add(self._session, record)

    def remove_api_key(self, key_id: str) -> dict[str, str] | None:
        """Remove an API key kept in the store; its record, or None when there is no such key."""
        return self._store.keys.remove(self._session, key_id)

    def save_problem_batch(self, batch: BatchWrite) -> None:
        """Save a computed batch of problems if the problems are still as it read them, else
        ``ProblemSetChangedError`` (the write then saves nothing)."""
        self._store.problems.save_batch(self._session, batch)


class StoreReading:
    """One consistent read of the store (``Store.read()``): what problems are computed from and listed by."""

    def __init__(self, session: SqlSession, problems: ProblemTables) -> None:
        self._session = session
        self._problems = problems

    def problem_snapshot(self, item_ids: Sequence[str]) -> ProblemSnapshot:
        """What a batch of ``item_ids`` is computed from."""
        return self._problems.snapshot(self._session, item_ids)

    def problems(self) -> list[StoredProblem]:
        """Every saved problem, in id order."""
        return self._problems.problems(self._session)

    def problem_members(
        self, item_filter: ItemFilter, problem_id: str | None = None
    ) -> list[tuple[ProblemItem, ItemPlacement]]:
        """Received statements that pass the filter (all, or those of one problem), in id order."""
        return self._problems.members(self._session, item_filter, problem_id)

    def monthly_totals(self, item_filter: ItemFilter) -> Counter[str]:
        """Received statements per month (``YYYY-MM``) that pass the filter, in a problem or not."""
        return self._problems.monthly_totals(self._session, item_filter)

    def problem_counts(self) -> dict[str, int]:
        """Numbers of problems, statements received, statements placed in a problem, and batches."""
        return self._problems.counts(self._session)
