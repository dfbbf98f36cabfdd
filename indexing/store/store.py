"""The store: one folder with ``hromada.sqlite`` (the truth), ``vectors.faiss`` (a fast view) and ``manifest.json``.

Every write is one SQLite transaction, so a crash or an error leaves the store as it was before the write.
Vectors live in SQLite too; ``vectors.faiss`` records the write generation it reflects, and an index that is
behind (a process died after committing and before saving it) is brought up to date from SQLite on open.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from indexing.errors import IncompatibleStoreError, StoreError
from indexing.places import Gazetteer
from indexing.store.manifest import FORMAT_VERSION, Manifest
from indexing.store.place_upgrade import upgrade_places
from indexing.store.records import ChunkFilter, NewDocument, StoredChunk, StoredDocument
from indexing.store.schema import SCHEMA
from indexing.store.sql_filters import filter_condition
from indexing.store.vector_index import VectorIndex, choose_index_type
from indexing.store.write_lock import WriteLock

log = logging.getLogger(__name__)

DATABASE_NAME = "hromada.sqlite"
VECTORS_NAME = "vectors.faiss"
MANIFEST_NAME = "manifest.json"
LOCK_NAME = "write.lock"
_BATCH = 10_000
_IVF_TRAINING_SAMPLE = 50_000

_CHUNK_COLUMNS = (
    "c.id, c.doc_id, c.start, c.end, c.page, c.section, c.heading, c.speaker, c.timestamp, c.kind, c.date, "
    "c.region, c.sector, c.text, d.title, s.source, d.language, d.record_id, d.metadata"
)
_CHUNKS_FROM = "chunks c JOIN documents d ON d.id = c.doc_id JOIN sources s ON s.id = d.source_id"


class Store:
    """Documents, chunks, lemmas and vectors of one store folder, behind one interface.

    Open it with the name and dimension of the embedder in use: a store built with another model is refused.
    ``model=None`` opens an existing store whatever its model (for ``check``, ``delete`` and reading documents).
    """

    def __init__(
        self,
        folder: Path | str,
        model: str | None = None,
        dimension: int | None = None,
        busy_timeout: float = 30.0,
        search_threads: int = 1,
    ) -> None:
        self.folder = folder = Path(folder)
        self.busy_timeout = busy_timeout
        self.search_threads = search_threads
        self._guard = threading.RLock()
        is_new = not (folder / DATABASE_NAME).exists()
        if is_new and (model is None or dimension is None):
            raise StoreError(f"{folder}: there is no store here yet (index some documents first)")
        folder.mkdir(parents=True, exist_ok=True)
        self._db = self._connect(folder / DATABASE_NAME)
        # A process killed while creating the store leaves a database without tables: that is no store yet.
        if is_new or not self._has_schema():
            if model is None or dimension is None:
                self._db.close()
                raise StoreError(f"{folder}: there is no store here yet (index some documents first)")
            self._create(model, dimension)
        self.model, self.dimension = self._check_compatible(model, dimension)
        self._upgrade()
        self._vectors, self._vector_generation = self._load_vectors()

    # ----------------------------------------------------------------- opening

    @staticmethod
    def exists(folder: Path) -> bool:
        """Whether ``folder`` holds a store."""
        return (folder / DATABASE_NAME).exists()

    def _connect(self, path: Path) -> sqlite3.Connection:
        try:
            db = sqlite3.connect(
                path, timeout=self.busy_timeout, check_same_thread=False, isolation_level=None
            )
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = FULL")
            db.execute("PRAGMA foreign_keys = ON")
        except sqlite3.DatabaseError as error:
            raise StoreError(f"{path}: not a usable hromada store ({error})") from error
        return db

    def _create(self, model: str | None, dimension: int | None) -> None:
        with self._transaction():
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    self._db.execute(statement)
            self._db.executemany(
                # IGNORE: a second process creating the same store at once must not reset the generation.
                "INSERT OR IGNORE INTO meta(key, value) VALUES (?, ?)",
                [
                    ("format_version", str(FORMAT_VERSION)),
                    ("model", str(model)),
                    ("dimension", str(dimension)),
                    ("generation", "0"),
                ],
            )

    def _has_schema(self) -> bool:
        try:
            row = self._db.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'"
            ).fetchone()
        except sqlite3.DatabaseError as error:
            raise StoreError(f"{self.folder}: not a usable hromada store ({error})") from error
        return row is not None

    def _meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def _check_compatible(self, model: str | None, dimension: int | None) -> tuple[str, int]:
        try:
            version = int(self._meta("format_version") or 0)
            stored_model, stored_dimension = self._meta("model"), int(self._meta("dimension") or 0)
        except sqlite3.DatabaseError as error:
            raise StoreError(f"{self.folder}: not a usable hromada store ({error})") from error
        if version > FORMAT_VERSION:
            raise IncompatibleStoreError(
                f"{self.folder}: the store has format {version}, newer than this hromada understands "
                f"({FORMAT_VERSION}); upgrade hromada"
            )
        if model is not None and (stored_model != model or stored_dimension != dimension):
            raise IncompatibleStoreError(
                f"{self.folder}: the store was built with the model {stored_model} ({stored_dimension} dimensions), "
                f"not {model} ({dimension}); use another --store or re-index into a new one"
            )
        return str(stored_model), stored_dimension

    def _upgrade(self) -> None:
        """Bring a store of an older format to this one (the version is read again under the write lock)."""
        if int(self._meta("format_version") or 0) >= FORMAT_VERSION:
            return
        with self._guard, WriteLock(self.folder / LOCK_NAME, self.busy_timeout), self._transaction():
            if int(self._meta("format_version") or 0) >= FORMAT_VERSION:
                return
            upgrade_places(self._db, Gazetteer.default())
            self._db.execute("UPDATE meta SET value = ? WHERE key = 'format_version'", (str(FORMAT_VERSION),))
            log.info("%s: upgraded to store format %d", self.folder, FORMAT_VERSION)

    @property
    def backends(self) -> list[str]:
        """The encoder backends whose vectors the store holds (all interchangeable with float32's)."""
        return sorted(json.loads(self._meta("backends") or "[]"))

    def ensure_model(self, model: str, dimension: int) -> None:
        """Refuse, with a clear message, an embedder other than the one the store was built with."""
        self._check_compatible(model, dimension)

    def _generation(self) -> int:
        return int(self._meta("generation") or 0)

    def _load_vectors(self) -> tuple[VectorIndex, int]:
        manifest = Manifest.read(self.folder / MANIFEST_NAME)
        path = self.folder / VECTORS_NAME
        if manifest is not None and path.exists():
            try:
                return VectorIndex.load(path, self.dimension, manifest.index_type), manifest.generation
            except (RuntimeError, ValueError) as error:
                log.warning("%s is damaged (%s); rebuilding it from the database", path, error)
        return VectorIndex(self.dimension), -1

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ----------------------------------------------------------------- writing

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    @contextmanager
    def write(self, persist_vectors: bool = True) -> Iterator[StoreWriter]:
        """One atomic write: everything done through the writer is committed together, or not at all.

        ``persist_vectors=False`` leaves ``vectors.faiss`` to a later write or ``save_vectors()``;
        the store stays consistent meanwhile because the index is rebuilt from SQLite when behind.
        """
        with self._guard, WriteLock(self.folder / LOCK_NAME, self.busy_timeout):
            self._sync_vectors()
            writer = StoreWriter(self._db)
            with self._transaction():
                yield writer
                generation = self._generation() + 1
                self._db.execute("UPDATE meta SET value = ? WHERE key = 'generation'", (str(generation),))
            self._vectors.remove(np.asarray(writer.removed_ids, dtype=np.int64))
            if writer.added_ids:
                self._vectors.add(
                    np.asarray(writer.added_ids, dtype=np.int64), np.vstack(writer.added_vectors)
                )
            self._vector_generation = generation
            self._sync_vectors()
            if persist_vectors:
                self._persist_vectors()

    def save_vectors(self) -> None:
        """Bring ``vectors.faiss`` and ``manifest.json`` up to date with the database."""
        with self._guard, WriteLock(self.folder / LOCK_NAME, self.busy_timeout):
            self._sync_vectors()
            self._persist_vectors()

    def _persist_vectors(self) -> None:
        manifest = Manifest(
            format_version=FORMAT_VERSION,
            model=self.model,
            dimension=self.dimension,
            index_type=self._vectors.index_type,
            generation=self._vector_generation,
            documents=self._count("documents"),
            chunks=self._count("chunks"),
            backends=self.backends,
        )
        self._vectors.save(self.folder / VECTORS_NAME)
        manifest.write(self.folder / MANIFEST_NAME)

    def _sync_vectors(self) -> None:
        """Make the in-memory index reflect the committed database, after another process wrote to it."""
        generation = self._generation()
        if generation == self._vector_generation:
            return
        chunk_ids = self._all_chunk_ids()
        wanted_type = choose_index_type(len(chunk_ids))
        if wanted_type.startswith("ivf") != (self._vectors.index_type != "flat") or (
            wanted_type != "flat" and len(chunk_ids) > 4 * len(self._vectors) + _IVF_TRAINING_SAMPLE
        ):
            self._vectors = self._rebuild_vectors(chunk_ids, wanted_type)
        else:
            index_ids = self._vectors.ids()
            self._vectors.remove(np.setdiff1d(index_ids, chunk_ids, assume_unique=True))
            for batch in _batches(np.setdiff1d(chunk_ids, index_ids, assume_unique=True)):
                self._vectors.add(batch, self.vectors(batch))
        self._vector_generation = generation

    def _rebuild_vectors(self, chunk_ids: np.ndarray, index_type: str) -> VectorIndex:
        training = None
        if index_type != "flat":
            sample = np.random.default_rng(0).choice(
                chunk_ids, min(len(chunk_ids), _IVF_TRAINING_SAMPLE), False
            )
            training = self.vectors(np.sort(sample))
        index = VectorIndex(self.dimension, index_type, training)
        for batch in _batches(chunk_ids):
            index.add(batch, self.vectors(batch))
        return index

    # ----------------------------------------------------------------- reading

    def _count(self, table: str) -> int:
        return int(self._db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])

    def _all_chunk_ids(self) -> np.ndarray:
        rows = self._db.execute("SELECT id FROM chunks ORDER BY id").fetchall()
        return np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))

    def counts(self) -> dict[str, int]:
        """Numbers of sources, documents and chunks."""
        with self._guard:
            return {table: self._count(table) for table in ("sources", "documents", "chunks")}

    def kind_counts(self) -> dict[str, int]:
        with self._guard:
            return dict(self._db.execute("SELECT kind, count(*) FROM documents GROUP BY kind").fetchall())

    def source_state(self, path: str) -> SourceState | None:
        """What the store holds of a source file (by resolved path), or None if it was never indexed."""
        with self._guard:
            row = self._db.execute(
                "SELECT id, sha256, complete FROM sources WHERE path = ?", (path,)
            ).fetchone()
            if row is None:
                return None
            records = self._db.execute(
                "SELECT record_id FROM documents WHERE source_id = ? AND record_id IS NOT NULL", (row[0],)
            ).fetchall()
        return SourceState(sha256=row[1], complete=bool(row[2]), record_ids=frozenset(r[0] for r in records))

    def document(self, doc_id: int) -> StoredDocument | None:
        with self._guard:
            row = self._db.execute(
                "SELECT d.id, s.source, d.title, d.kind, d.language, d.date, d.region, d.sector, d.record_id, "
                "d.paginated, d.page_starts, d.metadata, d.text, "
                "(SELECT count(*) FROM chunks c WHERE c.doc_id = d.id) "
                "FROM documents d JOIN sources s ON s.id = d.source_id WHERE d.id = ?",
                (doc_id,),
            ).fetchone()
        if row is None:
            return None
        values = list(row)
        values[9] = bool(values[9])
        values[10] = json.loads(values[10])
        values[11] = json.loads(values[11])
        return StoredDocument(*values)

    def documents(self, limit: int = 100, offset: int = 0) -> list[dict[str, object]]:
        """Short descriptions of documents, newest first."""
        with self._guard:
            rows = self._db.execute(
                "SELECT d.id, d.title, d.kind, s.source, d.date, d.region, "
                "(SELECT count(*) FROM chunks c WHERE c.doc_id = d.id) "
                "FROM documents d JOIN sources s ON s.id = d.source_id ORDER BY d.id DESC LIMIT ? OFFSET ?",
                (limit, offset),
            ).fetchall()
        keys = ("id", "title", "kind", "source", "date", "region", "chunks")
        return [dict(zip(keys, row, strict=True)) for row in rows]

    def chunks(self, chunk_ids: Sequence[int]) -> list[StoredChunk]:
        """The chunks with these ids, in the order given; ids that no longer exist are left out."""
        found: dict[int, StoredChunk] = {}
        with self._guard:
            for start in range(0, len(chunk_ids), 500):
                part = list(chunk_ids[start : start + 500])
                rows = self._db.execute(
                    f"SELECT {_CHUNK_COLUMNS} FROM {_CHUNKS_FROM} WHERE c.id IN ({', '.join('?' * len(part))})",
                    part,
                ).fetchall()
                found.update((row[0], _stored_chunk(row)) for row in rows)
        return [found[chunk_id] for chunk_id in chunk_ids if chunk_id in found]

    def iter_chunks(
        self, chunk_filter: ChunkFilter | None = None, batch_size: int = 2000
    ) -> Iterator[StoredChunk]:
        """Every chunk that passes the filter, in id order, fetched in batches to keep memory bounded."""
        condition, params = filter_condition(chunk_filter or ChunkFilter())
        last_id = 0
        while True:
            with self._guard:
                rows = self._db.execute(
                    f"SELECT {_CHUNK_COLUMNS} FROM {_CHUNKS_FROM} WHERE c.id > ? AND {condition} "
                    "ORDER BY c.id LIMIT ?",
                    [last_id, *params, batch_size],
                ).fetchall()
            if not rows:
                return
            yield from (_stored_chunk(row) for row in rows)
            last_id = rows[-1][0]

    def vectors(self, chunk_ids: Sequence[int] | np.ndarray) -> np.ndarray:
        """The stored vectors of these chunks, in the order given."""
        ids = [int(i) for i in chunk_ids]
        by_id: dict[int, bytes] = {}
        with self._guard:
            for start in range(0, len(ids), 500):
                part = ids[start : start + 500]
                by_id.update(
                    self._db.execute(
                        f"SELECT id, vector FROM chunks WHERE id IN ({', '.join('?' * len(part))})", part
                    ).fetchall()
                )
        if not ids:
            return np.empty((0, self.dimension), dtype=np.float32)
        return np.vstack([np.frombuffer(by_id[i], dtype=np.float32) for i in ids])

    def filtered_chunk_ids(self, chunk_filter: ChunkFilter) -> np.ndarray:
        condition, params = filter_condition(chunk_filter)
        with self._guard:
            rows = self._db.execute(f"SELECT c.id FROM chunks c WHERE {condition}", params).fetchall()
        return np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))

    def dense_search(
        self, query_vector: np.ndarray, k: int, chunk_filter: ChunkFilter | None = None
    ) -> list[tuple[int, float]]:
        """Chunk ids and cosine similarities of the ``k`` nearest chunks that pass the filter."""
        with self._guard:
            self._sync_vectors()
            allowed = None
            if chunk_filter is not None and not chunk_filter.is_empty():
                allowed = self.filtered_chunk_ids(chunk_filter)
            return self._vectors.search(query_vector, k, allowed, self.search_threads)

    def lexical_search(
        self, lemmas: Sequence[str], k: int, chunk_filter: ChunkFilter | None = None
    ) -> list[tuple[int, float]]:
        """BM25 over chunk lemmas (any of the lemmas may match); higher scores are better."""
        terms = sorted({lemma.replace('"', "") for lemma in lemmas if lemma.strip('"')})
        if not terms or k <= 0:
            return []
        match = " OR ".join(f'"{term}"' for term in terms)
        condition, params = filter_condition(chunk_filter or ChunkFilter())
        with self._guard:
            rows = self._db.execute(
                "SELECT c.id, -bm25(chunk_lemmas) AS score FROM chunk_lemmas "
                "JOIN chunks c ON c.id = chunk_lemmas.rowid "
                f"WHERE chunk_lemmas MATCH ? AND {condition} ORDER BY score DESC LIMIT ?",
                [match, *params, k],
            ).fetchall()
        return [(int(chunk_id), float(score)) for chunk_id, score in rows]

    @property
    def index_type(self) -> str:
        return self._vectors.index_type

    @property
    def connection(self) -> sqlite3.Connection:
        """The store's SQLite connection, for the tables that other packages keep here (problems)."""
        return self._db

    def snapshot(self, target: Path) -> None:
        """Copy the store into the new folder ``target``, consistent even while others write to it.

        The database goes through SQLite's backup API: copying its files by hand would read them outside
        SQLite, and closing such a file descriptor drops this process's POSIX locks on the database, which
        lets another process checkpoint the WAL under our feet (sqlite.org/howtocorrupt.html, 2.2).
        """
        target.mkdir(parents=True)
        with self._guard, WriteLock(self.folder / LOCK_NAME, self.busy_timeout):
            self._sync_vectors()
            self._persist_vectors()
            copy = sqlite3.connect(target / DATABASE_NAME)
            try:
                self._db.backup(copy)
            finally:
                copy.close()
            for name in (VECTORS_NAME, MANIFEST_NAME):
                (target / name).write_bytes((self.folder / name).read_bytes())

    # ----------------------------------------------------------------- checking

    def check(self) -> list[str]:
        """Integrity findings; an empty list means the store is sound.

        A vector index left behind by a crash is first brought up to date (that is recovery, not damage).
        """
        with self._guard:
            findings = self._check_database()
            try:
                self.save_vectors()
            except StoreError as error:
                findings.append(str(error))
                return findings
            findings.extend(self._check_vector_file())
        return findings

    def _check_database(self) -> list[str]:
        findings: list[str] = []
        result = self._db.execute("PRAGMA integrity_check").fetchone()[0]
        if result != "ok":
            findings.append(f"SQLite integrity check: {result}")
        if self._db.execute("PRAGMA foreign_key_check").fetchone():
            findings.append("some chunks or documents point to rows that no longer exist")
        unindexed = self._db.execute(
            "SELECT count(*) FROM chunks WHERE id NOT IN (SELECT rowid FROM chunk_lemmas)"
        ).fetchone()[0]
        if unindexed or self._count("chunk_lemmas") != self._count("chunks"):
            findings.append(f"the lexical index and the chunks disagree ({unindexed} chunks not in it)")
        bad_vectors = self._db.execute(
            "SELECT count(*) FROM chunks WHERE length(vector) != ?", (4 * self.dimension,)
        ).fetchone()[0]
        if bad_vectors:
            findings.append(f"{bad_vectors} chunks have a vector of the wrong size")
        misplaced = self._db.execute(
            "SELECT count(*) FROM chunks c JOIN documents d ON d.id = c.doc_id "
            "WHERE substr(d.text, c.start + 1, c.end - c.start) != c.text"
        ).fetchone()[0]
        if misplaced:
            findings.append(f"{misplaced} chunks do not match their document's text at their offsets")
        return findings

    def _check_vector_file(self) -> list[str]:
        manifest = Manifest.read(self.folder / MANIFEST_NAME)
        if manifest is None:
            return ["manifest.json is missing"]
        findings: list[str] = []
        on_disk = VectorIndex.load(self.folder / VECTORS_NAME, self.dimension, manifest.index_type)
        if not np.array_equal(on_disk.ids(), self._all_chunk_ids()):
            findings.append("the ids in vectors.faiss differ from the chunk ids in the database")
        if manifest.generation != self._generation():
            findings.append("manifest.json is not at the database's generation")
        if (manifest.documents, manifest.chunks) != (self._count("documents"), self._count("chunks")):
            findings.append("the counts in manifest.json differ from the database")
        return findings


@dataclass(frozen=True)
class SourceState:
    """A source file as the store knows it: its fingerprint, whether all of it is in, which records are."""

    sha256: str
    complete: bool
    record_ids: frozenset[str]


class StoreWriter:
    """What may be done inside one ``Store.write()``: add a source's documents, delete documents."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        self.added_ids: list[int] = []
        self.added_vectors: list[np.ndarray] = []
        self.removed_ids: list[int] = []

    @property
    def connection(self) -> sqlite3.Connection:
        """The connection, inside this write's transaction."""
        return self._db

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
        row = self._db.execute("SELECT id, sha256 FROM sources WHERE path = ?", (path,)).fetchone()
        if row is not None and row[1] != sha256:
            self.delete_source(path)
            row = None
        now = datetime.now(UTC).isoformat(timespec="seconds")
        if row is None:
            cursor = self._db.execute(
                "INSERT INTO sources(path, source, sha256, size, complete, indexed_at) VALUES (?, ?, ?, ?, ?, ?)",
                (path, source, sha256, size, int(complete), now),
            )
            source_id = int(cursor.lastrowid or 0)
        else:
            source_id = int(row[0])
            self._db.execute(
                "UPDATE sources SET complete = ?, indexed_at = ? WHERE id = ?",
                (int(complete), now, source_id),
            )
        return [self._insert_document(source_id, document) for document in documents]

    def record_backend(self, backend: str) -> None:
        """Note that this write's vectors come from ``backend`` (shown in the manifest and by ``stats``)."""
        row = self._db.execute("SELECT value FROM meta WHERE key = 'backends'").fetchone()
        backends = sorted({*json.loads(row[0] if row else "[]"), backend})
        self._db.execute(
            "INSERT INTO meta(key, value) VALUES ('backends', ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (json.dumps(backends),),
        )

    def _insert_document(self, source_id: int, document: NewDocument) -> int:
        cursor = self._db.execute(
            "INSERT INTO documents(source_id, record_id, title, kind, language, date, region, sector, paginated, "
            "page_starts, metadata, text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                source_id,
                document.record_id,
                document.title,
                document.kind,
                document.language,
                document.date,
                document.region,
                document.sector,
                int(document.paginated),
                json.dumps(document.page_starts),
                json.dumps(document.metadata, ensure_ascii=False, default=str),
                document.text,
            ),
        )
        doc_id = int(cursor.lastrowid or 0)
        for ordinal, chunk in enumerate(document.chunks):
            span = chunk.span
            vector = np.ascontiguousarray(chunk.vector, dtype=np.float32)
            chunk_cursor = self._db.execute(
                "INSERT INTO chunks(doc_id, ordinal, start, end, page, section, heading, speaker, timestamp, kind, "
                "date, region, sector, text, vector) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    doc_id,
                    ordinal,
                    span.start,
                    span.end,
                    span.page,
                    span.section,
                    getattr(span, "heading", None),
                    span.speaker,
                    span.timestamp,
                    document.kind,
                    chunk.date or document.date,
                    chunk.region or document.region,
                    chunk.sector or document.sector,
                    span.text,
                    vector.tobytes(),
                ),
            )
            chunk_id = int(chunk_cursor.lastrowid or 0)
            self._db.execute(
                "INSERT INTO chunk_lemmas(rowid, lemmas) VALUES (?, ?)", (chunk_id, chunk.lemmas)
            )
            self.added_ids.append(chunk_id)
            self.added_vectors.append(vector.reshape(1, -1))
        return doc_id

    def delete_source(self, path: str) -> None:
        row = self._db.execute("SELECT id FROM sources WHERE path = ?", (path,)).fetchone()
        if row is None:
            return
        for (doc_id,) in self._db.execute(
            "SELECT id FROM documents WHERE source_id = ?", (row[0],)
        ).fetchall():
            self.delete_document(doc_id)
        self._db.execute("DELETE FROM sources WHERE id = ?", (row[0],))

    def delete_document(self, doc_id: int) -> bool:
        """Remove a document and its chunks; False if there was no such document."""
        row = self._db.execute("SELECT source_id FROM documents WHERE id = ?", (doc_id,)).fetchone()
        if row is None:
            return False
        chunk_ids = [
            chunk[0] for chunk in self._db.execute("SELECT id FROM chunks WHERE doc_id = ?", (doc_id,))
        ]
        self._db.executemany("DELETE FROM chunk_lemmas WHERE rowid = ?", [(i,) for i in chunk_ids])
        self._db.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
        self._db.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
        # Indexing the file again restores what was deleted: a source that lost all its documents is
        # forgotten, one that lost some is marked incomplete so that the missing records are added back.
        self._db.execute(
            "DELETE FROM sources WHERE id = ? AND NOT EXISTS (SELECT 1 FROM documents WHERE source_id = ?)",
            (row[0], row[0]),
        )
        self._db.execute("UPDATE sources SET complete = 0 WHERE id = ?", (row[0],))
        self.removed_ids.extend(chunk_ids)
        return True


def _stored_chunk(row: Sequence[object]) -> StoredChunk:
    values = list(row)
    values[-1] = json.loads(str(values[-1]))
    return StoredChunk(*values)  # type: ignore[arg-type]


def _batches(ids: np.ndarray) -> Iterator[np.ndarray]:
    for start in range(0, len(ids), _BATCH):
        yield ids[start : start + _BATCH]
