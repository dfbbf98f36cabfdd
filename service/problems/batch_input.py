"""Read a batch of statements to sort into problems: JSONL or CSV with ``id``, ``text``, optional ``date``, ``region``.

The whole file is checked before anything is done with it; the first fault raises ``BatchFileError`` naming the
file, the line and the field, so a rejected batch saves nothing.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from indexing.places import Gazetteer, normal_region
from indexing.store.problem_item import ProblemItem
from models.errors import HromadaError

REQUIRED_FIELDS = ("id", "text")
OPTIONAL_FIELDS = ("date", "region")
BATCH_KIND = "appeal"
"""Items of a batch are statements as they are, like appeals."""

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


class BatchFileError(HromadaError):
    """A batch file that cannot be used; the message names the file, the line and the field."""

    def __init__(self, path: str, line: int | None, reason: str) -> None:
        where = f"{path}, line {line}" if line is not None else path
        super().__init__(f"{where}: {reason}")
        self.path = path
        self.line = line
        self.reason = reason


def read_batch(path: str | Path) -> list[ProblemItem]:
    """The items of a ``.jsonl``/``.ndjson`` or ``.csv`` batch file, in file order, duplicates of a line dropped."""
    path = Path(path)
    if not path.is_file():
        raise BatchFileError(str(path), None, "no such file")
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        records = _jsonl_records(path)
    elif suffix == ".csv":
        records = _csv_records(path)
    else:
        raise BatchFileError(str(path), None, f"unknown batch format {suffix!r}: give a .jsonl or .csv file")
    items = _unique_items(path, ((line, _item(path, line, record)) for line, record in records))
    if not items:
        raise BatchFileError(str(path), None, "the batch holds no items")
    return items


def _jsonl_records(path: Path) -> Iterator[tuple[int, Mapping[str, Any]]]:
    with path.open(encoding="utf-8-sig") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise BatchFileError(str(path), number, f"not a valid JSON line ({error.msg})") from None
            if not isinstance(record, dict):
                raise BatchFileError(str(path), number, "a line must be a JSON object with 'id' and 'text'")
            yield number, record


def _csv_records(path: Path) -> Iterator[tuple[int, Mapping[str, Any]]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        columns = [name.strip() for name in reader.fieldnames or []]
        missing = [name for name in REQUIRED_FIELDS if name not in columns]
        if missing:
            raise BatchFileError(
                str(path), 1, f"missing column {', '.join(map(repr, missing))} (the header has {columns})"
            )
        reader.fieldnames = columns
        for row in reader:
            yield reader.line_num, row


def _item(path: Path, line: int, record: Mapping[str, Any]) -> ProblemItem:
    for name in REQUIRED_FIELDS:
        if name not in record:
            raise BatchFileError(str(path), line, f"field {name!r} is missing")
    item_id = _text_field(path, line, record, "id")
    text = _text_field(path, line, record, "text")
    date = _optional_field(path, line, record, "date")
    if date is not None and not _DATE.match(date):
        raise BatchFileError(str(path), line, f"field 'date' is {date!r}, expected YYYY-MM-DD")
    # Stored as the gazetteer names it, so that a region filter finds it by any name; an unknown one as written.
    region = normal_region(_optional_field(path, line, record, "region"), Gazetteer.default())
    return ProblemItem(id=item_id, text=text, date=date, region=region, kind=BATCH_KIND)


def _text_field(path: Path, line: int, record: Mapping[str, Any], name: str) -> str:
    value = record.get(name)
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise BatchFileError(str(path), line, f"field {name!r} must be text")
    text = str(value).strip()
    if not text:
        raise BatchFileError(str(path), line, f"field {name!r} is empty")
    return text


def _optional_field(path: Path, line: int, record: Mapping[str, Any], name: str) -> str | None:
    value = record.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return _text_field(path, line, record, name)


def _unique_items(path: Path, numbered: Iterator[tuple[int, ProblemItem]]) -> list[ProblemItem]:
    """Drop exact repeats of an item; the same id with another text is a fault of the file."""
    first_line: dict[str, tuple[int, ProblemItem]] = {}
    items: list[ProblemItem] = []
    for line, item in numbered:
        if item.id in first_line:
            earlier_line, earlier = first_line[item.id]
            if earlier != item:
                raise BatchFileError(
                    str(path),
                    line,
                    f"id {item.id!r} was already used on line {earlier_line} for another text",
                )
            continue
        first_line[item.id] = (line, item)
        items.append(item)
    return items
