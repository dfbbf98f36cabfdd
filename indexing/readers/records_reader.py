"""Files of records (JSON array, JSON Lines, CSV): each record with an ``id`` and a ``text`` is one document.

Citizens' appeals, requests and other short items come this way. The other fields of a record (date,
region, category, lat/lon ...) become the document's metadata.
"""

from __future__ import annotations

import csv
import html
import io
import logging
from collections.abc import Sequence
from typing import Any

from indexing.document import KINDS, ParsedDocument
from indexing.errors import UnreadableFileError
from indexing.readers.json_values import LocatedObject

logger = logging.getLogger(__name__)

ID_FIELD = "id"
TEXT_FIELD = "text"
TITLE_FIELD = "title"
KIND_FIELD = "kind"
DEFAULT_KIND = "appeal"
"""Records without a kind of their own are appeals: requests and submissions are what comes as records."""
_CSV_DELIMITERS = (",", ";", "\t", "|")
_TITLE_WORDS = 10
_TITLE_MAX_CHARS = 80


def read_records(records: Sequence[LocatedObject], source: str) -> list[ParsedDocument]:
    """One document per record; records with an empty text are skipped (there is nothing to index)."""
    if not records:
        raise UnreadableFileError(source, "no records")
    documents = [_record_document(record, source) for record in records]
    kept = [document for document in documents if document.pages[0].strip()]
    if len(kept) < len(documents):
        logger.warning("%s: skipped %d records with an empty text", source, len(documents) - len(kept))
    if not kept:
        raise UnreadableFileError(source, "no text (every record has an empty text)")
    return kept


def parse_csv(text: str, source: str) -> list[LocatedObject]:
    """The rows of a CSV file as records keyed by the header's column names; the delimiter is detected."""
    header = text.partition("\n")[0]
    delimiter = max(_CSV_DELIMITERS, key=header.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        columns = [name.strip().lower() for name in next(reader, [])]
        missing = [name for name in (ID_FIELD, TEXT_FIELD) if name not in columns]
        if missing:
            absent = " and no ".join(repr(name) for name in missing)
            raise UnreadableFileError(source, f"no {absent} column (the columns are: {', '.join(columns)})")
        return [
            LocatedObject(f"line {reader.line_num}", dict(zip(columns, row, strict=False)))
            for row in reader
            if any(cell.strip() for cell in row)
        ]
    except csv.Error as error:
        raise UnreadableFileError(source, f"malformed CSV at line {reader.line_num} ({error})") from error


def _record_document(record: LocatedObject, source: str) -> ParsedDocument:
    fields = record.fields
    record_id = fields.get(ID_FIELD)
    if record_id is None or str(record_id).strip() == "":
        raise UnreadableFileError(source, f"{record.where} has no {ID_FIELD!r} field")
    text = fields.get(TEXT_FIELD)
    if text is None:
        raise UnreadableFileError(source, f"{record.where} has no {TEXT_FIELD!r} field")
    if not isinstance(text, str):
        raise UnreadableFileError(source, f"{record.where}: {TEXT_FIELD!r} is not a string")
    # Scraped texts carry HTML entities («&#039;» for an apostrophe) that would otherwise reach the index.
    text = html.unescape(text)
    kind = fields.get(KIND_FIELD)
    return ParsedDocument(
        source=source,
        pages=[text],
        title=_title(fields.get(TITLE_FIELD), text),
        kind=kind if kind in KINDS else DEFAULT_KIND,
        record_id=str(record_id).strip(),
        metadata=_metadata(fields),
    )


def _title(title: Any, text: str) -> str:
    """The record's own title, else its first words."""
    if isinstance(title, str) and title.strip():
        return html.unescape(title.strip())
    words = text.split()
    first_words = " ".join(words[:_TITLE_WORDS])
    if len(first_words) > _TITLE_MAX_CHARS:
        first_words = first_words[:_TITLE_MAX_CHARS].rsplit(" ", 1)[0]
    return first_words + ("…" if first_words != " ".join(words) else "")


def _metadata(fields: dict[str, Any]) -> dict[str, Any]:
    """The fields other than id, text, title and kind, without empty ones (an empty CSV cell is no value)."""
    own = {ID_FIELD, TEXT_FIELD, TITLE_FIELD, KIND_FIELD}
    return {name: value for name, value in fields.items() if name not in own and value not in (None, "")}
