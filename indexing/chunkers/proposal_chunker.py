"""Project proposals cut by section heading: «Опис проблеми», «Мета проєкту», «Заходи», «Бюджет», ...

Each section (its heading line and the text under it) is a chunk named after its heading; a section longer
than ``MAX_SECTION_WORDS`` is cut in windows that keep the name. The text before the first heading (the
project's name, the applicant) is cut in windows without a section.
"""

from __future__ import annotations

from indexing.chunkers.spans import trimmed_chunk, word_count
from indexing.chunkers.window_chunker import chunk_windows
from indexing.document import ChunkSpan
from indexing.document_structure import proposal_headings
from models.ukrainian_pipeline import UkrainianPipeline

MAX_SECTION_WORDS = 350
MIN_HEADINGS = 2
"""Fewer headings than this is no structure to cut by: the text is cut in windows."""


def chunk_proposal(text: str, pipeline: UkrainianPipeline) -> list[ChunkSpan]:
    """The chunks of a proposal: see the module's description."""
    headings = proposal_headings(text)
    if len(headings) < MIN_HEADINGS:
        return chunk_windows(text, pipeline)
    chunks = chunk_windows(text, pipeline, 0, headings[0].start)
    ends = [heading.start for heading in headings[1:]] + [len(text)]
    for heading, end in zip(headings, ends, strict=True):
        if word_count(text[heading.start : end]) > MAX_SECTION_WORDS:
            chunks.extend(chunk_windows(text, pipeline, heading.start, end, section=heading.text))
            continue
        chunk = trimmed_chunk(text, heading.start, end, section=heading.text)
        chunks.extend([chunk] if chunk is not None else [])
    return chunks
