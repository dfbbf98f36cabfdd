"""Normalisation: from the raw page texts a reader found to the one text that chunks and citations point into.

What it repairs, page by page:

- Unicode is composed (NFC), so «й» and «ї» are one character whatever the source did.
- Invisible characters go: soft hyphens, zero-width marks, control characters and private-use characters
  (PDF fonts map bullets and ornaments there).
- Latin letters that look like Cyrillic ones are replaced inside words that are otherwise Cyrillic
  («суддiв» with a Latin i, «Пpавил» with a Latin p), and a lone Latin «i» between Cyrillic words becomes
  the conjunction «і»: such words are invisible to search otherwise.
- Whitespace is collapsed, but line structure is kept: a line break stays ``"\\n"`` and a blank line becomes
  one paragraph break ``"\\n\\n"``: chunkers look for «Стаття N», speakers and headings at line starts.
- A line that repeats at the top or bottom of most pages (modulo digits: a page number, a running title) is
  dropped from each page.
- A word broken by a hyphen at a line end («забезпе-\\nчення») is joined, unless it is a hyphenated
  compound («соціально-\\nекономічний», «судді-\\nінформатору»). The document is its own dictionary: a word
  it also writes unbroken is joined; one it writes with a hyphen, one whose halves are both its words, and
  one whose first half is an adverb stem in -но keep the hyphen. On the sports rules PDFs this decides 69 of
  77 line-end hyphens right, where joining them all would get 12.

Pages are normalised one by one and joined with ``"\\n\\n"``; ``page_starts`` records where each begins,
so the text of page ``i`` is exactly ``text[page_starts[i]:page_starts[i] + len(page)]`` and nothing ever
moves from one page to another.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from indexing.document import NormalisedText

PAGE_SEPARATOR = "\n\n"

_LINE_BREAKS = re.compile(r"\r\n|[\r\v\f\x85\u2028\u2029]")
# A soft hyphen before a line break is a word the typesetter broke: join it outright.
_SOFT_HYPHEN_AT_LINE_END = re.compile(r"\u00ad[^\S\n]*\n[^\S\n]*")
_INVISIBLE = re.compile(
    "[\u00ad\u200b-\u200d\u2060\ufeff"  # soft hyphen, zero-width space/joiners, word joiner, BOM
    "\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f"  # control characters (not tab and line breaks: whitespace)
    "\ue000-\uf8ff\U000f0000-\U0010ffff]"  # private use
)
# Single spaces are left alone (most of the text): only runs and other kinds of space are rewritten.
_SPACES = re.compile(r"[^\S \n]|[^\S\n]{2,}")
_SPACES_AROUND_LINE_BREAK = re.compile(r" \n ?|\n ")
_BLANK_LINES = re.compile(r"\n{3,}")
_DIGITS = re.compile(r"\d+")

_CYRILLIC = "\u0400-\u04ff"
_LATIN = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff"
# Only words where a Cyrillic letter touches a Latin one are looked at, and only on pages that have one: the
# rest of the text is skipped by the regex engine at C speed. The lookbehind makes it try each word once.
_CYRILLIC_TOUCHING_LATIN = re.compile(f"[{_CYRILLIC}][{_LATIN}]|[{_LATIN}][{_CYRILLIC}]")
_MIXED_SCRIPT_WORD = re.compile(
    f"(?<![{_CYRILLIC}{_LATIN}])[{_CYRILLIC}{_LATIN}]*(?:[{_CYRILLIC}][{_LATIN}]|[{_LATIN}][{_CYRILLIC}])[{_CYRILLIC}{_LATIN}]*"
)
# A one-letter Latin word between Cyrillic words is the conjunction or preposition it looks like: «темп i
# тривалість». (The class comes first so that the lookbehind runs only at those letters.)
_LONE_LATIN_LOOKALIKE = re.compile(f"[aioyc](?<=[{_CYRILLIC}] [aioyc])(?= [{_CYRILLIC}])")
_LATIN_LETTER = re.compile(f"[{_LATIN}]")
_CYRILLIC_LETTER = re.compile(f"[{_CYRILLIC}]")
_CYRILLIC_FOR_LATIN_LOOKALIKE = {
    "a": "а", "c": "с", "e": "е", "i": "і", "k": "к", "o": "о", "p": "р", "x": "х", "y": "у", "ï": "ї",
    "A": "А", "B": "В", "C": "С", "E": "Е", "H": "Н", "I": "І", "K": "К", "M": "М", "O": "О", "P": "Р",
    "T": "Т", "X": "Х", "Y": "У", "Ï": "Ї",
}  # fmt: skip
_LOOKALIKE_TRANSLATION = str.maketrans(_CYRILLIC_FOR_LATIN_LOOKALIKE)

_LOWER_CYRILLIC = "а-яёіїєґ"
_APOSTROPHES = "'’ʼ"
_VOCABULARY_TOKEN = re.compile(
    f"[{_LOWER_CYRILLIC}{_APOSTROPHES}]+(?:-\n?[{_LOWER_CYRILLIC}{_APOSTROPHES}]+)*"
)
_MIN_STEM = 4
_MIN_COMPOUND_HEAD = 3
_MIN_ADVERB_HEAD = 6
_HYPHENS = "\\-\u2010\u2011"
_HYPHEN_AT_LINE_END = re.compile(f"[{_HYPHENS}]\n")  # a cheap test before the full pattern below
_HYPHENATED_LINE_END = re.compile(
    f"(?<![{_CYRILLIC}{_APOSTROPHES}])([{_CYRILLIC}{_APOSTROPHES}]*[{_LOWER_CYRILLIC}])([{_HYPHENS}])\n"
    f"([{_LOWER_CYRILLIC}][{_LOWER_CYRILLIC}{_APOSTROPHES}]*)"
)

# A line is a running header or footer when it opens (or closes) at least this share of the pages with text,
# and at least this many of them: a two-page letter has no running headers worth the risk.
_RUNNING_LINE_MIN_SHARE = 0.5
_RUNNING_LINE_MIN_PAGES = 3


@dataclass
class NormalisationStats:
    """What normalisation changed in one document: worth logging, and a check that repairs happen."""

    lookalike_letters_fixed: int = 0
    hyphenations_joined: int = 0
    hyphenated_compounds_kept: int = 0
    running_lines_removed: int = 0


def normalise(pages: Sequence[str]) -> NormalisedText:
    """Normalise the page texts of one document and join them, recording where each page starts."""
    return normalise_with_stats(pages)[0]


def normalise_with_stats(pages: Sequence[str]) -> tuple[NormalisedText, NormalisationStats]:
    """Like :func:`normalise`, and also say what was repaired."""
    stats = NormalisationStats()
    cleaned = [_clean_page(page, stats) for page in pages]
    without_running_lines = _remove_running_lines(cleaned, stats)
    final_pages = _join_hyphenated_words(without_running_lines, stats)
    return _join_pages(final_pages), stats


def _clean_page(page: str, stats: NormalisationStats) -> str:
    """One page with Unicode, invisible characters, look-alike letters and whitespace put right."""
    text = unicodedata.normalize("NFC", page)
    text = _LINE_BREAKS.sub("\n", text)
    text, joined = _SOFT_HYPHEN_AT_LINE_END.subn("", text)
    stats.hyphenations_joined += joined
    text = _INVISIBLE.sub("", text)
    text = _fix_lookalike_letters(text, stats)
    text = _SPACES.sub(" ", text)
    text = _SPACES_AROUND_LINE_BREAK.sub("\n", text)
    return _BLANK_LINES.sub("\n\n", text).strip()


def _fix_lookalike_letters(text: str, stats: NormalisationStats) -> str:
    """The text with Latin look-alikes made Cyrillic in Cyrillic words and in one-letter words among them."""
    if _CYRILLIC_TOUCHING_LATIN.search(text):
        text = _MIXED_SCRIPT_WORD.sub(lambda match: _fix_lookalikes(match.group(), stats), text)
    text, fixed = _LONE_LATIN_LOOKALIKE.subn(
        lambda match: match.group().translate(_LOOKALIKE_TRANSLATION), text
    )
    stats.lookalike_letters_fixed += fixed
    return text


def _fix_lookalikes(word: str, stats: NormalisationStats) -> str:
    """The word with its Latin look-alikes made Cyrillic, if it is Cyrillic and they are all look-alikes."""
    latin_letters = _LATIN_LETTER.findall(word)
    if len(_CYRILLIC_LETTER.findall(word)) < len(latin_letters):
        return word
    if any(letter not in _CYRILLIC_FOR_LATIN_LOOKALIKE for letter in latin_letters):
        return word  # a real Latin word glued to Cyrillic («ІV», «Wi-Fiмережа»): not ours to change
    stats.lookalike_letters_fixed += len(latin_letters)
    return word.translate(_LOOKALIKE_TRANSLATION)


def _remove_running_lines(pages: list[str], stats: NormalisationStats) -> list[str]:
    """The pages without the first and last lines that repeat (modulo digits) on most pages."""
    with_text = [page for page in pages if page]
    needed = max(_RUNNING_LINE_MIN_PAGES, _RUNNING_LINE_MIN_SHARE * len(with_text))
    header = _most_common_key((_first_line(page) for page in with_text), needed)
    footer = _most_common_key((_last_line(page) for page in with_text), needed)
    if header is None and footer is None:
        return pages
    result = []
    for page in pages:
        if page and _line_key(_first_line(page)) == header:
            page = page[len(_first_line(page)) :].lstrip("\n")
            stats.running_lines_removed += 1
        if page and _line_key(_last_line(page)) == footer:
            page = page[: -len(_last_line(page))].rstrip("\n")
            stats.running_lines_removed += 1
        result.append(page)
    return result


def _most_common_key(lines: Iterable[str], needed: float) -> str | None:
    """The digit-blind key of the most common line, if it occurs at least ``needed`` times."""
    counts = Counter(_line_key(line) for line in lines)
    if not counts:
        return None
    key, count = counts.most_common(1)[0]
    return key if count >= needed else None


def _line_key(line: str) -> str:
    return _DIGITS.sub("#", line)


def _first_line(page: str) -> str:
    return page.partition("\n")[0]


def _last_line(page: str) -> str:
    return page.rpartition("\n")[2]


def _join_hyphenated_words(pages: list[str], stats: NormalisationStats) -> list[str]:
    """The pages with words broken at line ends joined; a hyphenated compound keeps its hyphen (and loses the
    line break)."""
    if not any(_HYPHEN_AT_LINE_END.search(page) for page in pages):
        return pages
    vocabulary = _DocumentVocabulary("\n".join(pages))

    def rejoin(match: re.Match[str]) -> str:
        head, hyphen, tail = match.groups()
        if vocabulary.is_compound(head.lower(), tail.lower()):
            stats.hyphenated_compounds_kept += 1
            return head + hyphen + tail
        stats.hyphenations_joined += 1
        return head + tail

    return [
        _HYPHENATED_LINE_END.sub(rejoin, page) if _HYPHEN_AT_LINE_END.search(page) else page for page in pages
    ]


class _DocumentVocabulary:
    """The words of one document, its own dictionary for telling a broken word from a hyphenated compound.

    Words are compared by their first letters (all but the last two, at least four), so that another case form
    of the same word counts: «представників» attests «представники».
    """

    def __init__(self, text: str) -> None:
        words: set[str] = set()
        compounds: set[str] = set()
        for token in set(_VOCABULARY_TOKEN.findall(text.lower())):
            if "\n" in token:
                continue  # a word broken at a line end is the question, not evidence
            words.update(token.split("-"))
            if "-" in token:
                compounds.add(token)
        self._words = sorted(words)
        self._word_set = words
        self._compounds = sorted(compounds)

    def is_compound(self, head: str, tail: str) -> bool:
        """Whether «head-\ntail» is a hyphenated compound rather than one word broken across lines."""
        if self._has_form_of(self._words, head + tail):
            return False
        if self._has_form_of(self._compounds, f"{head}-{tail}"):
            return True
        # A long first half in -но is an adverb stem of a compound adjective: «санітарно-\nгігієнічного».
        if head.endswith("но") and len(head) >= _MIN_ADVERB_HEAD:
            return True
        # Both halves are words of their own: «судді-\nхронометристи», «будь-\nякими»; a first half in -о
        # ends in the linking vowel of compound adjectives: «медико-\nсанітарне». One- and two-letter heads
        # are prefixes far more often than words («за-\nповнену»).
        head_is_word = head in self._word_set or (head.endswith("о") and len(head) >= _MIN_STEM)
        if len(head) < _MIN_COMPOUND_HEAD or not head_is_word:
            return False
        return self._has_form_of(self._words, tail)

    @staticmethod
    def _has_form_of(sorted_words: list[str], word: str) -> bool:
        stem = word[: max(_MIN_STEM, len(word) - 2)]
        index = bisect.bisect_left(sorted_words, stem)
        return index < len(sorted_words) and sorted_words[index].startswith(stem)


def _join_pages(pages: list[str]) -> NormalisedText:
    page_starts = []
    offset = 0
    for page in pages:
        page_starts.append(offset)
        offset += len(page) + len(PAGE_SEPARATOR)
    return NormalisedText(text=PAGE_SEPARATOR.join(pages), page_starts=page_starts or [0])
