"""PDF files: the text of each page, in order, with pypdf; scanned pages recognised with Tesseract.

A page's text layer is usable when it holds at least 200 letters and digits (three lines; a page of the
sports rules has a median of 1,227 letters). A thinner page is a scan when images cover at least a tenth of
it: a page number, a stamp or «Додаток 8» typed over a scanned table does not make it a text page, while a
cover page with a logo (4% of the page) or a short closing page is not a scan. A scan's recognised text replaces its layer only when it has at least twice as many letters and
digits, so a short page of real text keeps its exact words. With ``OcrOptions.mode == "on"`` every page is
recognised and its text layer ignored (for PDFs whose text is drawn as outlines or whose layer is garbage).
"""

from __future__ import annotations

import io
import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import pypdf
from pypdf.errors import DependencyError, PdfReadWarning, PyPdfError

from indexing.document import ParsedDocument
from indexing.errors import UnreadableFileError
from indexing.ocr import OcrOptions, OcrRecord
from indexing.ocr.record import METADATA_KEY as OCR_METADATA_KEY
from indexing.readers.scanned_pages import recognise_scanned_pages

_END_MARKER = b"%%EOF"
_END_MARKER_WINDOW = 1024
_MIN_TITLE_LETTERS = 3
USABLE_TEXT_CHARACTERS = 200
"""Letters and digits from which a page's text layer is used as it is."""
SCAN_IMAGE_SHARE = 0.1
"""The share of a thin page that images must cover for it to be recognised as a scan."""
_OCR_GAIN = 2


def read_pdf(data: bytes, source: str, ocr: OcrOptions | None = None) -> list[ParsedDocument]:
    """One document whose pages are the PDF's pages (page 1 first), scanned pages recognised (see above).

    Pages without text stay in place as empty strings, so that page numbers keep matching the file; their
    numbers are listed in ``metadata["pages_without_text"]``, the recognised ones in ``metadata["ocr"]``. A
    file where no page has text is refused.
    """
    ocr = ocr or OcrOptions()
    with _pypdf_repair_warnings_silenced():
        reader = _open(data, source)
        pages = [_page_text(page, number, source) for number, page in enumerate(reader.pages, start=1)]
        title = _title(reader)
    metadata: dict[str, object] = {"page_count": len(pages)}
    if ocr.enabled:
        pages, record = _with_scans_recognised(data, pages, source, ocr)
        if record is not None:
            metadata[OCR_METADATA_KEY] = record.to_metadata()
    if not any(page.strip() for page in pages):
        if not ocr.enabled:
            raise UnreadableFileError(source, "no extractable text — scanned? OCR is off (HROMADA_OCR=off)")
        raise UnreadableFileError(
            source, "no text: no page has a text layer or words that OCR could recognise"
        )
    pages_without_text = [number for number, page in enumerate(pages, start=1) if not page.strip()]
    if pages_without_text:
        metadata["pages_without_text"] = pages_without_text
    return [ParsedDocument(source=source, pages=pages, paginated=True, title=title, metadata=metadata)]


def _with_scans_recognised(
    data: bytes, pages: list[str], source: str, ocr: OcrOptions
) -> tuple[list[str], OcrRecord | None]:
    """The pages with each scan's text recognised, and the record of which pages were replaced."""
    thin = [
        number for number, text in enumerate(pages, start=1) if _characters(text) < USABLE_TEXT_CHARACTERS
    ]
    if ocr.mode == "auto" and not thin:
        return pages, None
    candidates = range(1, len(pages) + 1) if ocr.mode == "on" else thin
    recognised = recognise_scanned_pages(
        data, candidates, SCAN_IMAGE_SHARE if ocr.mode == "auto" else 0.0, source, ocr
    )
    kept = {
        number: page
        for number, page in recognised.pages.items()
        if ocr.mode == "on" or _characters(page.text) >= _OCR_GAIN * max(1, _characters(pages[number - 1]))
    }
    if not kept:
        return pages, None
    merged = [kept[number].text if number in kept else text for number, text in enumerate(pages, start=1)]
    return merged, recognised.record(sorted(kept))


def _characters(text: str) -> int:
    return sum(char.isalnum() for char in text)


@contextmanager
def _pypdf_repair_warnings_silenced() -> Iterator[None]:
    """Mute pypdf's warnings while it reads; its errors still raise.

    pypdf logs a warning for every broken cross-reference it repairs («Ignoring wrong pointing object»),
    thousands for some PDFs that it then reads perfectly well: noise that buries real messages.
    """
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PdfReadWarning)
            yield
    finally:
        logger.setLevel(level)


def _open(data: bytes, source: str) -> pypdf.PdfReader:
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
    except (PyPdfError, ValueError, KeyError, TypeError) as error:
        if _END_MARKER not in data[-_END_MARKER_WINDOW:]:
            raise UnreadableFileError(source, "truncated PDF (its end-of-file marker is missing)") from error
        raise UnreadableFileError(source, f"corrupt PDF ({error})") from error
    if reader.is_encrypted:
        _decrypt_without_password(reader, source)
    return reader


def _decrypt_without_password(reader: pypdf.PdfReader, source: str) -> None:
    """Open a PDF that is encrypted only against editing (an empty user password), as any viewer does."""
    try:
        result = reader.decrypt("")
    except DependencyError as error:
        raise UnreadableFileError(
            source, "encrypted with AES, which needs the 'cryptography' package to be opened"
        ) from error
    if result == pypdf.PasswordType.NOT_DECRYPTED:
        raise UnreadableFileError(source, "encrypted: a password is needed to open it")


def _page_text(page: pypdf.PageObject, number: int, source: str) -> str:
    try:
        return page.extract_text()
    except (PyPdfError, ValueError, KeyError, TypeError) as error:
        raise UnreadableFileError(source, f"corrupt PDF: page {number} cannot be read ({error})") from error


def _title(reader: pypdf.PdfReader) -> str | None:
    """The title in the PDF's metadata, unless it is a placeholder such as «1»."""
    title = (reader.metadata.title or "").strip() if reader.metadata else ""
    return title if sum(char.isalpha() for char in title) >= _MIN_TITLE_LETTERS else None
