"""Tables found by their ruling lines, and the words of a page put in reading order: a table cell by cell, row by row.

Tesseract's layout analysis reads a ruled table column by column, or runs one line across several cells, so that
«Дії суддів» and «Дії асистентів при суддях» come out interleaved. The ruling lines say where each cell is: the
regions they enclose (``table_cells``). Each cell is read on its own (``page_images.page_image``,
``Tesseract.recognise``), or the page's words are regrouped by cell, and then put in order (``reading_order``):
text outside tables in Tesseract's order, a table where its top is, its cells one after another row by row, left
to right — the order in which a table is written and read.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import ndimage

_MIN_CELL_INCHES = 0.08
"""An enclosed region narrower or lower than this is the gap between a double rule, not a cell."""
_FRAME_SHARE = 0.5
"""A region covering more than this share of the page is a frame around the page's text, not a table cell."""
_GRID_COLUMNS = 3
"""Two columns side by side are a page's text columns; three or more, a table's."""


@dataclass(frozen=True)
class Box:
    left: int
    top: int
    right: int
    bottom: int

    @property
    def centre(self) -> tuple[float, float]:
        return (self.left + self.right) / 2, (self.top + self.bottom) / 2

    def contains(self, x: float, y: float) -> bool:
        return self.left <= x < self.right and self.top <= y < self.bottom


@dataclass(frozen=True)
class Cell:
    """A region of a page enclosed by ruling lines; ``table`` numbers the grid of lines that encloses it."""

    table: int
    box: Box


@dataclass(frozen=True)
class Word:
    """A word as Tesseract found it: its line (block, paragraph, line numbers), text and box."""

    line: tuple[int, int, int]
    text: str
    box: Box


Line = list[str]
LineKey = tuple[int, int, int]
Paragraph = list[Line]


def table_cells(rules: np.ndarray, dpi: float) -> tuple[Cell, ...]:
    """The cells of the tables drawn by ``rules`` (a page-sized mask of ruling-line pixels): the regions the lines
    enclose, those touching the page's edge (the page around the tables) and frames excepted."""
    regions, _ = ndimage.label(~rules)
    grids, _ = ndimage.label(rules, structure=np.ones((3, 3)))
    minimum = max(2, round(_MIN_CELL_INCHES * dpi))
    edge = set(np.unique(np.concatenate([regions[0], regions[-1], regions[:, 0], regions[:, -1]])))
    cells = []
    for label, found in enumerate(ndimage.find_objects(regions), start=1):
        if found is None or label in edge:
            continue
        rows, columns = found
        box = Box(columns.start, rows.start, columns.stop, rows.stop)
        height, width = rows.stop - rows.start, columns.stop - columns.start
        if min(height, width) < minimum or height * width > _FRAME_SHARE * rules.size:
            continue
        cells.append(Cell(_grid_above(grids, box), box))
    return tuple(cells)


def _grid_above(grids: np.ndarray, box: Box) -> int:
    """The grid whose line runs along the top of the cell (the row of pixels just above its box)."""
    above = grids[max(0, box.top - 1), box.left : box.right]
    labels = above[above > 0]
    return int(np.bincount(labels).argmax()) if labels.size else 0


def reading_order(
    words: Iterable[Word], cells: Sequence[Cell], cell_words: Mapping[Cell, Iterable[Word]] | None = None
) -> list[Paragraph]:
    """The page's paragraphs: Tesseract's outside tables, one per cell inside them (see the module's docstring).
    With ``cell_words`` (each cell read on its own), a cell's words are those, and ``words`` in a cell are
    dropped."""
    free: dict[tuple[int, int], dict[LineKey, Line]] = {}
    tops: dict[tuple[int, int], int] = {}
    in_cells: dict[Cell, dict[LineKey, Line]] = {}
    for word in words:
        cell = _cell_of(word, cells)
        if cell is None:
            paragraph = word.line[:2]
            free.setdefault(paragraph, {}).setdefault(word.line, []).append(word.text)
            tops[paragraph] = min(tops.get(paragraph, word.box.top), word.box.top)
        elif cell_words is None:
            in_cells.setdefault(cell, {}).setdefault(word.line, []).append(word.text)
    for cell, found in (cell_words or {}).items():
        for word in found:
            in_cells.setdefault(cell, {}).setdefault(word.line, []).append(word.text)
    tables = _tables_from_the_top(in_cells)
    ordered: list[Paragraph] = []
    for paragraph, lines in free.items():
        while tables and tables[0][0].box.top < tops[paragraph]:
            ordered += [list(in_cells[cell].values()) for cell in tables.pop(0)]
        ordered.append(list(lines.values()))
    for table in tables:
        ordered += [list(in_cells[cell].values()) for cell in table]
    return ordered


def _tables_from_the_top(cells: Iterable[Cell]) -> list[list[Cell]]:
    """The tables of ``cells``, each a list of its cells row by row, the topmost table first. A table goes before
    the first paragraph outside tables that begins below its top: text is read from the top of the page, and
    Tesseract sometimes puts a page's heading after the table under it."""
    tables: dict[int, list[Cell]] = {}
    for cell in cells:
        tables.setdefault(cell.table, []).append(cell)
    return sorted((row_by_row(table) for table in tables.values()), key=lambda table: table[0].box.top)


def _cell_of(word: Word, cells: Sequence[Cell]) -> Cell | None:
    """The smallest cell that holds the word's centre, if any."""
    x, y = word.box.centre
    holding = [cell for cell in cells if cell.box.contains(x, y)]
    return min(holding, key=lambda cell: _area(cell.box), default=None)


def _area(box: Box) -> int:
    return (box.right - box.left) * (box.bottom - box.top)


def row_by_row(cells: Iterable[Cell]) -> list[Cell]:
    """Cells in rows from the top, each row from the left. A row is the cells whose top lies above the middle of
    the lowest cell beginning beside the topmost one: a cell spanning several rows belongs to its first, and a
    scan turned by a degree moves a row's tops by far less than half a row's height."""
    remaining = sorted(cells, key=lambda cell: (cell.box.top, cell.box.left))
    ordered: list[Cell] = []
    while remaining:
        first = remaining[0]
        beside = [cell for cell in remaining if cell.box.top < first.box.bottom]
        middle = min((cell.box.top + cell.box.bottom) / 2 for cell in beside)
        row = [cell for cell in remaining if cell.box.top < middle]
        ordered += sorted(row, key=lambda cell: cell.box.left)
        remaining = [cell for cell in remaining if cell.box.top >= middle]
    return ordered


def side_by_side_share(words: Sequence[Word]) -> float:
    """The share of the words on lines that stand beside lines of at least two other blocks of Tesseract's layout:
    the rows of a grid of three or more columns."""
    spans = line_spans(words)
    counts = Counter(word.line for word in words)
    beside = 0
    for key, (top, bottom) in spans.items():
        others = {
            other[0] for other, span in spans.items() if other[0] != key[0] and _level((top, bottom), span)
        }
        if len(others) >= _GRID_COLUMNS - 1:
            beside += counts[key]
    return beside / len(words) if words else 0.0


def line_spans(words: Sequence[Word]) -> dict[LineKey, tuple[int, int]]:
    """Each line's top and bottom: the span of its words' boxes."""
    spans: dict[LineKey, tuple[int, int]] = {}
    for word in words:
        top, bottom = spans.get(word.line, (word.box.top, word.box.bottom))
        spans[word.line] = (min(top, word.box.top), max(bottom, word.box.bottom))
    return spans


def _level(one: tuple[int, int], other: tuple[int, int]) -> bool:
    """Whether two lines, given by their top and bottom, overlap by over half the lower one's height."""
    overlap = min(one[1], other[1]) - max(one[0], other[0])
    return overlap > min(one[1] - one[0], other[1] - other[0]) / 2
