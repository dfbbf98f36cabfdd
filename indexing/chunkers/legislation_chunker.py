"""Laws cut by article («Стаття N.»), long articles by part («1.», «2.»), very long parts by item («1)»).

An article of up to ``MAX_CHUNK_WORDS`` words is one chunk, so a search hit shows the whole provision. A
longer one is cut at its parts, and consecutive small parts are grouped, so that each chunk holds one or a
few whole parts; a part still too long (art. 26, part 1 of the law on local self-government has 70 items)
is cut at its items the same way. Every chunk of an article carries the article's heading line in
``heading``: the embedder and the citation can name the article even for a chunk from its middle.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from indexing.chunkers.spans import trimmed_chunk, word_count
from indexing.chunkers.window_chunker import chunk_windows
from indexing.document import ChunkSpan
from indexing.document_structure import ARTICLE_HEADING, LAW_ITEM_START, LAW_PART_START
from models.ukrainian_pipeline import UkrainianPipeline

MAX_CHUNK_WORDS = 350
"""An article or group of parts up to this long stays one chunk."""


PREAMBLE_WORDS = 15
"""Text before the first article shorter than this is the act's title, not a preamble."""


@dataclass(frozen=True)
class _Piece:
    """A part or an item of an article: where it lies and its number as written («3-1»)."""

    start: int
    end: int
    number: str | None
    """``None`` for the text before the first numbered piece (an article's opening words)."""
    words: int


def chunk_legislation(text: str, pipeline: UkrainianPipeline) -> list[ChunkSpan]:
    """The chunks of a law: see the module's description. Text without article headings is cut in windows."""
    headings = list(ARTICLE_HEADING.finditer(text))
    if not headings:
        return chunk_windows(text, pipeline)
    # Before the first article stand the act's title and, in some acts, a preamble. A title alone is no
    # passage anyone searches for; a preamble is, and is cited as such.
    opening = chunk_windows(text, pipeline, 0, headings[0].start())
    chunks = [
        replace(chunk, section="преамбула") for chunk in opening if len(chunk.text.split()) >= PREAMBLE_WORDS
    ]
    ends = [heading.start() for heading in headings[1:]] + [len(text)]
    for heading, end in zip(headings, ends, strict=True):
        chunks.extend(_chunk_article(text, heading, end, pipeline))
    return chunks


def _chunk_article(
    text: str, heading: re.Match[str], end: int, pipeline: UkrainianPipeline
) -> list[ChunkSpan]:
    article = _compact_number(heading.group("number"))
    title = heading.group().strip()
    section = f"ст. {article}"
    if word_count(text[heading.start() : end]) <= MAX_CHUNK_WORDS:
        chunk = trimmed_chunk(text, heading.start(), end, section=section, heading=title)
        return [chunk] if chunk is not None else []
    # The heading line opens the first piece, so that no chunk is the bare heading.
    parts = _pieces(text, heading.start(), end, LAW_PART_START)
    chunks = []
    for group in _groups(parts):
        if len(group) == 1 and group[0].words > MAX_CHUNK_WORDS:
            chunks.extend(_chunk_long_part(text, group[0], section, title, pipeline))
        else:
            part_section = _section(section, "ч.", group)
            chunk = trimmed_chunk(text, group[0].start, group[-1].end, section=part_section, heading=title)
            chunks.extend([chunk] if chunk is not None else [])
    return chunks


def _chunk_long_part(
    text: str, part: _Piece, section: str, title: str, pipeline: UkrainianPipeline
) -> list[ChunkSpan]:
    """A part too long for one chunk, cut at its items («1)», «2)»), or in windows if it has none."""
    part_section = f"{section}, ч. {part.number}" if part.number else section
    items = _pieces(text, part.start, part.end, LAW_ITEM_START)
    if len(items) < 2:
        return chunk_windows(text, pipeline, part.start, part.end, section=part_section, heading=title)
    chunks = []
    for group in _groups(items):
        item_section = _section(part_section, "п.", group)
        if len(group) == 1 and group[0].words > MAX_CHUNK_WORDS:
            chunks.extend(
                chunk_windows(
                    text, pipeline, group[0].start, group[0].end, section=item_section, heading=title
                )
            )
            continue
        chunk = trimmed_chunk(text, group[0].start, group[-1].end, section=item_section, heading=title)
        chunks.extend([chunk] if chunk is not None else [])
    return chunks


def _pieces(text: str, start: int, end: int, marker: re.Pattern[str]) -> list[_Piece]:
    """``text[start:end]`` cut before each ``marker`` line; text before the first marker is a piece too."""
    starts: list[tuple[int, str | None]] = [
        (match.start(), _compact_number(match.group("number"))) for match in marker.finditer(text, start, end)
    ]
    if not starts or starts[0][0] > start:
        starts.insert(0, (start, None))
    ends = [piece_start for piece_start, _ in starts[1:]] + [end]
    return _fold_opening_words(
        [
            _Piece(piece_start, piece_end, number, word_count(text[piece_start:piece_end]))
            for (piece_start, number), piece_end in zip(starts, ends, strict=True)
        ]
    )


def _fold_opening_words(pieces: list[_Piece]) -> list[_Piece]:
    """The unnumbered opening words (the heading, «Виключно ... вирішуються такі питання:») join piece one."""
    if len(pieces) < 2 or pieces[0].number is not None:
        return pieces
    opening, first = pieces[0], pieces[1]
    joined = _Piece(opening.start, first.end, first.number, opening.words + first.words)
    return [joined, *pieces[2:]]


def _groups(pieces: list[_Piece]) -> list[list[_Piece]]:
    """Consecutive pieces grouped while a group stays within ``MAX_CHUNK_WORDS``; a long piece is alone."""
    groups: list[list[_Piece]] = []
    words = 0
    for piece in pieces:
        if groups and words + piece.words <= MAX_CHUNK_WORDS:
            groups[-1].append(piece)
            words += piece.words
        else:
            groups.append([piece])
            words = piece.words
    return groups


def _section(prefix: str, unit: str, group: list[_Piece]) -> str:
    """«ст. 26, ч. 1» for one part, «ст. 26, ч. 1–3» for several, ``prefix`` alone for unnumbered text."""
    numbers = [piece.number for piece in group if piece.number is not None]
    if not numbers:
        return prefix
    span = numbers[0] if len(numbers) == 1 else f"{numbers[0]}–{numbers[-1]}"
    return f"{prefix}, {unit} {span}"


def _compact_number(number: str) -> str:
    """«3 -1» as the legislation portal writes it → «3-1»; «6–1» → «6-1»."""
    return re.sub(r"\s+", "", number).replace("–", "-")
