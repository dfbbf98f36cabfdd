"""What the first bytes of a file say it is: the check that a file is what its name claims."""

from __future__ import annotations

_SIGNATURES = (
    (b"%PDF-", "a PDF"),
    (b"PK\x03\x04", "a ZIP archive (DOCX, XLSX, ODT ...)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office file (DOC, XLS)"),
    (b"{\\rtf", "an RTF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\x7fELF", "a program"),
)

PDF_MARKER = b"%PDF-"
# The PDF specification lets the header sit anywhere in the first kilobyte (some writers put junk first).
PDF_MARKER_WINDOW = 1024
ZIP_MARKER = b"PK\x03\x04"
GZIP_MARKER = b"\x1f\x8b"
IMAGE_MARKERS = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")
"""PNG, JPEG and TIFF (both byte orders): any of them is read whatever image name it has (phones and scanners
often save a PNG as .jpg)."""


def recognised_format(data: bytes) -> str | None:
    """A short name of the binary format ``data`` starts like («a PDF», «a PNG image»), or None."""
    for signature, name in _SIGNATURES:
        if data.startswith(signature):
            return name
    return None


def describe_start(data: bytes) -> str:
    """«starts with b'PK\\x03\\x04', which is a ZIP archive (...)»: for messages about a misnamed file."""
    description = f"starts with {data[:8]!r}"
    recognised = recognised_format(data)
    return f"{description}, which is {recognised}" if recognised else description
