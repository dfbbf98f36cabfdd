"""The readers' side of OCR: recognise chosen pages of a PDF, or every page of an image, and say what was done.

Whatever goes wrong is turned into ``UnreadableFileError`` naming the file: a missing Tesseract or language pack
as «scanned: install tesseract-ocr-ukr to read it», so that the rest of an indexing run goes on.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from indexing.errors import UnreadableFileError
from indexing.ocr import OcrFailedError, OcrOptions, OcrRecord, OcrUnavailableError
from indexing.ocr.page_images import ScannedPage
from indexing.ocr.pdf_pages import PdfPages, PdfRenderError
from indexing.ocr.recognition import recognise_pages
from indexing.ocr.tesseract import RecognisedPage, Tesseract


@dataclass(frozen=True)
class Recognition:
    """The pages recognised in one file (1-based numbers) and the engine that read them."""

    pages: dict[int, RecognisedPage]
    engine: str = ""
    languages: str = ""
    dpi: int | None = None

    def record(self, numbers: Sequence[int]) -> OcrRecord:
        """The metadata record of the pages ``numbers``, whose recognised text the document keeps."""
        return OcrRecord(
            pages=list(numbers),
            engine=self.engine,
            languages=self.languages,
            dpi=self.dpi,
            page_confidence=[self.pages[number].confidence for number in numbers],
        )


def recognise_scanned_pages(
    data: bytes, candidates: Iterable[int], min_image_share: float, source: str, ocr: OcrOptions
) -> Recognition:
    """Recognise those of the PDF's ``candidates`` whose images cover at least ``min_image_share`` of them."""
    try:
        with PdfPages(data) as pdf:
            scans = [number for number in candidates if pdf.image_share(number) >= min_image_share]
            if not scans:
                return Recognition({})
            engine, version = _engine(ocr, source)
            images = (pdf.render(number, ocr.dpi) for number in scans)
            texts = _recognised(images, engine, ocr, source)
    except PdfRenderError as error:
        raise UnreadableFileError(source, f"corrupt PDF: {error}") from error
    return Recognition(dict(zip(scans, texts, strict=True)), version, ocr.languages, ocr.dpi)


def recognise_image_pages(
    images: Iterable[ScannedPage], dpi: int | None, source: str, ocr: OcrOptions
) -> Recognition:
    """Recognise every page of an image file, whose first page declares ``dpi``."""
    engine, version = _engine(ocr, source)
    texts = _recognised(images, engine, ocr, source)
    return Recognition(dict(enumerate(texts, start=1)), version, ocr.languages, dpi)


def _engine(ocr: OcrOptions, source: str) -> tuple[Tesseract, str]:
    engine = Tesseract(ocr)
    try:
        return engine, engine.version()
    except OcrUnavailableError as error:
        raise UnreadableFileError(
            source, f"scanned: install {' '.join(error.packages)} to read it"
        ) from error


def _recognised(
    images: Iterable[ScannedPage], engine: Tesseract, ocr: OcrOptions, source: str
) -> list[RecognisedPage]:
    try:
        return recognise_pages(images, engine, ocr.worker_count)
    except OcrFailedError as error:
        raise UnreadableFileError(source, f"OCR failed: {error}") from error
