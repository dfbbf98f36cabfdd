"""The lines that give a document its structure: article headings, law parts, speakers, section headings.

Kind detection counts them and the chunkers cut at them, so both read them from here and agree on them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_UPPER = "А-ЯІЇЄҐ"
_LOWER = "а-яіїєґ"
# «6-1», «3 -1» (as the legislation portal writes it) or «91²»
_NUMBER_SUFFIX = r"[ \t]?[-–][ \t]?\d+|[¹²³⁴⁵⁶⁷⁸⁹⁰]+"

ARTICLE_HEADING = re.compile(
    rf"^[ \t]*(?:Стаття|Статья)[ \t]+(?P<number>\d+(?:{_NUMBER_SUFFIX})?)\b\.?[^\n]*",
    re.MULTILINE,
)
"""«Стаття 26. Виключна компетенція ...», «Стаття 6-1.», «Стаття 91²», «Статья 5.»: the whole heading line."""

LAW_PART_START = re.compile(r"^[ \t]*(?P<number>\d+(?:[-–]\d+)?)\.[ \t]+(?=\S)", re.MULTILINE)
"""A part of an article: «1. Виключно на пленарних засіданнях ...» at the start of a line."""

LAW_ITEM_START = re.compile(rf"^[ \t]*(?P<number>\d+(?:{_NUMBER_SUFFIX})?)[ \t]?\)[ \t]*(?=\S)", re.MULTILINE)
"""An item of a part: «1) затвердження регламенту ради;», also «3 -1 )»."""

LIST_ITEM_START = re.compile(r"^[ \t]*(?:[-–—•●▪*][ \t]+|\d{1,2}(?:\.\d{1,2})*[.)])", re.MULTILINE)
"""The start of a list item: a bullet, or a number («1.», «2)», «3.2.4.») at the start of a line."""

LEGISLATION_TITLE = re.compile(r"\b(?:Закон|Кодекс|Конституція|Закону|Кодексу)\b")

_INITIALS = rf"[{_UPPER}]\.[ \t]?[{_UPPER}]\."
_CHAIR = "ГОЛОВУЮЧИЙ|ГОЛОВУЮЧА|ГОЛОВА|ПРЕДСЕДАТЕЛЬСТВУЮЩИЙ|ПРЕДСЕДАТЕЛЬ"
SPEAKER_LINE = re.compile(
    rf"""^[ \t]*(?:\[\[?\d{{1,2}}:\d{{2}}(?::\d{{2}})?\]\]?[ \t]*)?      # [10:05] before the name, if timed
    (?:
        (?P<chair>{_CHAIR})(?=[ \t]*(?:\([^)\n]{{1,80}}\)[ \t]*)?[.:])  # ГОЛОВУЮЧИЙ.  ГОЛОВУЮЧА (Коваленко О.М.):
      | (?P<initialled>[{_UPPER}][{_UPPER}{_LOWER}'’\-]+[ \t]+{_INITIALS})   # ПАРУБІЙ А.В.  Петренко І.П.
      | (?P<named>[{_UPPER}][{_LOWER}'’\-]+(?:[ \t]+[{_UPPER}][{_LOWER}'’\-]+){{1,2}})
        (?=[ \t]*(?:\([^)\n]{{1,80}}\)[ \t]*)?:)                   # Іваненко Олена (голова громади):
    )
    (?:[ \t]*\((?P<role>[^)\n]{{1,80}})\))?
    [ \t]*[.:]?""",
    re.MULTILINE | re.VERBOSE,
)
"""A line that may open a speaker's turn; ``speaker_lines`` keeps those that do."""

_SPEECH_FOLLOWS_ON_THE_LINE = re.compile(r"[ \t]*\S")


def speaker_lines(text: str) -> list[re.Match[str]]:
    """The matches of ``SPEAKER_LINE`` that open a turn: a chair's line, a name closed by a colon, or a
    name followed by speech on the same line. A name alone on its line («Голику В.І.» above an address) is
    a letter's addressee or signature, not a speaker.
    """
    return [
        match
        for match in SPEAKER_LINE.finditer(text)
        if match.group("chair")
        or match.group().rstrip().endswith(":")
        or _SPEECH_FOLLOWS_ON_THE_LINE.match(text, match.end())
    ]


UTTERANCE_LINE = re.compile(r"^(?P<utterance>[\w.\-]+\.u\d+)\t", re.MULTILINE)
"""A line of a ParlaMint text file: ``ParlaMint-UA_2016-01-26-m1.u1<TAB>Шановні колеги! ...``."""

TIMESTAMP = re.compile(r"\[\[?(?P<time>\d{1,2}:\d{2}(?::\d{2})?)\]\]?")
"""``[[16:09:29]]`` in ParlaMint, ``[16:09]`` in minutes."""

_PROPOSAL_HEADINGS = (
    # Ukrainian; a line's «проєкт» is read as «проект», the older spelling still in use
    "опис проблеми",
    "проблема",
    "актуальність",
    "обґрунтування",
    "мета",
    "цілі",
    "ціль",
    "завдання",
    "заходи",
    "план заходів",
    "діяльність",
    "види діяльності",
    "бюджет",
    "кошторис",
    "співфінансування",
    "партнери",
    "очікувані результати",
    "результати",
    "цільова аудиторія",
    "цільові групи",
    "бенефіціари",
    "сталість",
    "стійкість",
    "ризики",
    "терміни реалізації",
    "строки реалізації",
    "календарний план",
    "графік",
    "назва проекту",
    "резюме",
    "короткий опис",
    "опис проекту",
    "місце реалізації",
    "команда",
    "моніторинг",
    "оцінка",
    "ініціатор",
    "контакти",
    # sections of a hromada's development strategy
    "виклики",
    "стратегічні цілі",
    "проекти",
    "сильні сторони",
    "слабкі сторони",
    "міжмуніципальне співробітництво",
    # Russian
    "описание проблемы",
    "актуальность",
    "обоснование",
    "цель",
    "цели",
    "задачи",
    "мероприятия",
    "план мероприятий",
    "смета",
    "софинансирование",
    "партнеры",
    "ожидаемые результаты",
    "целевая аудитория",
    "целевые группы",
    "устойчивость",
    "риски",
    "сроки реализации",
    "название проекта",
    "описание проекта",
)
_HEADING_NUMBERING = re.compile(
    r"^(?:(?:розділ|раздел)\s+)?(?:\d+(?:\.\d+)*[.)]?|[IVX]+[.)])\s*", re.IGNORECASE
)
_PROPOSAL_HEADING_LINE = re.compile(
    r"^(?:" + "|".join(sorted(map(re.escape, _PROPOSAL_HEADINGS), key=len, reverse=True)) + r")\b",
)
_HEADING_QUALIFIERS = frozenset(
    [
        "(за",
        "джерелами)",
        "громад",
        "громади",
        "головна",
        "джерелами",
        "за",
        "заходу",
        "заходів",
        "ключові",
        "населення",
        "основна",
        "основні",
        "програми",
        "проекта",
        "проекту",
        "ради",
        "реалізації",
        "спільноти",
        "та",
        "та/або",
        "фінансування",
        "виконання",
        "й",
        "і",
        "і/або",
    ]
)
"""Words that may follow a heading on its line («Мета проєкту», «Бюджет (за джерелами)»): a heading word
followed by anything else («Команда складається з ...») is a sentence of the text, not a heading."""
MAX_HEADING_WORDS = 8
MAX_HEADING_CHARS = 90


@dataclass(frozen=True)
class Heading:
    """A section heading found on a line of its own."""

    start: int
    """Offset of the heading line's first character."""
    text: str
    """The heading as written, without numbering and the closing colon: «Мета проєкту»."""


def proposal_headings(text: str) -> list[Heading]:
    """The lines of ``text`` that are section headings of a project proposal, in order."""
    headings = []
    offset = 0
    for line in text.splitlines(keepends=True):
        heading = _proposal_heading(line)
        if heading is not None:
            headings.append(Heading(start=offset + len(line) - len(line.lstrip()), text=heading))
        offset += len(line)
    return headings


def _proposal_heading(line: str) -> str | None:
    """The heading text if ``line`` is a short line that starts with a known heading and is no sentence."""
    stripped = line.strip().strip("*#").strip()
    if not stripped or len(stripped) > MAX_HEADING_CHARS or stripped.endswith((".", ";", ",")):
        return None
    without_number = _HEADING_NUMBERING.sub("", stripped).rstrip(":").strip()
    if len(without_number.split()) > MAX_HEADING_WORDS:
        return None
    key = without_number.lower().replace("проєкт", "проект")
    match = _PROPOSAL_HEADING_LINE.match(key)
    if not match or not set(key[match.end() :].split()) <= _HEADING_QUALIFIERS:
        return None
    return without_number
