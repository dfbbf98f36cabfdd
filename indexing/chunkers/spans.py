"""Turning offsets into chunks: trimming whitespace, cutting at page starts, counting words.

Every chunker builds its chunks here, so that each one keeps the invariants of ``ChunkSpan``: ``text`` is the
slice ``[start:end]`` of the document, trimmed, never empty.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from itertools import pairwise
from typing import Any

from indexing.document import ChunkSpan


def trimmed_chunk(text: str, start: int, end: int, **fields: Any) -> ChunkSpan | None:
    """The chunk ``text[start:end]`` without surrounding whitespace, or ``None`` if nothing else is left.

    ``fields`` are the other ``ChunkSpan`` fields (``section``, ``speaker``, ``heading``, ...).
    """
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start >= end:
        return None
    return ChunkSpan(start=start, end=end, text=text[start:end], **fields)


def cut_at(text: str, chunk: ChunkSpan, offsets: Sequence[int]) -> list[ChunkSpan]:
    """``chunk`` cut at those ``offsets`` that fall inside it, each piece keeping the chunk's fields."""
    cuts = [offset for offset in offsets if chunk.start < offset < chunk.end]
    if not cuts:
        return [chunk]
    bounds = [chunk.start, *cuts, chunk.end]
    pieces = []
    for start, end in pairwise(bounds):
        piece = trimmed_chunk(text, start, end)
        if piece is not None:
            pieces.append(replace(chunk, start=piece.start, end=piece.end, text=piece.text))
    return pieces


def word_count(text: str) -> int:
    return len(text.split())
