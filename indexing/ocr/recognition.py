"""Recognising many pages on every core without holding them all in memory.

Pages are produced lazily (rendered or decoded in the calling thread, which PDFium requires) and handed to one
Tesseract process per worker; at most twice as many images as workers wait in memory at any time, so a
170-page scan costs a few page images, not 170.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor

from PIL import ImageOps

from indexing.ocr.page_images import ScannedPage, page_image, pnm_bytes
from indexing.ocr.tesseract import RecognisedPage, Tesseract

_QUEUED_PER_WORKER = 2
_DOUBTFUL_CONFIDENCE = 75.0
"""A page read with a mean word confidence under this may be upside down or sideways: upright pages of text read
at 82–96 (a table of contents, its dot leaders read as letters, at 64), turned ones at 45–71, the cells of a
sideways table read one by one at the top of that (scripts/bench/ocr.py, «turned»)."""


def recognise_pages(pages: Iterable[ScannedPage], engine: Tesseract, workers: int) -> list[RecognisedPage]:
    """The text of each page, in order, each prepared (``page_image``, as the engine's options say) and recognised
    by a worker. The first page that fails stops the rest and raises its error."""

    def recognise(page: ScannedPage) -> RecognisedPage:
        return recognised_upright(page, engine)

    results: list[RecognisedPage] = []
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ocr") as pool:
        pending: deque[Future[RecognisedPage]] = deque()
        try:
            for page in pages:
                if len(pending) >= workers * _QUEUED_PER_WORKER:
                    results.append(pending.popleft().result())
                pending.append(pool.submit(recognise, page))
            while pending:
                results.append(pending.popleft().result())
        except BaseException:
            for future in pending:
                future.cancel()
            raise
    return results


def recognised_upright(page: ScannedPage, engine: Tesseract) -> RecognisedPage:
    """The page's text; a doubtful reading is checked against Tesseract's guess of the page's orientation, and the
    page turned upright and read again when it is turned, the surer of the two readings kept. Tesseract's layout
    analysis reads some sideways pages itself, but not a page upside down; guessing costs a second, so only a
    doubtful page pays it."""
    first = engine.recognise(page_image(page.picture, page.dpi, engine.options))
    if not engine.options.detect_orientation or (first.confidence or 0.0) >= _DOUBTFUL_CONFIDENCE:
        return first
    picture = ImageOps.exif_transpose(page.picture)  # as page_image sees it, its orientation tag spent
    turn = engine.clockwise_turn(pnm_bytes(picture), page.dpi)
    if not turn:
        return first
    upright = picture.rotate(-turn, expand=True)
    again = engine.recognise(page_image(upright, page.dpi, engine.options))
    return again if (again.confidence or 0.0) > (first.confidence or 0.0) else first
