"""Word documents (.docx): paragraphs and tables in the order they appear, with python-docx."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

import docx
from docx.document import Document
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from indexing.document import ParsedDocument
from indexing.errors import UnreadableFileError

_CELL_SEPARATOR = " | "
_TITLE_STYLES = ("Title", "Heading")
_UNPACK_BLOCK = 1 << 20


def read_docx(data: bytes, source: str, max_unpacked_bytes: int) -> list[ParsedDocument]:
    """One document: each paragraph a block of its own, each table row a line with its cells.

    The ZIP archive is checked before parsing: parts that unpack to more than ``max_unpacked_bytes`` in total
    are refused (a small file can be a «zip bomb» of gigabytes).
    """
    _check_unpacked_size(data, source, max_unpacked_bytes)
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError) as error:
        raise UnreadableFileError(source, f"corrupt DOCX ({error})") from error
    except ValueError as error:  # python-docx's word for a ZIP that is another Office format
        raise UnreadableFileError(source, f"not a Word document ({error})") from error
    blocks = [block for block in _blocks(document) if block.strip()]
    if not blocks:
        raise UnreadableFileError(source, "no text (the document is empty)")
    title = (document.core_properties.title or "").strip() or _first_heading(document)
    return [ParsedDocument(source=source, pages=["\n\n".join(blocks)], title=title)]


def _check_unpacked_size(data: bytes, source: str, max_unpacked_bytes: int) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
            if unpacked <= max_unpacked_bytes:
                for member in archive.infolist():
                    _check_member(archive, member)
    except zipfile.BadZipFile as error:
        raise UnreadableFileError(
            source, f"corrupt or truncated DOCX (a DOCX is a ZIP archive: {error})"
        ) from error
    if unpacked > max_unpacked_bytes:
        raise UnreadableFileError(
            source,
            f"too large when unpacked: its parts hold {unpacked:,} bytes, over the limit of "
            f"{max_unpacked_bytes:,} (a zip bomb?)",
        )


def _check_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
    """Unpack a part a block at a time, so that one whose header understates its size fails here, cheaply.

    ``zipfile`` stops a part at the size its header declares and then finds its checksum wrong; but read
    whole, as python-docx reads parts, it would first unpack all of it into memory.
    """
    with archive.open(member) as part:
        while part.read(_UNPACK_BLOCK):
            pass


def _blocks(container: Document | _Cell) -> Iterator[str]:
    """The text of each paragraph and each table directly in ``container``, in document order."""
    for item in container.iter_inner_content():
        if isinstance(item, Paragraph):
            yield item.text
        else:
            yield _table_text(item)


def _table_text(table: Table) -> str:
    return "\n".join(line for line in (_row_text(row.cells) for row in table.rows) if line)


def _row_text(cells: list[_Cell]) -> str:
    texts = []
    previous = None
    for cell in cells:
        if cell._tc is previous:
            continue  # a merged cell is listed once for every grid column it spans
        previous = cell._tc
        # A cell may hold paragraphs and nested tables; on a table row it is one line.
        text = " ".join(" ".join(_blocks(cell)).split())
        if text:
            texts.append(text)
    return _CELL_SEPARATOR.join(texts)


def _first_heading(document: Document) -> str | None:
    for paragraph in document.paragraphs:
        style = paragraph.style.name if paragraph.style is not None else ""
        if style.startswith(_TITLE_STYLES) and paragraph.text.strip():
            return paragraph.text.strip()
    return None
