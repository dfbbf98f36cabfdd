"""Images as documents: a PNG, JPEG or TIFF (each frame of a multi-page TIFF a page), recognised with Tesseract."""

from __future__ import annotations

import itertools

from PIL import UnidentifiedImageError

from indexing.document import ParsedDocument
from indexing.errors import UnreadableFileError
from indexing.ocr import OcrOptions
from indexing.ocr.page_images import ImageLimitError, image_pages
from indexing.ocr.record import METADATA_KEY as OCR_METADATA_KEY
from indexing.readers.scanned_pages import recognise_image_pages

# What Pillow raises for a file that is not the image it claims, or is cut short (TypeError: a TIFF tag of the
# wrong type, found by scripts/fuzz_readers.py).
_DECODING_ERRORS = (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, TypeError)


def read_image(data: bytes, source: str, ocr: OcrOptions | None = None) -> list[ParsedDocument]:
    """One paginated document, a page per frame; every page is marked as recognised in ``metadata["ocr"]``."""
    ocr = ocr or OcrOptions()
    if not ocr.enabled:
        raise UnreadableFileError(source, "an image: its text can only be read by OCR, which is off")
    try:
        pages = image_pages(data)
        first = next(pages)
        recognition = recognise_image_pages(itertools.chain([first], pages), first.dpi, source, ocr)
    except ImageLimitError as error:
        raise UnreadableFileError(source, str(error)) from error
    except _DECODING_ERRORS as error:
        raise UnreadableFileError(source, f"corrupt image ({type(error).__name__}: {error})") from error
    texts = [recognition.pages[number].text for number in sorted(recognition.pages)]
    if not any(text.strip() for text in texts):
        raise UnreadableFileError(source, "no text found by OCR in the image")
    numbers = list(range(1, len(texts) + 1))
    metadata: dict[str, object] = {
        "page_count": len(texts),
        OCR_METADATA_KEY: recognition.record(numbers).to_metadata(),
    }
    empty = [number for number, text in zip(numbers, texts, strict=True) if not text.strip()]
    if empty:
        metadata["pages_without_text"] = empty
    return [ParsedDocument(source=source, pages=texts, paginated=True, metadata=metadata)]
