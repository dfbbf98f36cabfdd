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


def page_image(picture: Image.Image, dpi: int | None, remove_rules: bool) -> PageImage:
    """A page for Tesseract: upright, grey on white, ruling lines of tables whitened when ``remove_rules``.

    Tesseract reads the lines of a table's grid as «|», «[» or «©» and loses the words between them; whitened,
    the cells read as text (scripts/bench/ocr.py measures it). The rest stays as scanned: Tesseract does its own
    binarisation.
    """
    picture = ImageOps.exif_transpose(picture)  # a phone photo of a letter is often stored sideways
    if remove_rules:
        grey = np.array(_flattened(picture).convert("L"))
        inches = _RULE_INCHES * (dpi or grey.shape[1] / _A4_WIDTH_INCHES)
        picture = Image.fromarray(without_rules(grey, max(2, round(inches))))
    return PageImage(pnm_bytes(picture), dpi)


def without_rules(grey: np.ndarray, length: int) -> np.ndarray:
    """``grey`` with every dark straight run of at least ``length`` pixels, across or down, made white."""
    dark = grey < _DARK
    rules = _in_long_runs(dark, length) | _in_long_runs(np.ascontiguousarray(dark.T), length).T
    cleaned = grey.copy()
    cleaned[rules] = _WHITE
    return cleaned


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
