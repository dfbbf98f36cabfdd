"""What a document's header says about when and where: «Полтавська область, 14 березня 2025 року».

Transcripts, proposals and notes state their place and date in their first lines, before the body starts
(a transcript's first timed turn, a proposal's first section). The first date found there is the document's
date; the first place the gazetteer knows gives the region, and the first hromada named in that region is kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from indexing.places.gazetteer import AmbiguousPlaceError, Gazetteer, Place
from indexing.places.place_words import feminine_adjective, land_name, masculine_adjective

HEADER_LINES = 6
"""Non-empty lines read at most; a header is short."""

_BODY_STARTS = re.compile(r"^\s*(?:\[\d|#{2,}\s)")
"""A timed transcript turn («[10:02] ...») or a second-level heading: the body has begun."""

_MONTHS = {
    "січ": 1, "лют": 2, "берез": 3, "квіт": 4, "трав": 5, "черв": 6,
    "лип": 7, "серп": 8, "верес": 9, "жовт": 10, "листопад": 11, "груд": 12,
    "январ": 1, "феврал": 2, "март": 3, "апрел": 4, "ма": 5, "июн": 6,
    "июл": 7, "август": 8, "сентябр": 9, "октябр": 10, "ноябр": 11, "декабр": 12,
}  # fmt: skip
_MONTH_ENDINGS = r"(?:ень|ня|ні|нем|ий|ого|ому|а|і|ом|я|е|ь|ю|й)?"
_WORDED_DATE = re.compile(
    rf"\b(\d{{1,2}})\s+({'|'.join(sorted(_MONTHS, key=len, reverse=True))}){_MONTH_ENDINGS}\s+(\d{{4}})\b",
    re.IGNORECASE,
)
_DOTTED_DATE = re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")

_WORD = r"[\w'’ʼ-]+"
_NAME = rf"[А-ЯІЇЄҐ]{_WORD}(?:[ -][А-ЯІЇЄҐ]{_WORD})?"
_PLACE_PHRASES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(rf"({_WORD})\s+(?:області|область|областю|обл\.)", re.IGNORECASE), "oblast"),
    (re.compile(rf"\b({_WORD}щин(?:а|и|і|у|ою))\b", re.IGNORECASE), "land"),
    (re.compile(rf"\b(?:м\.|г\.|місто|смт)\s*({_NAME})"), "town"),
    (re.compile(rf"^({_NAME}),", re.MULTILINE), "town"),
    (
        re.compile(
            rf"({_WORD})\s+((?:міськ|сільськ|селищн)\w*\s+)?(?:територіальн\w*\s+)?(?:громад\w*|рад\w*|ТГ|ОТГ)\b",
            re.IGNORECASE,
        ),
        "hromada",
    ),
    (re.compile(rf"({_WORD})\s+(?:району|район|районі)\b", re.IGNORECASE), "raion"),
)
"""Phrases that name a place, and what they name."""


@dataclass(frozen=True)
class DocumentHeader:
    """The date (``YYYY-MM-DD``) and place a document's header states; None where it states none."""

    date: str | None = None
    place: Place | None = None


def read_header(text: str, gazetteer: Gazetteer) -> DocumentHeader:
    """The date and place stated in the first lines of ``text``."""
    header = _header_text(text)
    return DocumentHeader(date=_first_date(header), place=_first_place(header, gazetteer))


def _header_text(text: str) -> str:
    lines: list[str] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        if lines and _BODY_STARTS.match(line):
            break
        lines.append(line)
        if len(lines) == HEADER_LINES:
            break
    return "\n".join(lines)


def _first_date(header: str) -> str | None:
    found: list[tuple[int, date]] = []
    for pattern, order in ((_WORDED_DATE, "dmy"), (_DOTTED_DATE, "dmy"), (_ISO_DATE, "ymd")):
        for match in pattern.finditer(header):
            day_text, month_text, year_text = match.groups() if order == "dmy" else match.groups()[::-1]
            month = _MONTHS.get(month_text.casefold()) if pattern is _WORDED_DATE else int(month_text)
            try:
                found.append((match.start(), date(int(year_text), month or 0, int(day_text))))
            except ValueError:
                continue
    return min(found)[1].isoformat() if found else None


def _first_place(header: str, gazetteer: Gazetteer) -> Place | None:
    places: list[tuple[int, Place]] = []
    for pattern, what in _PLACE_PHRASES:
        for match in pattern.finditer(header):
            place = _resolve(gazetteer, what, match)
            if place is not None:
                places.append((match.start(), place))
    if not places:
        return None
    places.sort(key=lambda pair: pair[0])
    region = places[0][1].region
    hromadas = [place.hromada for _, place in places if place.region == region and place.hromada]
    return Place(region, hromadas[0] if hromadas else None)


def _resolve(gazetteer: Gazetteer, what: str, match: re.Match[str]) -> Place | None:
    """The place a phrase names, its words brought back to the nominative the gazetteer knows."""
    word = match.group(1).casefold()
    if what == "oblast":
        name = f"{feminine_adjective(word)} область"
    elif what == "land":
        name = land_name(word)
    elif what == "town":
        name = f"м. {word}"
    elif what == "raion":
        name = f"{masculine_adjective(word)} район"
    else:
        kind = feminine_adjective(match.group(2).strip().casefold()) if match.group(2) else ""
        name = " ".join(part for part in (feminine_adjective(word), kind, "громада") if part)
    try:
        return gazetteer.resolve(name)
    except AmbiguousPlaceError:
        return None
