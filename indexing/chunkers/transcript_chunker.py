"""Transcripts cut by speaker turn: one chunk per turn, runs of short turns together, long turns in pieces.

A turn opens at a speaker line («ГОЛОВУЮЧИЙ.», «ПАРУБІЙ А.В.», «Петренко І.П.:», «Іваненко Олена (голова
громади):») or at a ParlaMint utterance line (``<utterance id>\\t<text>``; the id goes to ``section``, the
text to the chunk). A turn of fewer than ``SHORT_TURN_WORDS`` words («Дякую.», «Слово надається ...») says
little alone, so consecutive short turns are joined into one chunk of at most ``TARGET_WORDS`` words; such a
chunk names all its speakers, in order, because naming only the first would attribute the others' words to
them. A turn longer than ``TARGET_WORDS`` is cut at sentence ends into windows that keep the speaker.

A chunk's timestamp is the last one written before it starts, else the first one inside it.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass

from indexing.chunkers.spans import trimmed_chunk, word_count
from indexing.chunkers.window_chunker import TARGET_WORDS, chunk_windows
from indexing.document import ChunkSpan
from indexing.document_structure import TIMESTAMP, UTTERANCE_LINE, speaker_lines
from models.ukrainian_pipeline import UkrainianPipeline

SHORT_TURN_WORDS = 40
SPEAKERS_SEPARATOR = "; "


@dataclass(frozen=True)
class _Turn:
    line_start: int
    """Where the turn's opening line begins; ``start`` is after an utterance id, which is not speech."""
    start: int
    end: int
    speaker: str | None
    """The speaker as written, with the role when one is given: «Іваненко Олена (голова громади)»."""
    utterance: str | None
    """The utterance id of a ParlaMint line, which names the turn when the text does not name the speaker."""
    words: int


def chunk_transcript(text: str, pipeline: UkrainianPipeline) -> list[ChunkSpan]:
    """The chunks of a transcript (see the module's description); without speaker lines, windows."""
    turns = _turns(text)
    if not turns:
        return chunk_windows(text, pipeline)
    timestamps = [(match.start(), match.group("time")) for match in TIMESTAMP.finditer(text)]
    chunks = chunk_windows(
        text, pipeline, 0, turns[0].line_start
    )  # a title or preamble before the first turn
    for run in _runs(turns):
        chunks.extend(_chunk_run(text, run, pipeline))
    for chunk in chunks:
        chunk.timestamp = _timestamp_for(chunk, timestamps)
    return chunks


def _turns(text: str) -> list[_Turn]:
    """The turns in text order; a turn ends where the next one's line begins."""
    # (line start, turn start, speaker, utterance id); a speaker line stays in its turn, an utterance id not.
    openings = sorted(
        [(match.start(), match.start(), _speaker(match), None) for match in speaker_lines(text)]
        + [
            (match.start(), match.end(), None, match.group("utterance"))
            for match in UTTERANCE_LINE.finditer(text)
        ],
        key=lambda opening: opening[0],
    )
    ends = [line_start for line_start, _, _, _ in openings[1:]] + [len(text)] if openings else []
    return [
        _Turn(line_start, start, end, speaker, utterance, word_count(text[start:end]))
        for (line_start, start, speaker, utterance), end in zip(openings, ends, strict=True)
    ]


def _speaker(match: re.Match[str]) -> str:
    name = match.group("chair") or match.group("initialled") or match.group("named")
    role = match.group("role")
    return f"{name} ({role})" if role else name


def _runs(turns: list[_Turn]) -> Iterator[list[_Turn]]:
    """Turns grouped for chunking: a turn that is not short stands alone; short neighbours go together."""
    run: list[_Turn] = []
    for turn in turns:
        joins_run = turn.words < SHORT_TURN_WORDS and sum(t.words for t in run) + turn.words <= TARGET_WORDS
        if run and not (joins_run and run[-1].words < SHORT_TURN_WORDS):
            yield run
            run = []
        run.append(turn)
    if run:
        yield run


def _chunk_run(text: str, run: list[_Turn], pipeline: UkrainianPipeline) -> list[ChunkSpan]:
    speakers = list(dict.fromkeys(turn.speaker for turn in run if turn.speaker))
    fields = {
        "speaker": SPEAKERS_SEPARATOR.join(speakers) or None,
        "section": run[0].utterance if run[0].speaker is None else None,
    }
    if len(run) == 1 and run[0].words > TARGET_WORDS:
        return chunk_windows(text, pipeline, run[0].start, run[0].end, **fields)
    chunk = trimmed_chunk(text, run[0].start, run[-1].end, **fields)
    return [chunk] if chunk is not None else []


def _timestamp_for(chunk: ChunkSpan, timestamps: list[tuple[int, str]]) -> str | None:
    """``timestamps`` are ``(offset, time)`` in text order."""
    following = bisect.bisect_right(timestamps, chunk.start, key=lambda timestamp: timestamp[0])
    if following > 0:
        return timestamps[following - 1][1]
    if following < len(timestamps) and timestamps[following][0] < chunk.end:
        return timestamps[following][1]
    return None
