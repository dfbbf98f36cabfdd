"""Dashes told from hyphens by their width on the page, and the spaces Tesseract drops around a dash put back.

Debian's Ukrainian model cannot write an en dash: the character set of its LSTM holds the hyphen only. Every «–»
of a Ukrainian page comes out as «-», or as «—» where the Russian model reads it; in a row of numbers such as
«1 – (4) 2 – 3» Tesseract also drops the spaces around it and writes «1-(4) 2-3». The glyph on the page says which
it was. A hyphen is about a third of an em wide, an en dash half an em and an em dash a whole one, and a word space
is a quarter of an em, several times the gap a glyph leaves to its neighbour inside a word. Everything is measured
against the height of the glyph's line, from the top of its tallest letter to the bottom of its lowest, about nine
tenths of an em. On the pages of ``scripts/bench/ocr.py``, in those units: hyphens 0.24–0.28 wide, en dashes
0.57–0.62, the gap beside a hyphen or an unspaced dash 0.02–0.13, the spaces around a spaced one 0.26–0.40.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from indexing.ocr.tables import Box, Word, line_spans

DASHES = "-‐‑‒–—―"
"""What Tesseract may write for a horizontal bar at mid-height: hyphens, the figure dash, en, em and bar dashes."""
HYPHEN, EN_DASH, EM_DASH = "-", "–", "—"
_DASH_RUN = re.compile(f"[{DASHES}]+")
_EN_DASH_WIDTH = 0.42
"""A bar at least this wide (in line heights) is an en dash: half an em, against a hyphen's third."""
_EM_DASH_WIDTH = 0.8
"""A bar at least this wide is an em dash: a whole em, against an en dash's half."""
_SPACE_GAP = 0.2
"""A gap at least this wide beside a bar is a word space (a quarter of an em), not the room inside a word."""
_BAR_THICKNESS = 0.15
"""A dash is thinner than this; letters and digits are at least half a line high."""
_BAR_FILL = 0.6
"""Share of its bounding box a bar fills: a dash is solid, «=» or «~» are not."""
_BAR_MIDDLE = (0.25, 0.8)
"""Where a dash's middle lies, as a share of its line's height from the top: not an underscore, not an overline."""
_INK = 128
"""Grey levels below this are ink."""


def measured_dashes(words: Sequence[Word], grey: np.ndarray) -> list[Word]:
    """The words, read from the image ``grey`` (8-bit, their boxes in its pixels), with each dash or hyphen written
    as its width on the page says and with the spaces around it that the page shows. A word whose bars cannot be
    matched one to one with the dashes in its text is left as Tesseract read it."""
    lines = line_spans(words)
    return [_measured(word, grey, lines[word.line]) if has_dash(word.text) else word for word in words]


def has_dash(text: str) -> bool:
    """Whether Tesseract wrote a dash or a hyphen in ``text``."""
    return any(character in DASHES for character in text)


def _measured(word: Word, grey: np.ndarray, line: tuple[int, int]) -> Word:
    line_top, line_height = line[0], line[1] - line[0]
    ink = _ink_inside(grey, word.box)
    if ink is None or line_height <= 0:
        return word
    glyphs = _glyph_columns(ink)
    bars = [
        number
        for number, glyph in enumerate(glyphs)
        if _is_bar(ink, glyph, word.box.top - line_top, line_height)
    ]
    # A run such as «--» is one bar: Tesseract types an em dash as two hyphens.
    runs = [match.span() for match in _DASH_RUN.finditer(word.text)]
    if not bars or len(bars) != len(runs):
        return word
    text = word.text
    # From the last to the first, so that the spaces put in do not move the positions still to come.
    for (start, end), number in reversed(list(zip(runs, bars, strict=True))):
        left, right = glyphs[number]
        dash = _dash_of_width((right - left) / line_height)
        before = start > 0 and number > 0 and left - glyphs[number - 1][1] >= _SPACE_GAP * line_height
        after = (
            end < len(text)
            and number < len(glyphs) - 1
            and glyphs[number + 1][0] - right >= _SPACE_GAP * line_height
        )
        text = text[:start] + " " * before + dash + " " * after + text[end:]
    return replace(word, text=text)


def _ink_inside(grey: np.ndarray, box: Box) -> np.ndarray | None:
    crop = grey[max(0, box.top) : box.bottom, max(0, box.left) : box.right]
    return crop < _INK if crop.size else None


def _glyph_columns(ink: np.ndarray) -> list[tuple[int, int]]:
    """The runs of inked columns, left to right, as (first, past the last): glyphs, or glyphs that touch."""
    inked = np.concatenate(([False], ink.any(axis=0), [False]))
    edges = np.flatnonzero(inked[1:] != inked[:-1])
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def _is_bar(ink: np.ndarray, glyph: tuple[int, int], word_top: int, line_height: int) -> bool:
    """Whether the glyph in those columns is a solid horizontal bar at mid-height of its line."""
    left, right = glyph
    rows = np.flatnonzero(ink[:, left:right].any(axis=1))
    top, bottom = int(rows[0]), int(rows[-1]) + 1
    thickness, width = bottom - top, right - left
    middle = (word_top + (top + bottom) / 2) / line_height
    return (
        thickness < _BAR_THICKNESS * line_height
        and width >= 2 * thickness
        and ink[top:bottom, left:right].mean() >= _BAR_FILL
        and _BAR_MIDDLE[0] <= middle <= _BAR_MIDDLE[1]
    )


def _dash_of_width(width: float) -> str:
    if width >= _EM_DASH_WIDTH:
        return EM_DASH
    return EN_DASH if width >= _EN_DASH_WIDTH else HYPHEN
