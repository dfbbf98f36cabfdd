"""Recognising many pages on every core without holding them all in memory.

Pages are produced lazily (rendered or decoded in the calling thread, which PDFium requires) and handed to one
Tesseract process per worker; at most twice as many images as workers wait in memory at any time, so a
170-page scan costs a few page images, not 170.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor

from indexing.ocr.page_images import ScannedPage, page_image
from indexing.ocr.tesseract import RecognisedPage, Tesseract

_QUEUED_PER_WORKER = 2


def recognise_pages(pages: Iterable[ScannedPage], engine: Tesseract, workers: int) -> list[RecognisedPage]:
    """The text of each page, in order, each prepared (``page_image``, as the engine's options say) and recognised
    by a worker. The first page that fails stops the rest and raises its error."""

    def recognise(page: ScannedPage) -> RecognisedPage:
        return engine.recognise(page_image(page.picture, page.dpi, engine.options))

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
