"""Vector search in a store folder: a FAISS index in memory and in ``vectors.faiss``, kept in step with SQLite.

The vectors' truth is ``chunks.vector`` in SQLite. ``vectors.faiss`` and ``manifest.json`` record the write
generation they reflect; an index that is behind (a process died after committing and before saving it, or another
process wrote since) is brought up to date from SQLite before it answers.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import numpy as np

from indexing.errors import StoreError
from indexing.store.document_rows import DocumentRows
from indexing.store.parts import Ranking
from indexing.store.records import ChunkChanges, ChunkFilter
from indexing.store.sqlite.database import SqliteDatabase
from indexing.store.sqlite.faiss_index import FaissIndex, choose_index_type
from indexing.store.sqlite.manifest import FORMAT_VERSION, Manifest
from indexing.store.store_meta import meta_value

log = logging.getLogger(__name__)

VECTORS_NAME = "vectors.faiss"
MANIFEST_NAME = "manifest.json"
_BATCH = 10_000
TRAINING_PER_LIST = 64
"""IVF lists are trained on this many vectors per list (FAISS wants at least 39). With 12.5 a list (50k for a
million's 4,000 lists) the lists of near-duplicate texts came out crowded: on a million jittered law vectors the
probes scanned twice as much, p50 63 ms against 32 ms, for Recall@10 0.992 against 0.985."""


class FaissVectors:
    """The FAISS view of a folder's chunk vectors: exact for small stores, IVF beyond (``choose_index_type``)."""

    def __init__(self, database: SqliteDatabase, rows: DocumentRows, search_threads: int = 1) -> None:
        self._database = database
        self._rows = rows
        self._folder = database.folder
        self.search_threads = search_threads
        self._index, self._generation = self._load()

    @property
    def index_type(self) -> str:
        return self._index.index_type

    def _load(self) -> tuple[FaissIndex, int]:
        manifest = Manifest.read(self._folder / MANIFEST_NAME)
        path = self._folder / VECTORS_NAME
        if manifest is not None and path.exists():
            if _outgrown(manifest.index_type, manifest.chunks):
                # Saved as another type than the store's size now wants (or by an older hromada): rebuilt.
                return FaissIndex(self._database.dimension), -1
            try:
                return FaissIndex.load(
                    path, self._database.dimension, manifest.index_type
                ), manifest.generation
            except (RuntimeError, ValueError) as error:
                log.warning("%s is damaged (%s); rebuilding it from the database", path, error)
        return FaissIndex(self._database.dimension), -1

    def search(self, vector: np.ndarray, k: int, chunk_filter: ChunkFilter) -> Ranking:
        with self._database.session() as session:
            self._sync()
            allowed = None if chunk_filter.is_empty() else self._rows.chunk_ids(session, chunk_filter)
            return self._index.search(
                vector, k, allowed, self.search_threads, exact=lambda ids: self._rows.vectors(session, ids)
            )

    def committed(self, changes: ChunkChanges, persist: bool) -> None:
        """Apply a committed write (called by the writer, still holding the write lock)."""
        generation = self._database.generation()
        if self._generation == generation - 1:
            self._index.remove(np.asarray(changes.removed_ids, dtype=np.int64))
            if changes.added_ids:
                self._index.add(
                    np.asarray(changes.added_ids, dtype=np.int64), np.vstack(changes.added_vectors)
                )
            self._generation = generation
        self._sync()
        if persist:
            self._persist()

    def save(self) -> None:
        """Bring ``vectors.faiss`` and ``manifest.json`` up to date with the database."""
        with self._database.write_lock(), self._database.session():
            self._sync()
            self._persist()

    def _persist(self) -> None:
        with self._database.session() as session:
            counts = self._rows.counts(session)
            backends = sorted(json.loads(meta_value(session, "backends") or "[]"))
        manifest = Manifest(
            format_version=FORMAT_VERSION,
            model=self._database.model,
            dimension=self._database.dimension,
            index_type=self._index.index_type,
            generation=self._generation,
            documents=counts["documents"],
            chunks=counts["chunks"],
            backends=backends,
        )
        self._index.save(self._folder / VECTORS_NAME)
        manifest.write(self._folder / MANIFEST_NAME)

    def _sync(self) -> None:
        """Make the in-memory index reflect the committed database, after another process wrote to it, and
        rebuild it when the store has outgrown its type (this process's own writes too)."""
        with self._database.session() as session:
            generation = self._database.generation()
            if generation == self._generation and not _outgrown(self._index.index_type, len(self._index)):
                return
            chunk_ids = self._rows.chunk_ids(session)
            if _outgrown(self._index.index_type, len(chunk_ids)):
                self._index = self._rebuild(chunk_ids, choose_index_type(len(chunk_ids)))
            else:
                index_ids = self._index.ids()
                self._index.remove(np.setdiff1d(index_ids, chunk_ids, assume_unique=True))
                for batch in _batches(np.setdiff1d(chunk_ids, index_ids, assume_unique=True)):
                    self._index.add(batch, self._rows.vectors(session, batch))
            self._generation = generation

    def _rebuild(self, chunk_ids: np.ndarray, index_type: str) -> FaissIndex:
        with self._database.session() as session:
            training = None
            if index_type != "flat":
                lists = _lists(index_type)
                sample = np.random.default_rng(0).choice(
                    chunk_ids, min(len(chunk_ids), TRAINING_PER_LIST * lists), False
                )
                training = self._rows.vectors(session, np.sort(sample))
            index = FaissIndex(self._database.dimension, index_type, training)
            for batch in _batches(chunk_ids):
                index.add(batch, self._rows.vectors(session, batch))
        return index

    def check(self) -> list[str]:
        """A vector file left behind by a crash is first brought up to date (recovery, not damage)."""
        with self._database.session() as session:
            findings = []
            bad_vectors = session.rows(
                "SELECT count(*) FROM chunks WHERE length(vector) != ?", (4 * self._database.dimension,)
            )[0][0]
            if bad_vectors:
                findings.append(f"{bad_vectors} chunks have a vector of the wrong size")
            try:
                self.save()
            except StoreError as error:
                return [*findings, str(error)]
            return findings + self._check_vector_file()

    def _check_vector_file(self) -> list[str]:
        manifest = Manifest.read(self._folder / MANIFEST_NAME)
        if manifest is None:
            return ["manifest.json is missing"]
        findings: list[str] = []
        on_disk = FaissIndex.load(self._folder / VECTORS_NAME, self._database.dimension, manifest.index_type)
        with self._database.session() as session:
            chunk_ids = self._rows.chunk_ids(session)
            counts = self._rows.counts(session)
        if not np.array_equal(on_disk.ids(), chunk_ids):
            findings.append("the ids in vectors.faiss differ from the chunk ids in the database")
        if manifest.generation != self._database.generation():
            findings.append("manifest.json is not at the database's generation")
        if (manifest.documents, manifest.chunks) != (counts["documents"], counts["chunks"]):
            findings.append("the counts in manifest.json differ from the database")
        return findings


def _outgrown(index_type: str, count: int) -> bool:
    """Whether ``count`` vectors want another family of index, or an IVF index with twice the lists (four
    times the vectors it was trained for)."""
    wanted = choose_index_type(count)
    if _family(wanted) != _family(index_type):
        return True
    return wanted != "flat" and _lists(wanted) >= 2 * _lists(index_type)


def _lists(index_type: str) -> int:
    return int(index_type.removeprefix(_family(index_type)))


def _family(index_type: str) -> str:
    """``flat`` or ``ivfsq`` (``ivf`` in a store saved before), whatever the number of lists."""
    return index_type.rstrip("0123456789")


def _batches(ids: np.ndarray) -> Iterator[np.ndarray]:
    for start in range(0, len(ids), _BATCH):
        yield ids[start : start + _BATCH]
