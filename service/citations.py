"""Citations as a Ukrainian reader of an analytical note expects them.

A law: Закон України «Про місцеве самоврядування в Україні», ст. 26, ч. 1; a PDF: its title and page;
a transcript: the speaker and the time; a proposal: its section; an appeal: its number, date and place.
Titles are quoted with «»; quotation marks inside a title become „“, as Ukrainian typography nests them.
A passage on a page whose text was recognised from a scan ends with «(розпізнано OCR)»: its words may hold
recognition errors, and a reader checking the quotation should look at the scan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from indexing.ocr import OcrRecord
from indexing.store import StoredChunk

OCR_MARK = "розпізнано OCR"

_UNTITLED_LAW = re.compile(r"^Закон України \((?P<number>[^)]+)\)$")
_STRAIGHT_PAIR = re.compile(r'"([^"]*)"')
_CODE_WORDS = ("кодекс", "конституці", "закон україни", "постанова", "указ", "розпорядження", "наказ")


def act_name(title: str) -> str:
    """An act's title as it is cited: a bare «Про …» title is a law, codes and the Constitution cite as titled."""
    title = title.strip()
    untitled = _UNTITLED_LAW.match(title)
    if untitled:
        return f"Закон України № {untitled['number']}"
    if title.casefold().startswith("про "):
        return f"Закон України {_quoted(title)}"
    if any(word in title.casefold() for word in _CODE_WORDS):
        # Cited as titled, its own quotation marks the outer ones: Закон України «Про …».
        return _STRAIGHT_PAIR.sub(r"«\1»", title)
    return _quoted(title)


@dataclass(frozen=True)
class OcrNote:
    """A passage whose text was recognised by OCR: the engine, its languages and its confidence on the page."""

    engine: str
    languages: str
    confidence: float | None
    """Tesseract's mean word confidence on the passage's page, 0–100."""


def ocr_note(chunk: StoredChunk) -> OcrNote | None:
    """How the chunk's text was recognised, or None when it comes from the file's own text."""
    record = OcrRecord.from_metadata(chunk.metadata)
    if record is None or not record.covers(chunk.page):
        return None
    return OcrNote(record.engine, record.languages, record.confidence_of(chunk.page))


def cite(chunk: StoredChunk) -> str:
    """The citation of a chunk, in Ukrainian."""
    citation = _place(chunk)
    return f"{citation} ({OCR_MARK})" if ocr_note(chunk) else citation


def _place(chunk: StoredChunk) -> str:
    if chunk.kind == "legislation":
        return ", ".join(part for part in (act_name(chunk.title), chunk.section) if part)
    if chunk.kind == "transcript":
        parts = [_quoted(chunk.title), chunk.speaker, chunk.timestamp]
    elif chunk.kind == "appeal":
        parts = [
            f"Звернення № {chunk.record_id}" if chunk.record_id else _quoted(chunk.title),
            _day(chunk.date),
            chunk.region,
        ]
    elif chunk.kind == "proposal" and chunk.section:
        parts = [_quoted(chunk.title), f"розділ «{chunk.section}»"]
    else:
        parts = [_quoted(chunk.title), chunk.section]
    if chunk.page is not None:
        parts.append(f"с. {chunk.page}")
    return ", ".join(part for part in parts if part)


def _quoted(title: str) -> str:
    return title if "«" in title else f"«{_inner_quotes(title)}»"


def _inner_quotes(text: str) -> str:
    """Straight double quotes in pairs as „“ (inside «»); an unpaired one is left as it is."""
    return _STRAIGHT_PAIR.sub(r"„\1“", text)


def _day(value: str | None) -> str | None:
    return f"від {value[:10]}" if value else None
