"""Scans made from real pages: the sports-rules fixture PDF (three pages of a real federation's rules) rendered to
images as a scanner saves them, grey at 200 dpi, into an image-only PDF, a PDF of text pages with one scanned
page among them, a multi-page TIFF, a PNG and a JPEG. Nothing here is recognised: the tests run Tesseract.
"""

from __future__ import annotations

import io
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import pypdf
import pypdfium2 as pdfium
from PIL import Image

SPORT_RULES_PDF = Path(__file__).resolve().parent / "fixtures" / "readers" / "sport-rules-3-pages.pdf"
SCAN_DPI = 200
PAGE_2_PHRASE = "призначається спортивний інспектор спортивних змагань"
"""Words on page 2 (page 15 of the rules), one line of it, as a search would ask for them."""
PAGE_3_PHRASE = "ознайомитися з освітленням танцмайданчика"


@dataclass(frozen=True)
class Scans:
    image_pdf: Path
    """Pages 1–2 as images only: no text layer at all."""
    mixed_pdf: Path
    """Page 1 and 3 with their text layer, page 2 an image."""
    tiff: Path
    """Pages 2–3 as a two-page TIFF."""
    png: Path
    """Page 2."""
    jpeg: Path
    """Page 3, JPEG-compressed as phones and cheap scanners save."""


def make_scans(folder: Path) -> Scans:
    """The scans, written into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    pages = rendered_pages(SPORT_RULES_PDF, SCAN_DPI)
    scans = Scans(
        image_pdf=folder / "протокол-скан.pdf",
        mixed_pdf=folder / "правила-зі-сканом.pdf",
        tiff=folder / "скан-двох-сторінок.tiff",
        png=folder / "скан-сторінки.png",
        jpeg=folder / "фото-сторінки.jpg",
    )
    scans.image_pdf.write_bytes(image_pdf(pages[:2]))
    scans.mixed_pdf.write_bytes(mixed_pdf(SPORT_RULES_PDF, {2: pages[1]}))
    pages[1].save(
        scans.tiff,
        save_all=True,
        append_images=[pages[2]],
        dpi=(SCAN_DPI, SCAN_DPI),
        compression="tiff_deflate",
    )
    pages[1].save(scans.png, dpi=(SCAN_DPI, SCAN_DPI))
    pages[2].save(scans.jpeg, quality=80, dpi=(SCAN_DPI, SCAN_DPI))
    return scans


def rendered_pages(pdf: Path, dpi: int) -> list[Image.Image]:
    document = pdfium.PdfDocument(pdf)
    try:
        return [page.render(scale=dpi / 72, grayscale=True).to_pil().copy() for page in document]
    finally:
        document.close()


def image_pdf(pages: list[Image.Image]) -> bytes:
    # Copies: Pillow's PDF writer leaves its JPEG settings on the images, which breaks their next save as TIFF.
    pages = [page.copy() for page in pages]
    buffer = io.BytesIO()
    pages[0].save(buffer, format="PDF", save_all=True, append_images=pages[1:], resolution=SCAN_DPI)
    return buffer.getvalue()


def mixed_pdf(source: Path, scanned: dict[int, Image.Image]) -> bytes:
    """``source`` with the pages numbered in ``scanned`` (1-based) replaced by those images."""
    writer = pypdf.PdfWriter()
    for number, page in enumerate(pypdf.PdfReader(source).pages, start=1):
        if number in scanned:
            page = pypdf.PdfReader(io.BytesIO(image_pdf([scanned[number]]))).pages[0]
        writer.add_page(page)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    """A PNG of a few hundred bytes whose header declares ``width`` × ``height`` black-and-white pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 4096))
        + chunk(b"IEND", b"")
    )
