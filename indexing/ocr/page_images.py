"""Images as Tesseract reads them, and the limits that keep a hostile image from exhausting memory.

An image is checked by the size its header declares before a single pixel is decoded: a PNG of a few kilobytes
can declare a billion pixels (a «decompression bomb»). Pillow's own global guard is left alone (changing it
would change it for the whole process); the checks here are per call.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator

from PIL import Image, ImageOps

from indexing.ocr.tesseract import PageImage
from models.errors import HromadaError

MAX_PIXELS = 100_000_000
"""The largest image (or rendered page) recognised: an A3 page scanned at 600 dpi is 70 million pixels."""
MAX_PAGES = 2_000
"""The most frames (pages) of one TIFF that are read."""
_WHITE = 255


class ImageLimitError(HromadaError):
    """An image too large to recognise safely, or one with too many pages."""


def check_size(width: int, height: int, what: str) -> None:
    """Refuse an image of more than ``MAX_PIXELS`` pixels, naming ``what`` («page 3») in the message."""
    if width * height > MAX_PIXELS:
        raise ImageLimitError(
            f"{what} is too large an image: {width} × {height} = {width * height:,} pixels, over the limit "
            f"of {MAX_PIXELS:,} (a decompression bomb, or a scan at a needlessly high resolution)"
        )


def image_pages(data: bytes) -> Iterator[PageImage]:
    """The pages of an image file (a multi-page TIFF has several), each checked, decoded and made grey.

    Pillow's ``UnidentifiedImageError`` and decoding errors propagate: the reader reports them as corrupt.
    """
    with warnings.catch_warnings():
        # Pillow warns (and at twice its limit raises) about large images; ours is the check that counts.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            opened = Image.open(io.BytesIO(data))
        except Image.DecompressionBombError as error:
            raise ImageLimitError(f"is too large an image ({error})") from error
        with opened as image:
            frames = getattr(image, "n_frames", 1)
            if frames > MAX_PAGES:
                raise ImageLimitError(f"has {frames:,} pages, over the limit of {MAX_PAGES:,}")
            for index in range(frames):
                image.seek(index)
                check_size(*image.size, f"page {index + 1}")
                yield PageImage(pnm_bytes(image), _dpi(image))


def pnm_bytes(image: Image.Image) -> bytes:
    """The image as binary PNM: black-and-white stays 1-bit, everything else becomes 8-bit grey on white."""
    image = ImageOps.exif_transpose(image)  # a phone photo of a letter is often stored sideways
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
