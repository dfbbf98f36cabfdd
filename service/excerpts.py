"""Cited excerpts for report writers: the exact text of a chunk with a numbered citation."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from indexing.store import StoredChunk
from service.citations import OcrNote
from service.search_types import Hit
from service.searcher import hit_from_chunk


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
    return excerpts_from_hits(
        [hit_from_chunk(chunk, rank, 0.0) for rank, chunk in enumerate(chunks, start=1)]
    )
