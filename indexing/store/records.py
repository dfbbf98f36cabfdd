"""What goes into the store and what comes out of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from indexing.document import ChunkSpan


@dataclass
class NewChunk:
    """A chunk ready to be written: its span, the lemma text for lexical search and its vector."""

    span: ChunkSpan
    lemmas: str
    vector: np.ndarray
    sector: str | None = None
    date: str | None = None
    """The chunk's own date when it has one (a record in a file of records); else the document's."""
    region: str | None = None
    context: str = ""
    """What was lemmatised and is embedded: the chunk under its document's title and heading (not stored)."""


@dataclass
class NewDocument:
    """A normalised, chunked and embedded document ready to be written."""

    title: str
    kind: str
    text: str
    chunks: list[NewChunk]
    page_starts: list[int] = field(default_factory=lambda: [0])
    paginated: bool = False
    language: str | None = None
    date: str | None = None
    region: str | None = None
    sector: str | None = None
    record_id: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass
class StoredDocument:
    """A document as the store holds it; ``text`` is what chunk offsets point into."""

    id: int
    source: str
    title: str
    kind: str
    language: str | None
    date: str | None
    region: str | None
    sector: str | None
    record_id: str | None
    paginated: bool
    page_starts: list[int]
    metadata: dict[str, Any]
    text: str
    chunk_count: int


@dataclass
class StoredChunk:
    """A chunk as the store holds it, with the fields of its document that a citation needs."""

    id: int
    doc_id: int
    start: int
    end: int
    page: int | None
    section: str | None
    heading: str | None
    speaker: str | None
    timestamp: str | None
    kind: str
    date: str | None
    region: str | None
    sector: str | None
    text: str
    title: str
    source: str
    language: str | None
    record_id: str | None
    metadata: dict[str, Any]
    """The document's metadata (act number, record id, url, ...)."""


@dataclass
class ChunkFilter:
    """Conditions on chunks, applied before any ranking so that filtered results are never silently short."""

    kinds: tuple[str, ...] = ()
    sector: str | None = None
    region: str | None = None
    since: str | None = None
    """ISO date, inclusive."""
    until: str | None = None
    """ISO date, inclusive."""
    doc_ids: tuple[int, ...] = ()

    def is_empty(self) -> bool:
        return not (self.kinds or self.sector or self.region or self.since or self.until or self.doc_ids)


@dataclass(frozen=True)
class SourceState:
    """A source file as the store knows it: its fingerprint, whether all of it is in, which records are."""

    sha256: str
    complete: bool
    record_ids: frozenset[str]


@dataclass
class ChunkChanges:
    """The chunks one write added (with their vectors) and removed: what a vector index kept beside the rows
    must learn once the write is committed."""

    added_ids: list[int] = field(default_factory=list)
    added_vectors: list[np.ndarray] = field(default_factory=list)
    removed_ids: list[int] = field(default_factory=list)
