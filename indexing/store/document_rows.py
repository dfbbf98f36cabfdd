"""Sources, documents and chunks as rows: one implementation over any ``SqlSession``.

A chunk row keeps its offsets into its document's normalised text (what a citation is checked against) and its
vector, the truth from which any vector index is built; each backend says how a vector is kept in a row
(``VectorColumn``). Chunk ids are never reused, so a chunk id names one vector for ever.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import numpy as np

from indexing.store.records import (
    ChunkChanges,
    ChunkFilter,
    NewDocument,
    SourceState,
    StoredChunk,
    StoredDocument,
)
from indexing.store.sql_filters import filter_condition
from indexing.store.sql_session import Row, SqlSession, first, placeholders

_CHUNK_COLUMNS = (
    'c.id, c.doc_id, c.start, c."end", c.page, c.section, c.heading, c.speaker, c.timestamp, c.kind, c.date, '
    "c.region, c.sector, c.text, d.title, s.source, d.language, d.record_id, d.metadata"
)
_CHUNKS_FROM = "chunks c JOIN documents d ON d.id = c.doc_id JOIN sources s ON s.id = d.source_id"
_SLICE = 500
"""Ids asked for in one ``IN (...)``: SQLite limits the parameters of a statement."""


class VectorColumn(Protocol):
    """How a backend keeps a chunk's vector in its row."""

    name: str
    """The column of ``chunks`` that holds the vector."""

    def encode(self, vector: np.ndarray) -> object:
        """The parameter that writes ``vector`` (float32, normalised) into the column."""
        ...

    def decode(self, value: Any) -> np.ndarray:
        """The float32 vector read back from the column."""
        ...


class LemmaWriter(Protocol):
    """What the rows need of a lexical index: it learns each chunk's lemmas in the same transaction."""

    def add(self, session: SqlSession, chunk_ids: Sequence[int], lemma_texts: Sequence[str]) -> None: ...

    def remove(self, session: SqlSession, chunk_ids: Sequence[int]) -> None: ...


class DocumentRows:
    """Reads and writes the ``sources``, ``documents`` and ``chunks`` tables."""

    def __init__(self, vector_column: VectorColumn, dimension: int) -> None:
        self.vector_column = vector_column
        self.dimension = dimension

    # ------------------------------------------------------------ reading

    def counts(self, session: SqlSession) -> dict[str, int]:
        """Numbers of sources, documents and chunks."""
        row = session.rows(
            "SELECT (SELECT count(*) FROM sources), (SELECT count(*) FROM documents), (SELECT count(*) FROM chunks)"
        )[0]
        return dict(zip(("sources", "documents", "chunks"), map(int, row), strict=True))

    def kind_counts(self, session: SqlSession) -> dict[str, int]:
        return {
            kind: int(count)
            for kind, count in session.rows("SELECT kind, count(*) FROM documents GROUP BY kind")
        }

    def source_state(self, session: SqlSession, path: str) -> SourceState | None:
        """What the store holds of a source file (by resolved path), or None if it was never indexed."""
        row = first(session, "SELECT id, sha256, complete FROM sources WHERE path = ?", (path,))
        if row is None:
            return None
        records = session.rows(
            "SELECT record_id FROM documents WHERE source_id = ? AND record_id IS NOT NULL", (row[0],)
        )
        return SourceState(sha256=row[1], complete=bool(row[2]), record_ids=frozenset(r[0] for r in records))

    def document(self, session: SqlSession, doc_id: int) -> StoredDocument | None:
        row = first(
            session,
            "SELECT d.id, s.source, d.title, d.kind, d.language, d.date, d.region, d.sector, d.record_id, "
            "d.paginated, d.page_starts, d.metadata, d.text, "
            "(SELECT count(*) FROM chunks c WHERE c.doc_id = d.id) "
            "FROM documents d JOIN sources s ON s.id = d.source_id WHERE d.id = ?",
            (doc_id,),
        )
        if row is None:
            return None
        values = list(row)
        values[9] = bool(values[9])
        values[10] = json.loads(values[10])
        values[11] = json.loads(values[11])
        values[13] = int(values[13])
        return StoredDocument(*values)

    def documents(self, session: SqlSession, limit: int, offset: int) -> list[dict[str, object]]:
        """Short descriptions of documents, newest first."""
        rows = session.rows(
            "SELECT d.id, d.title, d.kind, s.source, d.date, d.region, "
            "(SELECT count(*) FROM chunks c WHERE c.doc_id = d.id) "
            "FROM documents d JOIN sources s ON s.id = d.source_id ORDER BY d.id DESC LIMIT ? OFFSET ?",
            (limit, offset),
        )
        keys = ("id", "title", "kind", "source", "date", "region", "chunks")
        return [dict(zip(keys, (*row[:-1], int(row[-1])), strict=True)) for row in rows]

    def chunks(self, session: SqlSession, chunk_ids: Sequence[int]) -> dict[int, StoredChunk]:
        """The chunks with these ids that exist, by id."""
        found: dict[int, StoredChunk] = {}
        for part in _slices([int(i) for i in chunk_ids]):
            rows = session.rows(
                f"SELECT {_CHUNK_COLUMNS} FROM {_CHUNKS_FROM} WHERE c.id IN ({placeholders(len(part))})", part
            )
            found.update((row[0], _stored_chunk(row)) for row in rows)
        return found

    def chunks_after(
        self, session: SqlSession, last_id: int, chunk_filter: ChunkFilter, limit: int
    ) -> list[StoredChunk]:
        """Up to ``limit`` chunks that pass the filter with ids above ``last_id``, in id order."""
        condition, params = filter_condition(chunk_filter)
        rows = session.rows(
            f"SELECT {_CHUNK_COLUMNS} FROM {_CHUNKS_FROM} WHERE c.id > ? AND {condition} ORDER BY c.id LIMIT ?",
            [last_id, *params, limit],
        )
        return [_stored_chunk(row) for row in rows]

    def vectors(self, session: SqlSession, chunk_ids: Sequence[int] | np.ndarray) -> np.ndarray:
        """The stored vectors of these chunks, in the order given."""
        ids = [int(i) for i in chunk_ids]
        by_id: dict[int, Any] = {}
        for part in _slices(ids):
            by_id.update(
                session.rows(
                    f"SELECT id, {self.vector_column.name} FROM chunks WHERE id IN ({placeholders(len(part))})",
                    part,
                )
            )
        if not ids:
            return np.empty((0, self.dimension), dtype=np.float32)
        return np.vstack([self.vector_column.decode(by_id[i]) for i in ids])

    def chunk_ids(self, session: SqlSession, chunk_filter: ChunkFilter | None = None) -> np.ndarray:
        """The ids of the chunks that pass the filter (all of them without one), sorted."""
        condition, params = filter_condition(chunk_filter or ChunkFilter())
        rows = session.rows(f"SELECT c.id FROM chunks c WHERE {condition} ORDER BY c.id", params)
        return np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))

    def misplaced_chunks(self, session: SqlSession) -> int:
        """How many chunks do not match their document's text at their offsets (a citation would be wrong)."""
        return int(
            session.rows(
                "SELECT count(*) FROM chunks c JOIN documents d ON d.id = c.doc_id "
                'WHERE substr(d.text, c.start + 1, c."end" - c.start) != c.text'
            )[0][0]
        )

    # ------------------------------------------------------------ writing

    def add_documents(
        self,
        session: SqlSession,
        lemmas: LemmaWriter,
        changes: ChunkChanges,
        source: SourceRecord,
        documents: Sequence[NewDocument],
    ) -> list[int]:
        """Add documents of a source file; a file whose content changed loses what its old version left."""
        row = first(session, "SELECT id, sha256 FROM sources WHERE path = ?", (source.path,))
        if row is not None and row[1] != source.sha256:
            self.delete_source(session, lemmas, changes, source.path)
            row = None
        now = datetime.now(UTC).isoformat(timespec="seconds")
        if row is None:
            source_id = int(
                session.rows(
                    "INSERT INTO sources(path, source, sha256, size, complete, indexed_at) "
                    "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                    (source.path, source.name, source.sha256, source.size, int(source.complete), now),
                )[0][0]
            )
        else:
            source_id = int(row[0])
            session.run(
                "UPDATE sources SET complete = ?, indexed_at = ? WHERE id = ?",
                (int(source.complete), now, source_id),
            )
        return [
            self._insert_document(session, lemmas, changes, source_id, document) for document in documents
        ]

    def _insert_document(
        self,
        session: SqlSession,
        lemmas: LemmaWriter,
        changes: ChunkChanges,
        source_id: int,
        document: NewDocument,
    ) -> int:
        doc_id = int(
            session.rows(
                "INSERT INTO documents(source_id, record_id, title, kind, language, date, region, sector, "
                "paginated, page_starts, metadata, text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
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
            )[0][0]
        )
        chunk_ids: list[int] = []
        for ordinal, chunk in enumerate(document.chunks):
            span = chunk.span
            vector = np.ascontiguousarray(chunk.vector, dtype=np.float32)
            chunk_ids.append(
                int(
                    session.rows(
                        'INSERT INTO chunks(doc_id, ordinal, start, "end", page, section, heading, speaker, '
                        f"timestamp, kind, date, region, sector, text, {self.vector_column.name}) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
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
                            self.vector_column.encode(vector),
                        ),
                    )[0][0]
                )
            )
            changes.added_vectors.append(vector.reshape(1, -1))
        lemmas.add(session, chunk_ids, [chunk.lemmas for chunk in document.chunks])
        changes.added_ids.extend(chunk_ids)
        return doc_id

    def delete_source(
        self, session: SqlSession, lemmas: LemmaWriter, changes: ChunkChanges, path: str
    ) -> None:
        row = first(session, "SELECT id FROM sources WHERE path = ?", (path,))
        if row is None:
            return
        for (doc_id,) in session.rows("SELECT id FROM documents WHERE source_id = ?", (row[0],)):
            self.delete_document(session, lemmas, changes, doc_id)
        session.run("DELETE FROM sources WHERE id = ?", (row[0],))

    def delete_document(
        self, session: SqlSession, lemmas: LemmaWriter, changes: ChunkChanges, doc_id: int
    ) -> bool:
        """Remove a document and its chunks; False if there was no such document."""
        row = first(session, "SELECT source_id FROM documents WHERE id = ?", (doc_id,))
        if row is None:
            return False
        chunk_ids = [
            int(chunk[0]) for chunk in session.rows("SELECT id FROM chunks WHERE doc_id = ?", (doc_id,))
        ]
        lemmas.remove(session, chunk_ids)
        session.run("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
        session.run("DELETE FROM documents WHERE id = ?", (doc_id,))
        # Indexing the file again restores what was deleted: a source that lost all its documents is
        # forgotten, one that lost some is marked incomplete so that the missing records are added back.
        session.run(
            "DELETE FROM sources WHERE id = ? AND NOT EXISTS (SELECT 1 FROM documents WHERE source_id = ?)",
            (row[0], row[0]),
        )
        session.run("UPDATE sources SET complete = 0 WHERE id = ?", (row[0],))
        changes.removed_ids.extend(chunk_ids)
        return True


@dataclass(frozen=True)
class SourceRecord:
    """A source file as one write adds it: its identity (resolved path), name as given, fingerprint and size.

    ``complete`` is False while a large file comes in several writes, so that an interrupted run can resume.
    """

    path: str
    name: str
    sha256: str
    size: int
    complete: bool


def _stored_chunk(row: Row) -> StoredChunk:
    values = list(row)
    values[-1] = json.loads(str(values[-1]))
    return StoredChunk(*values)


def _slices(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), _SLICE):
        yield ids[start : start + _SLICE]
