"""Find a document's title in its text, the way a Ukrainian official document states it.

Such a document opens with an approval stamp («ЗАТВЕРДЖУЮ», a position, a name, a date) and then names its
type in capitals («ПРАВИЛА», «ПОЛОЖЕННЯ», «РІШЕННЯ» …) followed by its subject («спортивних змагань з регбі»).
That pair is the title. Other texts get their first line, when it reads like a title.
"""

from __future__ import annotations

import re

SEARCHED_CHARS = 2000
"""The title stands at the top: only the document's first characters are searched."""
MAX_TITLE_WORDS = 25
MAX_FIRST_LINE_CHARS = 160

_DOCUMENT_TYPES = (
    "ПРАВИЛА|ПОЛОЖЕННЯ|ПОРЯДОК|ІНСТРУКЦІЯ|РЕГЛАМЕНТ|СТРАТЕГІЯ|ПРОГРАМА|ПРОТОКОЛ|СТЕНОГРАМА|РІШЕННЯ|НАКАЗ|"
    "ПОСТАНОВА|РОЗПОРЯДЖЕННЯ|СТАТУТ|ДОГОВІР|УГОДА|МЕМОРАНДУМ|ЗВІТ|АНАЛІТИЧНА ЗАПИСКА|ДОВІДКА|КОНЦЕПЦІЯ|ПЛАН|"
    "ПРОЄКТ|ПРОЕКТ|ЗАКОН УКРАЇНИ|КОДЕКС|МЕТОДИЧНІ РЕКОМЕНДАЦІЇ|РЕКОМЕНДАЦІЇ|"
    # Russian
    "ПОЛОЖЕНИЕ|РЕШЕНИЕ|ПРИКАЗ|ПОСТАНОВЛЕНИЕ|ОТЧЕТ|ДОГОВОР|СОГЛАШЕНИЕ"
)
_TYPE_LINE = re.compile(rf"^[ \t]*(?:{_DOCUMENT_TYPES})(?:[ \t]|$)", re.MULTILINE)
_SECTION_START = re.compile(
    r"^\s*(?:[IVXІ]+\.|\d+(?:\.\d+)*\.?\s|Розділ\b|РОЗДІЛ\b|Глава\b|ГЛАВА\b|Стаття\b)"
)
_STAMP_WORDS = re.compile(r"^\s*(?:ЗАТВЕРДЖ|ПОГОДЖ|СХВАЛЕН|УХВАЛЕН|Додаток|ДОДАТОК)", re.IGNORECASE)


def find_title(text: str) -> str | None:
    """The title of an official document, else a short first line that is not an approval stamp, else None."""
    top = text[:SEARCHED_CHARS]
    match = _TYPE_LINE.search(top)
    if match:
        title = _title_from(top[match.start() :])
        if title:
            return title
    return _first_line(top)


def _title_from(text: str) -> str | None:
    """The type line and the subject lines after it, up to a blank line or the first section."""
    words: list[str] = []
    for number, line in enumerate(text.split("\n")):
        if not line.strip() or (number and _SECTION_START.match(line)):
            break
        words.extend(line.split())
        if len(words) > MAX_TITLE_WORDS:
            return None
    return " ".join(words) or None


def _first_line(text: str) -> str | None:
    for line in text.split("\n"):
        line = line.strip().lstrip("#").strip()
        if not line:
            continue
        if _STAMP_WORDS.match(line) or len(line) > MAX_FIRST_LINE_CHARS or len(line.split()) < 2:
            return None
        return line
    return None
