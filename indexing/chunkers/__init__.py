"""Chunkers: a document's normalised text cut into the pieces that are embedded, searched and cited.

One module per kind of document (``legislation_chunker``, ``transcript_chunker``, ``proposal_chunker``,
``appeal_chunker``, ``window_chunker`` for notes); ``chunk_document`` picks the one for a document's kind and
makes sure no chunk crosses a page start of a paginated source.

Every chunk is ``normalised.text[chunk.start:chunk.end]``, trimmed of surrounding whitespace, never empty, and
the chunks come in text order. A chunker whose structure is missing from the text cuts it in windows.
"""

from __future__ import annotations

from collections.abc import Callable

from indexing.chunkers.appeal_chunker import chunk_appeal
from indexing.chunkers.legislation_chunker import chunk_legislation
from indexing.chunkers.proposal_chunker import chunk_proposal
from indexing.chunkers.spans import cut_at
from indexing.chunkers.transcript_chunker import chunk_transcript
from indexing.chunkers.window_chunker import chunk_windows
from indexing.document import KINDS, ChunkSpan, NormalisedText
from models.ukrainian_pipeline import UkrainianPipeline

_STRUCTURED_CHUNKERS: dict[str, Callable[[str, UkrainianPipeline], list[ChunkSpan]]] = {
    "legislation": chunk_legislation,
    "transcript": chunk_transcript,
    "proposal": chunk_proposal,
    "appeal": chunk_appeal,
}


def chunk_document(
    normalised: NormalisedText, kind: str, pipeline: UkrainianPipeline, paginated: bool
) -> list[ChunkSpan]:
    """The chunks of one document of ``kind`` (one of ``indexing.document.KINDS``).

    For a paginated source every chunk lies within one page and carries that page's 1-based number.
    """
    if kind not in KINDS:
        raise ValueError(f"Unknown document kind {kind!r}; expected one of {', '.join(KINDS)}.")
    text = normalised.text
    page_starts = normalised.page_starts if paginated else [0]
    if kind == "note":
        # Windows are packed page by page, rather than cut at page starts afterwards, so that no page ends in
        # a stump of a window.
        pages = zip(page_starts, [*page_starts[1:], len(text)], strict=True)
        chunks = [chunk for start, end in pages for chunk in chunk_windows(text, pipeline, start, end)]
    else:
        # A structure (an article, a turn) may run over a page; its chunks are cut there, keeping their names.
        structured = _STRUCTURED_CHUNKERS[kind](text, pipeline)
        chunks = [piece for chunk in structured for piece in cut_at(text, chunk, page_starts)]
    if paginated:
        for chunk in chunks:
            chunk.page = normalised.page_at(chunk.start)
    return chunks
