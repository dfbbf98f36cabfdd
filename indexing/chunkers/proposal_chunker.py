"""Project proposals cut by section heading: «Опис проблеми», «Мета проєкту», «Заходи», «Бюджет», ...

Each section (its heading line and the text under it) is a chunk named after its heading; a section longer
than ``MAX_SECTION_WORDS`` is cut in windows that keep the name. The text before the first heading (the
project's name, the applicant) is cut in windows without a section.

A section that is a list («- …», «1. …», «2.1.3. …» at the starts of lines) is cut item by item, each item a
chunk under the section's heading: the items of a list are separate things (the twenty projects of a
hromada's strategy, the measures of a plan), and one vector for all of them matches none of them well. A
line that starts no item continues the item above it (a wrapped line); text before the first item is a chunk
of its own.
"""

from __future__ import annotations

from itertools import pairwise

from indexing.chunkers.spans import trimmed_chunk, word_count
from indexing.chunkers.window_chunker import chunk_windows
from indexing.document import ChunkSpan
from indexing.document_structure import LIST_ITEM_START, Heading, proposal_headings
from models.ukrainian_pipeline import UkrainianPipeline

MAX_SECTION_WORDS = 350
MIN_HEADINGS = 2
"""Fewer headings than this is no structure to cut by: the text is cut in windows."""
MIN_LIST_ITEMS = 2
"""A section with fewer items than this is not a list."""


def chunk_proposal(text: str, pipeline: UkrainianPipeline) -> list[ChunkSpan]:
    """The chunks of a proposal: see the module's description."""
    headings = proposal_headings(text)
    if len(headings) < MIN_HEADINGS:
        return chunk_windows(text, pipeline)
    chunks = chunk_windows(text, pipeline, 0, headings[0].start)
    ends = [heading.start for heading in headings[1:]] + [len(text)]
    for heading, end in zip(headings, ends, strict=True):
        chunks.extend(_section_chunks(text, heading, end, pipeline))
    return chunks


def _section_chunks(text: str, heading: Heading, end: int, pipeline: UkrainianPipeline) -> list[ChunkSpan]:
    """A section as one chunk, as windows when it is long, or item by item when it is a list."""
    line_end = text.find("\n", heading.start, end)
    body = end if line_end < 0 else line_end + 1
    items = [match.start() for match in LIST_ITEM_START.finditer(text, body, end)]
    if len(items) < MIN_LIST_ITEMS:
        return _piece(text, heading.start, end, heading.text, pipeline, under_heading=False)
    # The heading line is a chunk only with the text that introduces the list; alone it says nothing.
    intro = _piece(text, heading.start, items[0], heading.text, pipeline, under_heading=False)
    bounds = [*items, end]
    listed = [
        chunk
        for start, stop in pairwise(bounds)
        for chunk in _piece(text, start, stop, heading.text, pipeline, under_heading=True)
    ]
    return (intro if text[body : items[0]].strip() else []) + listed


def _piece(
    text: str, start: int, end: int, section: str, pipeline: UkrainianPipeline, under_heading: bool
) -> list[ChunkSpan]:
    """``text[start:end]`` as one chunk of ``section``, or windows of it when it is long; an item of a list
    carries the section's heading, which its text does not hold."""
    fields = {"section": section, "heading": section if under_heading else None}
    if word_count(text[start:end]) > MAX_SECTION_WORDS:
        return chunk_windows(text, pipeline, start, end, **fields)
    chunk = trimmed_chunk(text, start, end, **fields)
    return [chunk] if chunk is not None else []
