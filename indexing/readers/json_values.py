"""JSON and JSON Lines files as a list of objects, each with where it was found (for error messages)."""

from __future__ import annotations

import json
from typing import Any, NamedTuple

from indexing.errors import UnreadableFileError


class LocatedObject(NamedTuple):
    """A JSON object of a file and where it is: «line 7», «item 3», «row 12»."""

    where: str
    fields: dict[str, Any]


def load_json(text: str, source: str) -> list[LocatedObject]:
    """The objects of a JSON file: the object itself, or each item of a top-level array."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise UnreadableFileError(
            source, f"not valid JSON at line {error.lineno}, column {error.colno} ({error.msg})"
        ) from error
    if isinstance(value, dict):
        return [LocatedObject("the file", value)]
    if not isinstance(value, list):
        raise UnreadableFileError(source, f"expected a JSON object or array, found {_json_type(value)}")
    return [_located(f"item {number}", item, source) for number, item in enumerate(value, start=1)]


def load_json_lines(text: str, source: str) -> list[LocatedObject]:
    """The objects of a JSON Lines file, one a line; blank lines are skipped."""
    objects = []
    # Split on newlines only: str.splitlines would also split at U+2028, which JSON allows inside strings.
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            raise UnreadableFileError(
                source, f"line {number} is not valid JSON ({error.msg}, column {error.colno})"
            ) from error
        objects.append(_located(f"line {number}", value, source))
    return objects


def _located(where: str, value: Any, source: str) -> LocatedObject:
    if not isinstance(value, dict):
        raise UnreadableFileError(source, f"{where} is not a JSON object but {_json_type(value)}")
    return LocatedObject(where, value)


def _json_type(value: Any) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    return "a boolean" if isinstance(value, bool) else "a number"
