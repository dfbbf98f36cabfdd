"""A batch of statements to sort into problems, from a file or a request: ``id``, ``text``, optional ``date``, ``region``.

``read_batch`` (JSONL or CSV files) and ``items_from_records`` (the records of a JSON request body) check every
record the same way, all of it before anything is done with it: the first fault raises ``BatchInputError`` naming
the source, the line or item, and the field, so a rejected batch saves nothing.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from indexing.places import Gazetteer, normal_region
from indexing.store.problem_item import ProblemItem
from models.errors import HromadaError

REQUIRED_FIELDS = ("id", "text")
OPTIONAL_FIELDS = ("date", "region")
BATCH_KIND = "appeal"
"""Items of a batch are statements as they are, like appeals."""
MAX_ID_CHARS = 200
MAX_TEXT_CHARS = 20_000
"""Longer than any appeal: a longer text is a document to index, not a statement."""


class BatchInputError(HromadaError):
    """A batch that cannot be used; the message names the file or request, the line or item, and the field."""

    def __init__(self, source: str, line: int | None, reason: str, unit: str = "line") -> None:
        where = f"{source}, {unit} {line}" if line is not None else source
        super().__init__(f"{where}: {reason}")
        self.source = source
        self.line = line
        """The line of a file, or the 1-based number of an item in a request."""
        self.reason = reason


def read_batch(path: str | Path) -> list[ProblemItem]:
    """The items of a ``.jsonl``/``.ndjson`` or ``.csv`` batch file, in file order, duplicates of a line dropped."""
    path = Path(path)
    if not path.is_file():
        raise BatchInputError(str(path), None, "no such file")
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        records = _jsonl_records(path)
    elif suffix == ".csv":
        records = _csv_records(path)
    else:
        raise BatchInputError(str(path), None, f"unknown batch format {suffix!r}: give a .jsonl or .csv file")
    return _items(_Source(str(path), "line"), records)


def items_from_records(records: Iterable[Any], source: str = "the request") -> list[ProblemItem]:
    """The items of records received as JSON (a request body's ``items``), checked as a file's lines are."""
    return _items(_Source(source, "item"), enumerate(records, start=1))


@dataclass(frozen=True)
class _Source:
    """Where records come from, for error messages: a file's lines or a request's items."""

    name: str
    unit: str

    def error(self, position: int | None, reason: str) -> BatchInputError:
        return BatchInputError(self.name, position, reason, self.unit)


def _items(source: _Source, records: Iterable[tuple[int, Any]]) -> list[ProblemItem]:
    items = _unique_items(
        source, ((position, _item(source, position, record)) for position, record in records)
    )
    if not items:
        raise source.error(None, "the batch holds no items")
    return items


def _jsonl_records(path: Path) -> Iterator[tuple[int, Any]]:
    with path.open(encoding="utf-8-sig") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError as error:
                raise BatchInputError(str(path), number, f"not a valid JSON line ({error.msg})") from None


def _csv_records(path: Path) -> Iterator[tuple[int, Mapping[str, Any]]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        columns = [name.strip() for name in reader.fieldnames or []]
        missing = [name for name in REQUIRED_FIELDS if name not in columns]
        if missing:
            raise BatchInputError(
                str(path), 1, f"missing column {', '.join(map(repr, missing))} (the header has {columns})"
            )
        reader.fieldnames = columns
        for row in reader:
            yield reader.line_num, row


def _item(source: _Source, position: int, record: Any) -> ProblemItem:
    if not isinstance(record, Mapping):
        raise source.error(position, "a record must be a JSON object with 'id' and 'text'")
    for name in REQUIRED_FIELDS:
        if name not in record:
            raise source.error(position, f"field {name!r} is missing")
    item_id = _text_field(source, position, record, "id", MAX_ID_CHARS)
    text = _text_field(source, position, record, "text", MAX_TEXT_CHARS)
    day = _optional_field(source, position, record, "date")
    if day is not None and not _is_date(day):
        raise source.error(position, f"field 'date' is {day!r}, expected YYYY-MM-DD")
    # Stored as the gazetteer names it, so that a region filter finds it by any name; an unknown one as written.
    region = normal_region(_optional_field(source, position, record, "region"), Gazetteer.default())
    return ProblemItem(id=item_id, text=text, date=day, region=region, kind=BATCH_KIND)


def _is_date(value: str) -> bool:
    """Whether ``value`` starts with a real day as YYYY-MM-DD (a time may follow)."""
    try:
        date.fromisoformat(value[:10])
    except ValueError:
        return False
    return len(value) == 10 or not value[10].isdigit()


def _text_field(
    source: _Source, position: int, record: Mapping[str, Any], name: str, limit: int = MAX_TEXT_CHARS
) -> str:
    value = record.get(name)
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise source.error(position, f"field {name!r} must be text")
    text = str(value).strip()
    if not text:
        raise source.error(position, f"field {name!r} is empty")
    if len(text) > limit:
        raise source.error(position, f"field {name!r} is longer than {limit} characters")
    return text


def _optional_field(source: _Source, position: int, record: Mapping[str, Any], name: str) -> str | None:
    value = record.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return _text_field(source, position, record, name)


def _unique_items(source: _Source, numbered: Iterator[tuple[int, ProblemItem]]) -> list[ProblemItem]:
    """Drop exact repeats of an item; the same id with another text is a fault of the batch."""
    first_position: dict[str, tuple[int, ProblemItem]] = {}
    items: list[ProblemItem] = []
    for position, item in numbered:
        if item.id in first_position:
            earlier_position, earlier = first_position[item.id]
            if earlier != item:
                raise source.error(
                    position,
                    f"id {item.id!r} was already used on {source.unit} {earlier_position} for another text",
                )
            continue
        first_position[item.id] = (position, item)
        items.append(item)
    return items
