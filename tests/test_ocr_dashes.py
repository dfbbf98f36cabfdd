"""Dashes on scanned pages: the real Tesseract reads a Ukrainian «–» as «-» and drops the spaces around it in a row of
numbers; measured on the page (``indexing/ocr/dashes.py``), hyphens, en and em dashes and their spaces come back.

The page is drawn here in DejaVu Serif, the font matplotlib ships, at 12 points and 300 dpi.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from indexing.ocr import OcrOptions
from indexing.ocr.dashes import measured_dashes
from indexing.ocr.page_images import page_image
from indexing.ocr.tables import Box, Word
from indexing.ocr.tesseract import Tesseract

DPI = 300
ROUND = ["1 – (4)", "2 – 3", "3 – 4"]
"""A row of a round-robin table: who meets whom, the pairs in columns."""
LINES = [
    "Вага спортсмена: 100–160 кг, будь-яку кількість спроб.",
    "Правила змагань (далі – Правила) — основний документ.",
]
FONT = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSerif.ttf"

needs_tesseract = pytest.mark.usefixtures("tesseract")


def page_of(pairs: list[str], lines: list[str]) -> Image.Image:
    """An A4-wide grey page in 12-point DejaVu Serif: the pairs in a row of columns, then the lines."""
    picture = Image.new("L", (2480, 290 + 90 * len(lines)), 255)
    draw = ImageDraw.Draw(picture)
    font = ImageFont.truetype(str(FONT), 50)
    for column, pair in enumerate(pairs):
        draw.text((150 + 400 * column, 100), pair, font=font, fill=0)
    for number, line in enumerate(lines, start=1):
        draw.text((150, 100 + 90 * number), line, font=font, fill=0)
    return picture


def read(picture: Image.Image, options: OcrOptions) -> str:
    return Tesseract(options).recognise(page_image(picture, DPI, options)).text


@needs_tesseract
def test_dashes_and_their_spaces_come_back_and_hyphens_stay() -> None:
    text = read(page_of(ROUND, LINES), OcrOptions())

    assert "1 – (4) 2 – 3 3 – 4" in " ".join(text.split())
    assert "100–160" in text
    assert "будь-яку" in text
    assert "(далі – Правила) — основний" in text


@needs_tesseract
def test_without_measuring_tesseract_writes_every_dash_as_a_hyphen() -> None:
    """The defect the measurement mends, on the same page: if Tesseract one day writes «–», this says so."""
    text = read(page_of(ROUND, LINES), OcrOptions(measure_dashes=False))

    assert "–" not in text
    assert "1 – (4)" not in text


def bar(ink: np.ndarray, left: int, width: int) -> None:
    ink[45:50, left : left + width] = 0


def test_a_word_whose_bars_do_not_match_its_dashes_is_left_as_read() -> None:
    grey = np.full((100, 400), 255, dtype=np.uint8)
    grey[20:80, 10:40] = 0  # a letter
    bar(grey, 60, 60)
    bar(grey, 150, 60)
    grey[20:80, 230:260] = 0
    two_bars = Word((1, 1, 1), "a-b", Box(10, 20, 260, 80))

    assert measured_dashes([two_bars], grey) == [two_bars]


def test_a_bar_is_classed_by_its_width_and_spaced_by_its_gaps() -> None:
    grey = np.full((100, 400), 255, dtype=np.uint8)
    for left in (10, 65, 120, 220, 320):  # letters, a line (60 pixels) high
        grey[20:80, left : left + 30] = 0
    bar(grey, 45, 15)  # a hyphen, a quarter of the line wide, close to its letters
    bar(grey, 170, 33)  # an en dash, a space either side
    bar(grey, 255, 60)  # an em dash, no space
    line = (1, 1, 1)
    words = [Word(line, "a-b", Box(10, 20, 95, 80)), Word(line, "c-d—e", Box(120, 20, 350, 80))]

    assert [word.text for word in measured_dashes(words, grey)] == ["a-b", "c – d—e"]
