"""Windows of about 200 words that end at sentence ends: the chunks of notes, and of any text whose expected
structure is missing.

No overlap between windows: each ends at a sentence end, so no sentence is cut and none needs repeating; and
overlapping windows would return the same passage twice in a result list while growing the index. 200 words of
Ukrainian are about 400–450 pieces of the embedder's vocabulary, within its 512-token window.
"""

from __future__ import annotations

from typing import Any

from indexing.chunkers.spans import trimmed_chunk, word_count
from indexing.document import ChunkSpan
from models.ukrainian_pipeline import UkrainianPipeline

TARGET_WORDS = 200
"""A window closes before the sentence that would take it past this many words."""
MIN_TAIL_WORDS = 50
"""A last window shorter than this joins the one before, if together they stay under ``MAX_JOINED_WORDS``."""
MAX_JOINED_WORDS = 250


def chunk_windows(
    text: str, pipeline: UkrainianPipeline, start: int = 0, end: int | None = None, **fields: Any
) -> list[ChunkSpan]:
    """``text[start:end]`` cut into windows of whole sentences, each given ``fields`` (``section``, ...)."""
    end = len(text) if end is None else end
    pieces = _sentence_pieces(text, pipeline, start, end)
    windows = _join_short_tail(_pack(pieces))
    chunks = (
        trimmed_chunk(text, window_start, window_end, **fields) for window_start, window_end, _ in windows
    )
    return [chunk for chunk in chunks if chunk is not None]


def _sentence_pieces(
    text: str, pipeline: UkrainianPipeline, start: int, end: int
) -> list[tuple[int, int, int]]:
    """``(start, end, words)`` of each sentence of the region; a sentence too long for a window is cut."""
    pieces = []
    for sentence_start, sentence_end in pipeline.sentence_spans(text[start:end]):
        sentence_start += start
        sentence_end += start
        words = word_count(text[sentence_start:sentence_end])
        if words <= TARGET_WORDS:
            pieces.append((sentence_start, sentence_end, words))
        else:
            pieces.extend(_word_pieces(text, sentence_start, sentence_end))
    return pieces


def _word_pieces(text: str, start: int, end: int) -> list[tuple[int, int, int]]:
    """A run-on «sentence» (a table, a list without stops) cut between words into windows' worth."""
    pieces = []
    position = start
    while position < end:
        cut = _offset_after_words(text, position, end, TARGET_WORDS)
        pieces.append((position, cut, word_count(text[position:cut])))
        position = cut
    return pieces


def _offset_after_words(text: str, start: int, end: int, words: int) -> int:
    """The offset just after the ``words``-th word from ``start``, or ``end`` if there are fewer words."""
    position = start
    for _ in range(words):
        while position < end and text[position].isspace():
            position += 1
        while position < end and not text[position].isspace():
            position += 1
    return position


def _pack(pieces: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """Consecutive pieces joined into windows of at most ``TARGET_WORDS`` words (a lone piece may be all)."""
    windows: list[tuple[int, int, int]] = []
    for piece_start, piece_end, words in pieces:
        if windows and windows[-1][2] + words <= TARGET_WORDS:
            window_start, _, window_words = windows[-1]
            windows[-1] = (window_start, piece_end, window_words + words)
        else:
            windows.append((piece_start, piece_end, words))
    return windows


def _join_short_tail(windows: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    if len(windows) < 2:
        return windows
    (previous_start, _, previous_words), (_, last_end, last_words) = windows[-2], windows[-1]
    if last_words < MIN_TAIL_WORDS and previous_words + last_words <= MAX_JOINED_WORDS:
        return [*windows[:-2], (previous_start, last_end, previous_words + last_words)]
    return windows
