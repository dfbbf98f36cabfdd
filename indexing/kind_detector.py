"""Guess a document's kind from its structure, and say why, so that ``index --kind auto`` can explain itself.

The kinds are tried from the most to the least structured: a law has article headings, a transcript has
speaker lines, a proposal has its section headings; a text that calls itself a note or a report, or is laid out
in headed sections, is a note; an appeal is a short text written in the first person; everything else is a note.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from indexing.document_structure import (
    ARTICLE_HEADING,
    LEGISLATION_TITLE,
    TIMESTAMP,
    UTTERANCE_LINE,
    proposal_headings,
    speaker_lines,
)

MIN_ARTICLES = 3
"""Article headings that make a text a law; one or two are also enough when the title names a law."""
MIN_SPEAKER_TURNS = 3
MIN_TIMESTAMPS_WITH_TURNS = 2
"""Timestamps that, with at least two speaker lines, make a text a transcript."""
MIN_PROPOSAL_SECTIONS = 3
"""Distinct proposal headings («Мета проєкту», «Бюджет», «Партнери», ...) that make a text a proposal."""
MIN_NOTE_HEADINGS = 2
"""Markdown headings («## Стан справ») that make a text a note: an appeal is never laid out in sections."""
MAX_APPEAL_WORDS = 350
"""Longer texts are reports or letters of another kind, even when written in the first person."""

# A request or complaint shows itself by a first person («прошу», «ми»), by naming a fault («не працює»,
# «відсутнє освітлення») or by the courtesies of a letter («Добрий день», «Дякую»): citizens' requests to
# 1551 are often one line with no subject at all.
_REQUEST_OR_COMPLAINT = re.compile(
    r"\b(?:прошу|просимо|прохання|звертаюся|звертаюсь|звертаємося|звертаємось|скаржуся|скарга|вимагаю|"
    r"вимагаємо|мене|мені|нашому|нашого|нашій|ми|я|не\s+працює|не\s+працюють|немає|нема|відсутн\w*|чому|"
    r"добрий\s+день|доброго\s+дня|шановн\w+|дякую|будь\s+ласка|"
    r"просим|просьба|обращаюсь|обращаемся|жалоба|требую|требуем|мне|меня|нашем|нашего|нашей|мы|"
    r"не\s+работает|не\s+работают|нет|нету|отсутств\w*|почему|добрый\s+день|здравствуйте|уважаем\w+|"
    r"спасибо|пожалуйста)\b",
    re.IGNORECASE,
)

# What an analytical note, a report or a reference calls itself at the start of its title line.
_NOTE_TITLE = re.compile(
    r"^[# \t]*(?P<name>аналітична\s+записка|аналітична\s+довідка|доповідна\s+записка|службова\s+записка|"
    r"пояснювальна\s+записка|довідка|звіт|огляд|рекомендації|аналитическая\s+записка|справка|отч[её]т)\b",
    re.IGNORECASE | re.MULTILINE,
)
_MARKDOWN_HEADING = re.compile(r"^#{1,6}[ \t]+\S", re.MULTILINE)
_NOTE_TITLE_LINES = 3


@dataclass(frozen=True)
class KindGuess:
    """The kind chosen for a document and the evidence, in words a user can read."""

    kind: str
    reason: str


def detect_kind(text: str, title: str | None = None) -> KindGuess:
    """The kind of a document (one of ``indexing.document.KINDS``) from its normalised text and title."""
    return (
        _as_legislation(text, title)
        or _as_transcript(text)
        or _as_proposal(text)
        or _as_note(text, title)
        or _as_appeal(text)
        or KindGuess("note", "no article headings, speaker lines or proposal sections were found")
    )


def _as_legislation(text: str, title: str | None) -> KindGuess | None:
    articles = len(ARTICLE_HEADING.findall(text))
    # Without a title, the first line stands for it: a letter that quotes a law names it further down.
    titled_as_law = LEGISLATION_TITLE.search(title or text.lstrip().split("\n", 1)[0]) is not None
    if articles >= MIN_ARTICLES or (articles and titled_as_law):
        law = " and the title names a law" if titled_as_law else ""
        return KindGuess("legislation", f"{articles} article headings («Стаття N.»){law}")
    return None


def _as_transcript(text: str) -> KindGuess | None:
    turns = len(speaker_lines(text)) + len(UTTERANCE_LINE.findall(text))
    timestamps = len(TIMESTAMP.findall(text))
    if turns >= MIN_SPEAKER_TURNS or (turns >= 2 and timestamps >= MIN_TIMESTAMPS_WITH_TURNS):
        return KindGuess("transcript", f"{turns} speaker turns and {timestamps} timestamps")
    return None


def _as_proposal(text: str) -> KindGuess | None:
    sections = list(dict.fromkeys(heading.text.lower() for heading in proposal_headings(text)))
    if len(sections) >= MIN_PROPOSAL_SECTIONS:
        listed = ", ".join(f"«{section}»" for section in sections[:5])
        return KindGuess("proposal", f"{len(sections)} proposal sections: {listed}")
    return None


def _as_note(text: str, title: str | None) -> KindGuess | None:
    opening = "\n".join([title or "", *text.lstrip().split("\n", _NOTE_TITLE_LINES)[:_NOTE_TITLE_LINES]])
    named = _NOTE_TITLE.search(opening)
    if named is not None:
        return KindGuess("note", f"the title calls it «{named.group('name')}»")
    headings = len(_MARKDOWN_HEADING.findall(text))
    if headings >= MIN_NOTE_HEADINGS:
        return KindGuess("note", f"{headings} section headings and no proposal sections")
    return None


def _as_appeal(text: str) -> KindGuess | None:
    words = len(text.split())
    marker = _REQUEST_OR_COMPLAINT.search(text)
    if words <= MAX_APPEAL_WORDS and marker is not None:
        return KindGuess(
            "appeal", f"a short text ({words} words) that asks or complains («{marker.group()}»)"
        )
    return None
