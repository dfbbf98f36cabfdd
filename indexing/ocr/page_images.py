"""Images as Tesseract reads them, and the limits that keep a hostile image from exhausting memory.

An image is checked by the size its header declares before a single pixel is decoded: a PNG of a few kilobytes
can declare a billion pixels (a «decompression bomb»). Pillow's own global guard is left alone (changing it
would change it for the whole process); the checks here are per call.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps
from scipy import ndimage

from indexing.ocr.options import OcrOptions
from indexing.ocr.tables import Box, table_cells
from indexing.ocr.tesseract import PageImage
from models.errors import HromadaError

MAX_PIXELS = 100_000_000
"""The largest image (or rendered page) recognised: an A3 page scanned at 600 dpi is 70 million pixels."""
MAX_PAGES = 2_000
"""The most frames (pages) of one TIFF that are read."""
_WHITE = 255
_DARK = 128
_RULE_INCHES = 0.5
"""A dark straight run this long is a ruling line, not a stroke: the longest letters are a few tenths of an
inch wide, the lines of a table's cells are longer."""
_A4_WIDTH_INCHES = 8.27
_ASSUMED_DPI = 300
_CELL_INSET_INCHES = 0.01
_CELL_MARGIN_INCHES = 0.07
_SPECK_INCHES = 0.02
_PICTURE_INCHES = 0.3
"""A stroke this tall and wide is part of a picture: a capital letter at 28 points is 0.3 inch tall, and a
letter's strokes are not that wide."""
"""A cell with fewer dark pixels than a square this wide is blank (a full stop at 10 points is about 0.02 inch)."""


class ImageLimitError(HromadaError):
    """An image too large to recognise safely, or one with too many pages."""


@dataclass(frozen=True)
class ScannedPage:
    """A page as it was decoded or rendered, not yet prepared for Tesseract (``page_image`` does that, in the
    worker that recognises it, so that preparing pages runs on every core too)."""

    picture: Image.Image
    dpi: int | None


def check_size(width: int, height: int, what: str) -> None:
    """Refuse an image of more than ``MAX_PIXELS`` pixels, naming ``what`` («page 3») in the message."""
    if width * height > MAX_PIXELS:
        raise ImageLimitError(
            f"{what} is too large an image: {width} × {height} = {width * height:,} pixels, over the limit "
            f"of {MAX_PIXELS:,} (a decompression bomb, or a scan at a needlessly high resolution)"
        )


def image_pages(data: bytes) -> Iterator[ScannedPage]:
    """The pages of an image file (a multi-page TIFF has several), each checked and decoded.

    Pillow's ``UnidentifiedImageError`` and decoding errors propagate: the reader reports them as corrupt.
    """
    try:
        opened = _quietly(Image.open, io.BytesIO(data))
    except Image.DecompressionBombError as error:
        raise ImageLimitError(f"is too large an image ({error})") from error
    with opened as image:
        frames = getattr(image, "n_frames", 1)
        if frames > MAX_PAGES:
            raise ImageLimitError(f"has {frames:,} pages, over the limit of {MAX_PAGES:,}")
        for index in range(frames):
            yield ScannedPage(_quietly(_frame, image, index), _dpi(image))


def _frame(image: Image.Image, index: int) -> Image.Image:
    image.seek(index)
    check_size(*image.size, f"page {index + 1}")
    # A copy: the next frame is decoded into the same image while this one waits for a worker.
    return image.copy()


def _quietly(function: Callable[..., Image.Image], *arguments: object) -> Image.Image:
    """``function(*arguments)`` without Pillow's warnings: its size warning (ours is the check that counts) and
    «Corrupt EXIF data» (the pixels are what is read). Never around a ``yield``: the filter is process-wide."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        warnings.simplefilter("ignore", UserWarning)
        return function(*arguments)


def page_image(picture: Image.Image, dpi: int | None, options: OcrOptions) -> PageImage:
    """A page for Tesseract: upright, grey on white, ruling lines of tables whitened (``options.remove_rules``),
    and the table cells those lines enclose, read as ``options.tables`` says (``options.TableReading``).

    Tesseract reads the lines of a table's grid as «|», «[» or «©» and loses the words between them; whitened,
    the cells read as text (scripts/bench/ocr.py measures it). The rest stays as scanned: Tesseract does its own
    binarisation.
    """
    picture = ImageOps.exif_transpose(picture)  # a phone photo of a letter is often stored sideways
    if not options.remove_rules and options.tables == "page":
        return PageImage(pnm_bytes(picture), dpi)
    grey = np.array(_flattened(picture).convert("L"))
    resolution = dpi or grey.shape[1] / _A4_WIDTH_INCHES
    rules = rule_mask(grey, max(2, round(_RULE_INCHES * resolution)))
    cells = table_cells(rules, resolution) if options.tables != "page" else ()
    if options.remove_rules:
        grey[rules] = _WHITE
    if options.tables != "cells" or not cells:
        return PageImage(pnm_bytes(Image.fromarray(grey)), dpi, cells)
    crops = {cell: _inside(grey, cell.box, resolution) for cell in cells}
    if options.remove_cell_pictures:
        crops = {cell: without_pictures(crop, resolution) for cell, crop in crops.items()}
    inked = tuple(cell for cell in cells if _inked(crops[cell], resolution))
    tiff = cell_tiff([crops[cell] for cell in inked], dpi) if inked else None
    for cell in cells:  # read on their own: the page's own pass reads what lies outside the tables
        grey[cell.box.top : cell.box.bottom, cell.box.left : cell.box.right] = _WHITE
    return PageImage(pnm_bytes(Image.fromarray(grey)), dpi, inked, tiff)


def _inside(grey: np.ndarray, box: Box, resolution: float) -> np.ndarray:
    """The inside of a cell, a little in from its box: the grey fringe of a ruling line reads as «|» or «і»."""
    inset = max(1, round(_CELL_INSET_INCHES * resolution))
    return grey[box.top + inset : box.bottom - inset, box.left + inset : box.right - inset].copy()


def without_pictures(crop: np.ndarray, resolution: float) -> np.ndarray:
    """The cell with the box of every stroke larger than a letter both ways whitened, the small strokes inside it
    with it: a pictogram or a signature in a cell, read as one block of text, comes out as «3 и а = 272 RS» (the
    page's own layout analysis sets pictures aside, a cell's reading does not). A line, a bracket or an underlined
    word is large one way only, and stays."""
    strokes, _ = ndimage.label(crop < _DARK, structure=np.ones((3, 3)))
    largest = _PICTURE_INCHES * resolution
    for found in ndimage.find_objects(strokes):
        rows, columns = found
        if min(rows.stop - rows.start, columns.stop - columns.start) >= largest:
            crop[found] = _WHITE
    return crop


def _inked(crop: np.ndarray, resolution: float) -> bool:
    """Whether a cell holds more ink than a speck of dust."""
    return int((crop < _DARK).sum()) >= (_SPECK_INCHES * resolution) ** 2


def cell_tiff(crops: list[np.ndarray], dpi: int | None) -> bytes:
    """The cells as the pages of one TIFF, each with a white margin (Tesseract finds no text touching the edge),
    so that one Tesseract process reads them all."""
    margin = max(1, round(_CELL_MARGIN_INCHES * (dpi or _ASSUMED_DPI)))
    pages = [Image.fromarray(np.pad(crop, margin, constant_values=_WHITE)) for crop in crops]
    buffer = io.BytesIO()
    extra = {"dpi": (dpi, dpi)} if dpi else {}
    pages[0].save(
        buffer, format="TIFF", save_all=True, append_images=pages[1:], compression="tiff_lzw", **extra
    )
    return buffer.getvalue()


def rule_mask(grey: np.ndarray, length: int) -> np.ndarray:
    """The pixels of ``grey`` in a dark straight run of at least ``length`` pixels, across or down."""
    dark = grey < _DARK
    return _in_long_runs(dark, length) | _in_long_runs(np.ascontiguousarray(dark.T), length).T


def _in_long_runs(dark: np.ndarray, length: int) -> np.ndarray:
    """The pixels of ``dark`` that lie in a run of at least ``length`` along their row (a morphological opening
    with a 1 × ``length`` line, computed with running sums so that its cost does not grow with ``length``)."""
    rows, columns = dark.shape
    if columns < length:
        return np.zeros_like(dark)
    sums = np.zeros((rows, columns + 1), np.int32)
    np.cumsum(dark, axis=1, dtype=np.int32, out=sums[:, 1:])
    starts = sums[:, length:] - sums[:, :-length] == length  # a full run of ``length`` begins here
    # begun[:, k]: how many full runs begin before column k; a pixel is covered by a run that began at most
    # ``length - 1`` columns before it.
    begun = sums  # reused: the running sums are no longer needed
    begun[:, 0] = 0
    last = columns - length + 1
    np.cumsum(starts, axis=1, dtype=np.int32, out=begun[:, 1 : last + 1])
    begun[:, last + 1 :] = begun[:, last : last + 1]
    covered = np.empty_like(dark)
    covered[:, : length - 1] = begun[:, 1:length] > 0
    covered[:, length - 1 :] = begun[:, length:] > begun[:, :last]
    return covered


def pnm_bytes(image: Image.Image) -> bytes:
    """The image as binary PNM: black-and-white stays 1-bit, everything else becomes 8-bit grey on white."""
    if image.mode != "1":
        image = _flattened(image).convert("L")
    buffer = io.BytesIO()
    image.save(buffer, format="PPM")
    return buffer.getvalue()


def _flattened(image: Image.Image) -> Image.Image:
    """Transparent parts as white paper: dropping the alpha channel would turn them black."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        background = Image.new("RGBA", image.size, (_WHITE, _WHITE, _WHITE, _WHITE))
        return Image.alpha_composite(background, image.convert("RGBA"))
    return image


def _dpi(image: Image.Image) -> int | None:
    """The resolution the file declares, if it is plausible (some writers put 1 or 72 for «unknown»)."""
    dpi = image.info.get("dpi")
    if not dpi:
        return None
    value = round(float(dpi[0]))
    return value if 100 <= value <= 1200 else None
