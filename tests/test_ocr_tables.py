"""Ruled tables on scanned pages: their cells found from the ruling lines and read row by row, cell by cell.

A page drawn here (Pillow's own font, so that no system font is needed) has a heading and a two-column table
whose cells hold several lines each: Tesseract alone reads such a table column by column, or runs its lines
across cells.
"""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from indexing.ocr import OcrOptions
from indexing.ocr.options import TableReading
from indexing.ocr.page_images import ScannedPage, page_image, rule_mask, without_pictures
from indexing.ocr.recognition import recognise_pages
from indexing.ocr.tables import Box, Cell, Word, reading_order, row_by_row, side_by_side_share, table_cells
from indexing.ocr.tesseract import Tesseract

DPI = 300
ROWS = [
    ["Name of the event", "What the referee does"],
    ["Long jump\nfinal round", "The referee raises\na white flag\nafter a valid jump"],
    ["Relay race", "The referee checks\nthe baton exchange"],
]


def grid(rows: list[int], columns: list[int], size: tuple[int, int]) -> np.ndarray:
    """A mask of ruling lines, 3 pixels thick, at those rows and columns, spanning the outer ones."""
    rules = np.zeros(size, dtype=bool)
    for row in rows:
        rules[row : row + 3, columns[0] : columns[-1] + 3] = True
    for column in columns:
        rules[rows[0] : rows[-1] + 3, column : column + 3] = True
    return rules


def test_the_cells_of_a_ruled_grid_are_found_and_the_page_around_it_is_not() -> None:
    rules = grid([100, 300, 500], [100, 400, 700, 1000], (1200, 1200))
    rules |= grid([800, 1000], [100, 1000], (1200, 1200))  # a second table: one cell
    cells = table_cells(rules, DPI)
    assert len(cells) == 7
    assert len({cell.table for cell in cells}) == 2
    assert Box(103, 103, 400, 300) in {cell.box for cell in cells}


def test_a_frame_round_the_page_is_not_a_cell() -> None:
    rules = grid([10, 1180], [10, 1180], (1200, 1200))
    assert table_cells(rules, DPI) == ()


def cell(left: int, top: int, right: int, bottom: int, table: int = 1) -> Cell:
    return Cell(table, Box(left, top, right, bottom))


def test_cells_are_read_row_by_row_on_a_turned_scan_and_a_tall_cell_in_its_first_row() -> None:
    tall = cell(0, 0, 100, 300)
    turned_row = [cell(100, 0, 200, 100), cell(200, 30, 300, 130)]  # the right one 30 pixels lower
    second_row = [cell(100, 100, 200, 200), cell(200, 130, 300, 230)]
    third_row = [cell(100, 200, 300, 300)]
    ordered = row_by_row([*third_row, *second_row, tall, *turned_row])
    assert ordered == [tall, *turned_row, *second_row, *third_row]


def word(text: str, left: int, top: int, line: tuple[int, int, int]) -> Word:
    return Word(line, text, Box(left, top, left + 50, top + 20))


def test_a_table_is_read_where_its_top_is_and_cell_by_cell() -> None:
    left, right = cell(0, 100, 100, 200), cell(100, 100, 200, 200)
    words = [  # Tesseract's order: the table's lines run across both cells, the heading comes last
        word("a1", 10, 110, (1, 1, 1)),
        word("b1", 110, 110, (1, 1, 1)),
        word("a2", 10, 150, (1, 1, 2)),
        word("b2", 110, 150, (1, 1, 2)),
        word("Heading", 10, 20, (2, 1, 1)),
        word("Below", 10, 300, (3, 1, 1)),
    ]
    assert reading_order(words, [left, right]) == [
        [["Heading"]],
        [["a1"], ["a2"]],
        [["b1"], ["b2"]],
        [["Below"]],
    ]


def drawn_table() -> Image.Image:
    """An A4 page at 300 dpi: a heading, then ``ROWS`` in a ruled table."""
    page = Image.new("L", (2480, 3508), 255)
    draw = ImageDraw.Draw(page)
    font = ImageFont.load_default(size=48)
    draw.text((300, 250), "Rules of the competition", font=font, fill=0)
    columns, top, height = [300, 1100, 2180], 450, 320
    for number, row in enumerate(ROWS):
        y = top + number * height
        for column, text in enumerate(row):
            draw.multiline_text((columns[column] + 40, y + 40), text, font=font, fill=0, spacing=16)
    for number in range(len(ROWS) + 1):
        draw.line([(columns[0], top + number * height), (columns[-1], top + number * height)], 0, 4)
    for x in columns:
        draw.line([(x, top), (x, top + len(ROWS) * height)], 0, 4)
    return page


def test_the_cells_of_a_drawn_table_are_found() -> None:
    grey = np.array(drawn_table())
    cells = table_cells(rule_mask(grey, DPI // 2), DPI)
    assert len(cells) == 6
    image = page_image(drawn_table(), DPI, OcrOptions(tables="cells"))
    assert len(image.cells) == 6
    assert image.cell_tiff is not None


@pytest.mark.usefixtures("tesseract")
@pytest.mark.parametrize("tables", ["cells", "order"])
def test_a_ruled_table_is_read_row_by_row_cell_by_cell(tables: TableReading) -> None:
    options = OcrOptions(tables=tables, workers=1)
    [page] = recognise_pages([ScannedPage(drawn_table(), DPI)], Tesseract(options), 1)
    text = " ".join(page.text.split())
    # Words Tesseract reads alike in Latin and Cyrillic («of» as «ої») are left out: the order is what counts.
    order = [
        "competition",
        "event",
        "referee does",
        "jump",
        "final",
        "raises",
        "white",
        "valid",
        "Relay",
        "checks",
    ]
    assert [text.find(word) for word in order] == sorted(text.find(word) for word in order)
    assert -1 not in [text.find(word) for word in order]


def test_lines_side_by_side_in_three_columns_are_a_grid_and_two_text_columns_are_not() -> None:
    def page(columns: int) -> list[Word]:
        return [
            word(f"w{column}{row}", 100 + 700 * column, 100 + 60 * row, (column + 1, 1, row + 1))
            for column in range(columns)
            for row in range(10)
        ]

    assert side_by_side_share(page(3)) == 1.0
    assert side_by_side_share(page(2)) == 0.0
    assert side_by_side_share([]) == 0.0


def test_a_picture_in_a_cell_is_whitened_and_a_letter_and_a_line_stay() -> None:
    crop = np.full((300, 600), 255, dtype=np.uint8)
    crop[20:200, 20:150] = 0  # a pictogram, 0.6 × 0.43 inch at 300 dpi
    crop[150:170, 200:500] = 0  # a line: long one way only
    crop[220:260, 300:330] = 0  # a letter
    cleaned = without_pictures(crop.copy(), DPI)
    assert (cleaned[20:200, 20:150] == 255).all()
    assert (cleaned[150:170, 200:500] == 0).all()
    assert (cleaned[220:260, 300:330] == 0).all()
