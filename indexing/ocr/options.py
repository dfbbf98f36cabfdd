"""How pages are recognised: when, in which languages, at what resolution, with which program."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Literal

OCR_MODES = ("auto", "on", "off")
"""``auto``: pages without a usable text layer and images; ``on``: every page, the text layer ignored (for PDFs
whose text is drawn as outlines or whose text layer is garbage); ``off``: never."""
TableReading = Literal["cells", "order", "page"]
"""How a ruled table is read. ``cells``: each cell recognised on its own, the cells read row by row (a lone «8»
in a cell is read, and no line runs across cells); ``order``: the page recognised whole and its words regrouped
by cell; ``page``: the page recognised whole, in Tesseract's order."""


@dataclass(frozen=True)
class OcrOptions:
    """The OCR settings of one indexing run (``HROMADA_OCR*`` in ``service/settings.py``)."""

    mode: str = "auto"
    languages: str = "ukr+rus+eng"
    """Tesseract's language codes joined by «+»; each needs Debian's ``tesseract-ocr-<code>``. English reads the
    Latin names, terms and tables of Ukrainian documents (scripts/bench/ocr.py: CER 8.7% → 8.3%)."""
    dpi: int = 300
    """The resolution PDF pages are rendered at (scripts/bench/ocr.py compares 200, 300 and 400)."""
    tesseract: str = "tesseract"
    """The Tesseract program: a name looked up on PATH, or a path."""
    workers: int | None = None
    """Pages recognised at once, one Tesseract process each; None: one per core this process may use."""
    page_segmentation: int = 3
    """Tesseract's ``--psm``: 3 is its fully automatic layout analysis."""
    remove_rules: bool = True
    """Whiten the ruling lines of tables before recognition (``page_images.page_image``)."""
    tables: TableReading = "cells"
    """How a ruled table is read (``TableReading``)."""
    remove_cell_pictures: bool = True
    """Whiten the pictures in a table's cells before each is read (``page_images.without_pictures``)."""
    detect_orientation: bool = True
    """Turn a doubtfully read page upright by Tesseract's guess of its orientation and read it again
    (``recognition.recognised_upright``)."""
    unruled_tables: bool = True
    """Read a page whose lines stand side by side in columns again as one block, and keep the surer reading
    (``Tesseract._page_words``)."""
    measure_dashes: bool = True
    """Write each dash as its width on the page says, with the spaces Tesseract dropped around it (``dashes.py``:
    the Ukrainian model writes every «–» as «-»)."""
    page_timeout: float = 300.0
    """Seconds one page may take before its file is given up on."""

    @property
    def enabled(self) -> bool:
        return self.mode != "off"

    @property
    def worker_count(self) -> int:
        return self.workers or len(os.sched_getaffinity(0))
