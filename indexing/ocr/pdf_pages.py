"""PDF pages as images, with PDFium (pypdfium2): which pages draw a scan, and each page rendered in grey.

PDFium renders in-process, 1.4–1.9 times as fast as poppler's ``pdftoppm`` here (which re-reads the file for
every page), and it can list a page's image objects, which is how a scanned page is told from a short one.
PDFium is not thread-safe: one ``PdfPages`` is used from one thread.
"""

from __future__ import annotations

import math
from types import TracebackType

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from indexing.ocr.page_images import MAX_PIXELS, ScannedPage
from models.errors import HromadaError

_POINTS_PER_INCH = 72
# Images inside form objects inside form objects: deeper nesting is not how scanners write pages.
_IMAGE_DEPTH = 3


class PdfRenderError(HromadaError):
    """PDFium cannot open or render the PDF."""


class PdfPages:
    """One PDF opened with PDFium; pages are 1-based."""

    def __init__(self, data: bytes) -> None:
        try:
            # An empty password opens a PDF encrypted only against editing, as pypdf's reader does.
            self._document = pdfium.PdfDocument(data, password="")
        except pdfium.PdfiumError as error:
            raise PdfRenderError(f"PDFium cannot open it ({error})") from error

    def __enter__(self) -> PdfPages:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._document.close()

    def image_share(self, number: int) -> float:
        """How much of page ``number`` its images cover, 0–1 (overlaps counted twice, capped at 1)."""
        page = self._document[number - 1]
        try:
            width, height = page.get_size()
            covered = 0.0
            for image in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=_IMAGE_DEPTH):
                left, bottom, right, top = image.get_bounds()
                covered += max(0.0, right - left) * max(0.0, top - bottom)
            return min(1.0, covered / (width * height)) if width * height > 0 else 0.0
        finally:
            page.close()

    def render(self, number: int, dpi: int) -> ScannedPage:
        """Page ``number`` in grey at ``dpi``, or at the highest resolution under ``MAX_PIXELS`` for a huge page."""
        page = self._document[number - 1]
        try:
            width, height = page.get_size()
            scale = dpi / _POINTS_PER_INCH
            pixels = width * height * scale * scale
            if pixels > MAX_PIXELS:
                scale *= math.sqrt(MAX_PIXELS / pixels)
            bitmap = page.render(scale=scale, grayscale=True, draw_annots=True)
            try:
                # A copy: the bitmap's memory is freed when it is closed.
                return ScannedPage(bitmap.to_pil().copy(), round(scale * _POINTS_PER_INCH))
            finally:
                bitmap.close()
        except pdfium.PdfiumError as error:
            raise PdfRenderError(f"PDFium cannot render page {number} ({error})") from error
        finally:
            page.close()
