"""Sentence boundaries in Ukrainian (and Russian) official text, by rules that know its abbreviations.

A full stop ends a sentence only when the next one starts like a sentence (a capital, a digit, a quote,
a dash) and the stop does not close an abbreviation: «ст. 26», «м. Київ», «т. ч.», «п. 1», «вул. Хрещатик»,
initials «Петренко І.П.». A blank line always ends a sentence; a line break ends one after «;» or «:» (the
items of a list in a law) and before a list marker («1.», «2)», «–»). A missed boundary costs little (a chunk
ends a sentence later); a false one cuts a reference like «ст. 26» away from its number, so the rules lean
towards not splitting.
"""

from __future__ import annotations

import re


def _word_set(words: str) -> frozenset[str]:
    """The words of a whitespace-separated list, kept that way to read like a dictionary page."""
    return frozenset(words.split())


# Stops that never end a sentence: they are followed by a number or a name.
_NON_FINAL_ABBREVIATIONS = _word_set(
    """ст стт ч чч п пп пт абз розд гл м с смт сщ вул просп пров пл бульв буд корп кв обл р-н ім проф
    акад доц див напр тел моб юр гр гр-н гр-ка тов д-р ст-ця пос ул д им"""
)
# Stops that close an abbreviation and often the sentence too: «... та інше, і т.д. Далі ...».
_SENTENCE_FINAL_ABBREVIATION = re.compile(r"(?:\bт\.\s?[дп]|\bтощо|\bін)$", re.IGNORECASE)

_TERMINAL_PUNCTUATION = re.compile(r"[.!?…]+[»\"”’)\]]*(?=\s)")
_SENTENCE_START = re.compile(r"\s+[\"«„“(\[—–\-\d]|\s+[^\W\d_]")
_LIST_ITEM_LINE = re.compile(r"\n[ \t]*(?:\d+(?:[-–]\d+)?[.)]|[а-яієїґ][)]|[-–—•])\s", re.IGNORECASE)
_BREAK_AFTER_LIST_PUNCTUATION = re.compile(r"[;:][ \t]*\n")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_LAST_WORD = re.compile(r"([^\W\d_]+(?:-[^\W\d_]+)?)$")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """The ``(start, end)`` offsets of the sentences of ``text``, in order, trimmed of whitespace."""
    spans = []
    start = 0
    for boundary in _boundaries(text):
        spans.extend(_trimmed(text, start, boundary))
        start = boundary
    spans.extend(_trimmed(text, start, len(text)))
    return spans


def _boundaries(text: str) -> list[int]:
    """Offsets where a new sentence may begin, sorted and without duplicates."""
    found = {match.end() for match in _TERMINAL_PUNCTUATION.finditer(text) if _ends_sentence(text, match)}
    found.update(match.end() for match in _BREAK_AFTER_LIST_PUNCTUATION.finditer(text))
    found.update(match.start() + 1 for match in _LIST_ITEM_LINE.finditer(text))
    found.update(match.end() for match in _BLANK_LINE.finditer(text))
    return sorted(found)


def _ends_sentence(text: str, punctuation: re.Match[str]) -> bool:
    if not _SENTENCE_START.match(text, punctuation.end()):
        return False
    if punctuation.group().rstrip('»"”’)]') != ".":
        return True  # «?», «!», «...» are never abbreviations.
    before = text[max(0, punctuation.start() - 20) : punctuation.start()]
    if _SENTENCE_FINAL_ABBREVIATION.search(before):
        return True
    last_word = _LAST_WORD.search(before)
    if last_word is None:
        return True  # a number or a closing bracket before the stop
    word = last_word.group(1)
    return len(word) > 1 and word.lower() not in _NON_FINAL_ABBREVIATIONS


def _trimmed(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``[(start, end)]`` narrowed to its non-whitespace part, or ``[]`` when it is all whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return [(start, end)] if start < end else []
