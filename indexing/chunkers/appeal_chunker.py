"""Citizens' appeals: one chunk per appeal, because a request is read, found and cited as a whole."""

from __future__ import annotations

from indexing.chunkers.spans import trimmed_chunk
from indexing.document import ChunkSpan
from models.ukrainian_pipeline import UkrainianPipeline


def chunk_appeal(text: str, pipeline: UkrainianPipeline) -> list[ChunkSpan]:
    """The whole text, trimmed, as one chunk (none for a blank text).

    ``pipeline`` is unused: every chunker takes the same arguments so the dispatcher can call any of them.
    """
    chunk = trimmed_chunk(text, 0, len(text))
    return [chunk] if chunk is not None else []
