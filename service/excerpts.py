"""Cited excerpts for report writers: the exact text of a chunk with a numbered citation."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from indexing.store import StoredChunk
from service.citations import OcrNote, cite, ocr_note
from service.search_types import Hit


@dataclass
class Excerpt:
    """One excerpt: ``text`` equals the document's normalised text between ``start`` and ``end``."""

    number: int
    text: str
    citation: str
    doc_id: int
    chunk_id: int
    title: str
    kind: str
    source: str
    start: int
    end: int
    page: int | None = None
    section: str | None = None
    speaker: str | None = None
    timestamp: str | None = None
    ocr: OcrNote | None = None
    """Set when the excerpt's page was recognised by OCR (the citation then ends «(розпізнано OCR)»)."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def excerpts_from_hits(hits: list[Hit]) -> list[Excerpt]:
    """Hits as excerpts, numbered in their order."""
    return [
        Excerpt(
            number=number,
            text=hit.text,
            citation=hit.citation,
            doc_id=hit.doc_id,
            chunk_id=hit.chunk_id,
            title=hit.title,
            kind=hit.kind,
            source=hit.source,
            start=hit.start,
            end=hit.end,
            page=hit.page,
            section=hit.section,
            speaker=hit.speaker,
            timestamp=hit.timestamp,
            ocr=hit.ocr,
        )
        for number, hit in enumerate(hits, start=1)
    ]


def excerpts_from_chunks(chunks: list[StoredChunk]) -> list[Excerpt]:
    """Excerpts of chosen chunks, numbered in the order given (a report basket)."""
    return [
        span_excerpt(chunk, chunk.start, chunk.end, chunk.text, number)
        for number, chunk in enumerate(chunks, start=1)
    ]


def span_excerpt(chunk: StoredChunk, start: int, end: int, text: str, number: int = 1) -> Excerpt:
    """``text``, which is the chunk's document between ``start`` and ``end``, cited as the chunk is.

    The span may be the chunk, or a part of it: a problem statement, a strategy's item (which a window may
    have cut, so that it runs past the chunk).
    """
    return Excerpt(
        number=number,
        text=text,
        citation=cite(chunk),
        doc_id=chunk.doc_id,
        chunk_id=chunk.id,
        title=chunk.title,
        kind=chunk.kind,
        source=chunk.source,
        start=start,
        end=end,
        page=chunk.page,
        section=chunk.section,
        speaker=chunk.speaker,
        timestamp=chunk.timestamp,
        ocr=ocr_note(chunk),
    )
