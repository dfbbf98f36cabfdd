"""OCR: recognising the text of scanned pages and images with Tesseract.

The readers decide which pages need it (``indexing/readers/pdf_reader.py``: a page whose text layer is thin and
that draws a scan; ``image_reader.py``: every page of an image); this package renders those pages
(``pdf_pages``), prepares images (``page_images``), runs the engine on every core with bounded memory
(``recognition``, ``tesseract``) and describes what it did in the document's metadata (``record``).
"""

from indexing.ocr.options import OCR_MODES, OcrOptions
from indexing.ocr.record import OcrRecord
from indexing.ocr.tesseract import OcrFailedError, OcrUnavailableError

__all__ = ["OCR_MODES", "OcrFailedError", "OcrOptions", "OcrRecord", "OcrUnavailableError"]
