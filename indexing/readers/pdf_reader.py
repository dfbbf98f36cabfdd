"""PDF files: the text of each page, in order, with pypdf."""

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

_END_MARKER = b"%%EOF"
_END_MARKER_WINDOW = 1024
_MIN_TITLE_LETTERS = 3


def read_pdf(data: bytes, source: str) -> list[ParsedDocument]:
    """One document whose pages are the PDF's pages (page 1 first).

    Pages without text stay in place as empty strings, so that page numbers keep matching the file; their
    numbers are listed in ``metadata["pages_without_text"]``. A file where no page has text is refused.
    """
    with _pypdf_repair_warnings_silenced():
        reader = _open(data, source)
        pages = [_page_text(page, number, source) for number, page in enumerate(reader.pages, start=1)]
        title = _title(reader)
    if not any(page.strip() for page in pages):
        raise UnreadableFileError(source, "no extractable text — scanned? run OCR first")
    metadata: dict[str, object] = {"page_count": len(pages)}
    pages_without_text = [number for number, page in enumerate(pages, start=1) if not page.strip()]
    if pages_without_text:
        metadata["pages_without_text"] = pages_without_text
    return [ParsedDocument(source=source, pages=pages, paginated=True, title=title, metadata=metadata)]


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
