"""Tell Ukrainian from Russian (and from a mix of both) by the letters and the small words a text uses.

Citizens write to a hromada in Ukrainian, in Russian, and in a mix of the two (surzhyk, or a Russian
letter quoted in a Ukrainian one). Each language has letters the other lacks (і ї є ґ and the apostrophe
against ы э ъ ё), endings and function words of its own («що», «це», «від» against «что», «это», «от»);
counting them is enough to decide, and fast enough to run on every document. Long texts are judged on a
sample taken from their beginning, middle and end.
"""

from __future__ import annotations

import re


def _word_set(words: str) -> frozenset[str]:
    """The words of a whitespace-separated list, kept that way to read like a dictionary page."""
    return frozenset(words.split())


UKRAINIAN = "uk"
RUSSIAN = "ru"
MIXED = "mixed"
OTHER = "other"
"""Letters, but mostly not Cyrillic ones (English, Latin transliteration)."""
UNKNOWN = "unknown"
"""Too little text, or Cyrillic text with nothing that tells the two languages apart."""

LANGUAGES = (UKRAINIAN, RUSSIAN, MIXED, OTHER, UNKNOWN)

SAMPLE_PART_CHARS = 2000
"""A long text is judged on three pieces of this many characters: start, middle and end."""

MINORITY_SHARE_FOR_MIXED = 0.25
"""A text is mixed when the weaker language still has at least this share of the evidence..."""
MINORITY_EVIDENCE_FOR_MIXED = 3
"""...and at least this many points of it, so that one quoted Russian word does not make a text mixed."""

FUNCTION_WORD_WEIGHT = 2
"""A function word is stronger evidence than a letter: it cannot be a typo or a name."""

_UKRAINIAN_LETTERS = frozenset("іїєґ")
_RUSSIAN_LETTERS = frozenset("ыэъё")

# Only words of one of the two languages: «не», «на», «в», «нас», «через», «прошу» are shared and say nothing.
_UKRAINIAN_WORDS = _word_set(
    """і й та що це як від щодо його її їх але або вже також є був була було були дуже ще коли бо який
    яка яке які цей ця ці цього з із зі чи якщо тобто просимо немає ніхто нічого всі усі буде ласка
    може можна треба потрібно після між де сьогодні"""
)
_RUSSIAN_WORDS = _word_set(
    """и что это как от его но или также есть был была было были очень еще когда поэтому потому который
    которая которое которые этот эта эти этого со ли если просим нет никто ничего будет пожалуйста
    может можно надо нужно после между где здесь сегодня"""
)

# Endings of one language only, for short texts without a telling letter («Отсутствует наружное освещение»).
# Only words of at least ``_MIN_WORD_FOR_ENDING`` letters count: «той», «мое» are too short to tell.
_UKRAINIAN_ENDINGS = ("ння", "ість", "ості", "ує", "ає", "ати", "ити", "ою")
_RUSSIAN_ENDINGS = ("ое", "ая", "ие", "ые", "ой", "ает", "яет", "ует", "ать", "ить")
_MIN_WORD_FOR_ENDING = 5

# Latin «i» and «ï» typed for the Ukrainian letters (a Russian keyboard has no «і»): «лiфт», «працюе».
_LATIN_STANDINS = str.maketrans({"i": "і", "ï": "ї"})
# Addresses are Latin and say nothing of the language the person wrote in.
_URL_OR_EMAIL = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+")
_WORD = re.compile(r"[^\W\d_]+(?:['’ʼ][^\W\d_]+)*")
_APOSTROPHE_INSIDE_WORD = re.compile(r"[^\W\d_]['’ʼ][^\W\d_]")


def detect_language(text: str) -> str:
    """The language of ``text``: ``"uk"``, ``"ru"``, ``"mixed"``, ``"other"`` or ``"unknown"``."""
    sample = _URL_OR_EMAIL.sub(" ", _sample(text)).lower()
    words = _WORD.findall(sample)
    letters = [ch for word in words for ch in word]
    if len(letters) < 3:
        return UNKNOWN
    cyrillic = sum("а" <= ch <= "я" or ch in "іїєґё" for ch in letters)
    if cyrillic < len(letters) / 2:
        return OTHER
    ukrainian, russian = _evidence(words, sample)
    return _decide(ukrainian, russian)


def _sample(text: str) -> str:
    """The whole text when short, else three pieces of it: languages can change along a long text."""
    if len(text) <= 3 * SAMPLE_PART_CHARS:
        return text
    middle = len(text) // 2 - SAMPLE_PART_CHARS // 2
    return "\n".join(
        (
            text[:SAMPLE_PART_CHARS],
            text[middle : middle + SAMPLE_PART_CHARS],
            text[-SAMPLE_PART_CHARS:],
        )
    )


def _evidence(words: list[str], sample: str) -> tuple[int, int]:
    """Points for Ukrainian and for Russian: one per telling letter or ending, two per function word."""
    ukrainian = len(_APOSTROPHE_INSIDE_WORD.findall(sample))
    russian = 0
    for word in words:
        if _is_cyrillic_word_with_latin_standins(word):
            word = word.translate(_LATIN_STANDINS)
        ukrainian += sum(ch in _UKRAINIAN_LETTERS for ch in word)
        russian += sum(ch in _RUSSIAN_LETTERS for ch in word)
        if len(word) >= _MIN_WORD_FOR_ENDING:
            ukrainian += word.endswith(_UKRAINIAN_ENDINGS)
            russian += word.endswith(_RUSSIAN_ENDINGS)
        if word in _UKRAINIAN_WORDS:
            ukrainian += FUNCTION_WORD_WEIGHT
        elif word in _RUSSIAN_WORDS:
            russian += FUNCTION_WORD_WEIGHT
    return ukrainian, russian


def _is_cyrillic_word_with_latin_standins(word: str) -> bool:
    return ("i" in word or "ï" in word) and any("а" <= ch <= "я" for ch in word)


def _decide(ukrainian: int, russian: int) -> str:
    total = ukrainian + russian
    if total == 0:
        return UNKNOWN
    minority = min(ukrainian, russian)
    if minority >= MINORITY_EVIDENCE_FOR_MIXED and minority / total >= MINORITY_SHARE_FOR_MIXED:
        return MIXED
    return UKRAINIAN if ukrainian > russian else RUSSIAN
