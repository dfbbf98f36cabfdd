"""Readers: from a source file to ``ParsedDocument`` objects, one module per format.

``read_file`` chooses the reader by the file's extension and checks the file's first bytes agree with it;
within JSON, by content: acts of legislation, the hromada strategies release, else records. Scanned PDF pages
and images are recognised with Tesseract as ``OcrOptions`` say (``indexing/ocr``).
``iter_source_files`` lists the files under the paths given to ``index``. Whatever goes wrong with a user's
file surfaces as ``UnreadableFileError`` with a plain reason, never as a library's traceback.
"""

from __future__ import annotations

import gzip
import io
import logging
import os
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path

from indexing.document import ParsedDocument
from indexing.errors import UnreadableFileError
from indexing.ocr import OcrOptions
from indexing.readers.file_signatures import (
    GZIP_MARKER,
    IMAGE_MARKERS,
    PDF_MARKER,
    PDF_MARKER_WINDOW,
    ZIP_MARKER,
    describe_start,
    recognised_format,
)
from indexing.readers.json_values import load_json, load_json_lines
from indexing.readers.legislation_reader import is_act, read_acts
from indexing.readers.records_reader import parse_csv, read_records
from indexing.readers.strategies_reader import looks_like_strategies, read_strategies
from indexing.readers.text_decoding import decode_text
from indexing.readers.text_reader import read_text

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 200_000_000
# Compressed content (a .gz, the parts of a .docx) may unpack to this many times the file size limit: the
# legislation export is 50 MB packed and 331 MB unpacked; a zip bomb is a thousand times its size.
UNPACKED_SIZE_FACTOR = 4

_FORMAT_BY_SUFFIX = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".html": "html",
    ".htm": "html",
    ".txt": "text",
    ".md": "markdown",
    ".json": "json",
    ".jsonl": "jsonl",
    ".csv": "csv",
    ".png": "image",
    ".jpg": "image",
    ".jpeg": "image",
    ".tif": "image",
    ".tiff": "image",
}
_MAY_BE_GZIPPED = (".json", ".jsonl", ".csv")
SUPPORTED_SUFFIXES = (*_FORMAT_BY_SUFFIX, *(f"{suffix}.gz" for suffix in _MAY_BE_GZIPPED))
"""The file name endings ``read_file`` accepts (lower case)."""

_FORMAT_NAMES = {
    "pdf": "a PDF",
    "docx": "a DOCX (Word) document",
    "gzip": "a gzip archive",
    "image": "a PNG, JPEG or TIFF image",
}


def read_file(
    path: Path,
    source: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    ocr: OcrOptions | None = None,
) -> list[ParsedDocument]:
    """The documents in one file: one for most formats, one per record or act for files of records.

    ``source`` is the name the documents and errors carry (the path as the user gave it, or an uploaded file's
    own name); it defaults to ``path``. Files over ``max_bytes`` are refused. ``ocr`` says when scans are
    recognised (default: ``OcrOptions()``, pages without a usable text layer and images).
    """
    source = source if source is not None else str(path)
    suffix = _supported_suffix(path, source)
    data = _read_bytes(path, source, max_bytes)
    try:
        return _read(path, data, suffix, source, max_bytes * UNPACKED_SIZE_FACTOR, ocr or OcrOptions())
    except UnreadableFileError:
        raise
    # The reader boundary: whatever a library throws at a bad file, the user sees a bad file, not a traceback.
    except Exception as error:
        logger.debug("unexpected error reading %s", source, exc_info=True)
        raise UnreadableFileError(
            source, f"corrupt or unreadable file ({type(error).__name__}: {error})"
        ) from error


def iter_source_files(paths: Sequence[Path]) -> Iterator[Path]:
    """The files to index under ``paths``, each once: files as given, folders searched recursively.

    In folders, files are taken in sorted order, hidden files and folders (``.name``) and Office lock files
    (``~$name``) are skipped, and so are files of unsupported types; a file named explicitly is always listed,
    so that ``read_file`` can say what is wrong with it.
    """
    seen: set[Path] = set()
    for path in paths:
        for file in _files_under(path) if path.is_dir() else [path]:
            if file not in seen:
                seen.add(file)
                yield file


def _files_under(folder: Path) -> list[Path]:
    files = []
    # os.walk does not follow symbolic links to folders, so a link loop cannot trap it.
    for directory, subdirectories, names in os.walk(folder):
        subdirectories[:] = [name for name in subdirectories if not name.startswith(".")]
        files.extend(
            Path(directory, name)
            for name in names
            if not name.startswith((".", "~$")) and name.lower().endswith(SUPPORTED_SUFFIXES)
        )
    return sorted(files)


def _supported_suffix(path: Path, source: str) -> str:
    name = path.name.lower()
    for suffix in sorted(SUPPORTED_SUFFIXES, key=len, reverse=True):
        if name.endswith(suffix):
            return suffix
    suffix = path.suffix or "(no extension)"
    supported = ", ".join(SUPPORTED_SUFFIXES)
    raise UnreadableFileError(source, f"unsupported file type {suffix!r}; supported: {supported}")


def _read_bytes(path: Path, source: str, max_bytes: int) -> bytes:
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise UnreadableFileError(source, "is a folder, not a file")
        if size == 0:
            raise UnreadableFileError(source, "empty file")
        if size > max_bytes:
            raise UnreadableFileError(source, f"too large: {size:,} bytes, over the limit of {max_bytes:,}")
        return path.read_bytes()
    except FileNotFoundError as error:
        raise UnreadableFileError(source, "no such file") from error
    except OSError as error:
        raise UnreadableFileError(source, f"cannot be opened ({error.strerror or error})") from error


def _read(
    path: Path, data: bytes, suffix: str, source: str, max_unpacked_bytes: int, ocr: OcrOptions
) -> list[ParsedDocument]:
    if suffix.endswith(".gz"):
        _expect(data.startswith(GZIP_MARKER), "gzip", data, source)
        data = _gunzip(data, source, max_unpacked_bytes)
        suffix = suffix.removesuffix(".gz")
    file_format = _FORMAT_BY_SUFFIX[suffix]
    # pypdf, python-docx and BeautifulSoup take most of a second to import: only a file that needs one pays.
    if file_format == "pdf":
        from indexing.readers.pdf_reader import read_pdf

        _expect(PDF_MARKER in data[:PDF_MARKER_WINDOW], "pdf", data, source)
        return read_pdf(data, source, ocr)
    if file_format == "image":
        from indexing.readers.image_reader import read_image

        _expect(data.startswith(IMAGE_MARKERS), "image", data, source)
        return read_image(data, source, ocr)
    if file_format == "docx":
        from indexing.readers.docx_reader import read_docx

        _expect(data.startswith(ZIP_MARKER), "docx", data, source)
        return read_docx(data, source, max_unpacked_bytes)
    _expect_text(data, source)
    if file_format == "html":
        from indexing.readers.html_reader import read_html

        return read_html(data, source)
    if file_format in ("text", "markdown"):
        return read_text(data, source, markdown=file_format == "markdown")
    text = decode_text(data, source)
    if file_format == "csv":
        return read_records(parse_csv(text, source), source)
    objects = load_json_lines(text, source) if file_format == "jsonl" else load_json(text, source)
    if objects and is_act(objects[0].fields):
        return read_acts(objects, source)
    if looks_like_strategies([located.fields for located in objects]):
        # The strategies release is known by its content (hromada records with KATOTTG codes), whatever
        # the file is called; its reader takes the file itself.
        return read_strategies(path, source)
    return read_records(objects, source)


def _expect(matches: bool, file_format: str, data: bytes, source: str) -> None:
    if not matches:
        raise UnreadableFileError(source, f"is not {_FORMAT_NAMES[file_format]} ({describe_start(data)})")


def _expect_text(data: bytes, source: str) -> None:
    recognised = recognised_format(data)
    if recognised:
        raise UnreadableFileError(source, f"is not a text file but {recognised} ({describe_start(data)})")


def _gunzip(data: bytes, source: str, max_unpacked_bytes: int) -> bytes:
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as archive:
            unpacked = archive.read(max_unpacked_bytes + 1)
    except EOFError as error:
        raise UnreadableFileError(source, "truncated gzip archive (it ends before its last block)") from error
    except (gzip.BadGzipFile, zlib.error) as error:
        raise UnreadableFileError(source, f"corrupt gzip archive ({error})") from error
    if len(unpacked) > max_unpacked_bytes:
        raise UnreadableFileError(
            source, f"too large when unpacked: over the limit of {max_unpacked_bytes:,} bytes"
        )
    if not unpacked:
        raise UnreadableFileError(source, "empty file (the gzip archive holds nothing)")
    return unpacked
