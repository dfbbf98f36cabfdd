"""Reads the hromada strategies release (``hromadas.json``) as one proposal per hromada.

The file (``../shared/data/hromada-strategies/data/releases/hromadas.json``, CC BY 4.0) is a JSON list of
hromadas with their KATOTTG code, oblast, raion, type and population; 294 of them also carry the goals,
projects, challenges and strengths a language model extracted from their development strategies. Each of
those becomes a ``ParsedDocument`` of kind ``proposal`` whose text has one heading line per section
(``SECTION_HEADINGS``) followed by that section's items as a list, so that the proposal chunker cuts it by
section and item.
Hromadas without goals, projects or challenges carry nothing to search and are left out.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from indexing.document import ParsedDocument
from indexing.document_structure import LIST_ITEM_START
from indexing.errors import UnreadableFileError

SECTION_HEADINGS: dict[str, str] = {
    "Challenges": "Виклики",
    "Goals": "Стратегічні цілі",
    "Projects": "Проєкти",
    "Strengths": "Сильні сторони",
    "PartnersMentioned": "Партнери",
    "MSSAgreements": "Міжмуніципальне співробітництво",
}
"""The release's text fields, in the order they appear in a document, with the heading each gets."""

CONTENT_FIELDS = ("Goals", "Projects", "Challenges")
"""A hromada becomes a document only when one of these is filled."""

HROMADA_TYPES = {"міська": "urban", "селищна": "settlement", "сільська": "rural"}

TITLE_SUFFIX = "стратегія розвитку"

_IDENTIFYING_FIELDS = frozenset({"Name", "Katottg", "Oblast"})
_RECORDS_CHECKED = 5


def looks_like_strategies(obj: object) -> bool:
    """Whether a parsed JSON value is the strategies release: a list of hromada records with KATOTTG codes.

    The first few records are checked for a name, a KATOTTG code and an oblast, so that an ordinary record
    file (appeals, notes) is not taken for it.
    """
    if not isinstance(obj, list) or not obj:
        return False
    first = obj[:_RECORDS_CHECKED]
    return all(isinstance(record, dict) and record.keys() >= _IDENTIFYING_FIELDS for record in first) and any(
        str(record.get("Katottg") or "").startswith("UA") for record in first
    )


def read_strategies(path: Path | str, source: str) -> list[ParsedDocument]:
    """One ``proposal`` document per hromada of the release at ``path`` with goals, projects or challenges.

    ``source`` is the path as the user gave it, kept on every document for citations.
    """
    try:
        records = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise UnreadableFileError(source, f"cannot read the strategies file: {error}") from error
    if not looks_like_strategies(records):
        raise UnreadableFileError(
            source, "not a list of hromada records with Name, Katottg and Oblast fields"
        )
    return [_document(record, source) for record in records if _has_content(record)]


def _has_content(record: dict[str, Any]) -> bool:
    return any(_text_of(record.get(field)) for field in CONTENT_FIELDS)


def _document(record: dict[str, Any], source: str) -> ParsedDocument:
    name = str(record["Name"]).strip()
    return ParsedDocument(
        source=source,
        pages=[_strategy_text(record)],
        title=f"{name}: {TITLE_SUFFIX}",
        kind="proposal",
        record_id=record.get("Katottg") or name,
        metadata=_metadata(record, name),
    )


def _strategy_text(record: dict[str, Any]) -> str:
    """The filled sections, each as its heading line followed by its items, separated by blank lines."""
    sections = []
    for field, heading in SECTION_HEADINGS.items():
        body = _text_of(record.get(field))
        if body:
            sections.append(f"{heading}\n{body}")
    return "\n\n".join(sections) + "\n"


def _text_of(value: object) -> str:
    """A field's items, one a line, each marked as a list item («- …») unless the release marked it already.

    Blank lines are removed; a list (some releases use them) gives one item per line. The marks make every
    section a list that the proposal chunker cuts item by item.
    """
    items = value if isinstance(value, list) else str(value or "").splitlines()
    lines = [str(item).strip() for item in items if str(item).strip()]
    return "\n".join(line if LIST_ITEM_START.match(line) else f"- {line}" for line in lines)


def _metadata(record: dict[str, Any], name: str) -> dict[str, Any]:
    metadata = {
        "hromada": name,
        "region": record.get("Oblast"),
        "raion": record.get("Rayon"),
        "hromada_type": HROMADA_TYPES.get(str(record.get("Type") or "")),
        "population": record.get("Population"),
        "katottg": record.get("Katottg"),
        "strategy_year": record.get("StrategyYear"),
        "strategy_period": record.get("StrategyPeriod"),
        "url": record.get("StrategyUrl"),
        "donors": record.get("DonorsPrograms") or None,
        "source_quality": record.get("SourceQuality"),
    }
    return {key: value for key, value in metadata.items() if value is not None}
