"""A scanned page fed upside down or sideways is turned upright by Tesseract's guess of its orientation."""

from __future__ import annotations

import pytest

from indexing.ocr import OcrOptions
from indexing.ocr.page_images import ScannedPage
from indexing.ocr.recognition import recognise_pages
from indexing.ocr.tesseract import Tesseract
from tests.test_ocr_tables import DPI, drawn_table


@pytest.mark.usefixtures("tesseract")
@pytest.mark.parametrize("degrees", [90, 180])
def test_a_turned_page_is_read_upright(degrees: int) -> None:
    turned = ScannedPage(drawn_table().rotate(degrees, expand=True, fillcolor=255), DPI)
    [upright] = recognise_pages([turned], Tesseract(OcrOptions(workers=1)), 1)
    [as_is] = recognise_pages([turned], Tesseract(OcrOptions(workers=1, detect_orientation=False)), 1)
    assert "competition" in upright.text and "referee" in upright.text
    assert "competition" not in as_is.text
