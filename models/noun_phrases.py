"""Noun phrases of Ukrainian sentences, put in the nominative so that they read as headings.

A phrase is a head noun with the adjectives in front of it that agree with it (same case and number, and the
same gender in the singular), then up to two genitive groups and at most one prepositional group, each a noun
with its own agreeing adjectives: «аварійний стан водогону», «підвезення учнів до школи», «ями на дорозі».
Every such phrase and each of its shorter forms (the head alone, the head with its first genitive...) is a
candidate; choosing among them is the caller's job (see ``service.problems.problem_labels``).

The head and its adjectives are put in the nominative; what follows keeps its case, as grammar wants («стан
водогону», not «стан водогін»). A form that is nominative already keeps that reading, so «ями на дорозі»
stays plural. A phrase never crosses punctuation or a number, and it holds no stop word and no Russian word.

Capitals: a word keeps its written capital when pymorphy3 reads it as a proper noun (a place, a name, an
organisation) or when it is capitalised inside a sentence that is not in Title Case; «Лобачі» and «Київ» stay
capitalised, and the phrase's first letter is the caller's to raise. Nouns that frame a statement rather than
name its subject («питання», «з приводу») never head a phrase.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pymorphy3 import MorphAnalyzer
    from pymorphy3.analyzer import Parse

MAX_GENITIVES = 2
MAX_ADJECTIVES = 2
TITLE_CASE_WORDS = 3
"""A run of this many words or more, most of them capitalised, is Title Case: capitals there tell nothing."""
MAX_ABBREVIATION_LETTERS = 5
"""A longer word in capitals is shouting, not an abbreviation («ПРОШУ»), and is lowercased."""
PREPOSITIONS = frozenset(
    {"до", "на", "в", "у", "для", "біля", "між", "через", "під", "над", "за", "по", "з", "із", "зі"}
)
"""Prepositions that may open a phrase's last group («до школи», «на дорозі», «у дворі»).

Not «від»: after a noun it starts what is to be done («очистити тротуар від сміття»), not the subject's name.
"""
_HEAD_CASES = ("nomn", "accs", "gent")
"""A problem's head noun is a subject, an object («відремонтувати дорогу») or negated («немає води»)."""
_GOVERNED = "governed"
"""The case of a noun after a preposition: any but the nominative and the vocative."""
FRAME_NOUNS = frozenset(
    {
        "проблема",
        "питання",
        "прохання",
        "звернення",
        "скарга",
        "привід",
        "зв'язок",
        "мета",
        "рахунок",
        "захід",
    }
    | {"необхідність", "ситуація", "випадок", "допомога", "увага", "відповідь", "заявка", "заява"}
    | {"мешканець", "житель", "громадянин", "посилання"}
)
"""Nouns that frame a statement («з приводу», «прошу вжити заходів») rather than name its subject: never heads."""
_PROPER_TAGS = frozenset({"Geox", "Name", "Surn", "Patr", "Orgn", "Abbr"})
_ADJECTIVES = frozenset({"ADJF", "PRTF"})
_RUSSIAN_LETTERS = frozenset("ыэъё")
# A segment is a run of words between punctuation marks and numbers; phrases never cross one.
_SEGMENT = re.compile(r"[^\W\d_]+(?:[-'’ʼ][^\W\d_]+)*(?:\s+[^\W\d_]+(?:[-'’ʼ][^\W\d_]+)*)*")
_WORD = re.compile(r"[^\W\d_]+(?:[-'’ʼ][^\W\d_]+)*")
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'"})


@dataclass(frozen=True)
class NounPhrase:
    """A candidate heading taken from a sentence."""

    text: str
    """The phrase with its head in the nominative, lowercase but for proper nouns («стан водогону»)."""
    keywords: tuple[str, ...]
    """The keyword lemma of each word that has one (as ``UkrainianPipeline.keyword_lemmas`` gives them)."""
    word_count: int


@dataclass(frozen=True)
class _Word:
    """A written word of a segment, with what the phrase grammar needs of it."""

    written: str
    parses: tuple[Parse, ...]
    capital_tells: bool
    """Whether a capital on this word marks a name: not at a sentence's start, nor in Title Case text."""
    preposition: bool


@dataclass(frozen=True)
class _Group:
    """A noun with the adjectives before it, as chosen parses of consecutive words."""

    start: int
    parses: tuple[Parse, ...]
    """The adjectives' parses, then the noun's."""

    @property
    def end(self) -> int:
        return self.start + len(self.parses)

    @property
    def noun(self) -> Parse:
        return self.parses[-1]


class NounPhraseFinder:
    """Finds ``NounPhrase`` candidates with a Ukrainian pymorphy3 analyser and a word's keyword lemma."""

    def __init__(
        self, analyser: MorphAnalyzer, stop_words: frozenset[str], keyword_of: Callable[[str], str | None]
    ) -> None:
        self._analyser = analyser
        self._stop_words = stop_words
        self._keyword_of = keyword_of

    def phrases(self, text: str) -> list[NounPhrase]:
        """Every candidate phrase of ``text``, in the order they start; the same phrase twice is kept once."""
        found: dict[str, NounPhrase] = {}
        for segment in _SEGMENT.finditer(text):
            words = self._words(segment.group(), at_sentence_start=_starts_sentence(text, segment.start()))
            for start in range(len(words)):
                for phrase in self._phrases_from(words, start):
                    found.setdefault(phrase.text, phrase)
        return list(found.values())

    def _words(self, segment: str, at_sentence_start: bool) -> list[_Word]:
        written_words = _WORD.findall(segment)
        capitalised = sum(word[0].isupper() for word in written_words)
        title_case = len(written_words) >= TITLE_CASE_WORDS and 2 * capitalised > len(written_words)
        words = []
        for number, written in enumerate(written_words):
            form = written.lower().translate(_APOSTROPHES)
            # A word the dictionary does not know is a typo («промлема») unless capitalised (a name it lacks).
            known = self._analyser.word_is_known(form) or written[0].isupper()
            usable = (
                known and form not in self._stop_words and not set(form) & _RUSSIAN_LETTERS and len(form) > 1
            )
            words.append(
                _Word(
                    written=written,
                    parses=tuple(self._analyser.parse(form)) if usable else (),
                    capital_tells=not title_case and not (at_sentence_start and number == 0),
                    preposition=form in PREPOSITIONS,
                )
            )
        return words

    def _phrases_from(self, words: Sequence[_Word], start: int) -> Iterator[NounPhrase]:
        """The phrase whose head group starts at ``start``, and each of its shorter forms."""
        head = _group(words, start, case=None)
        if head is None or head.noun.normal_form in FRAME_NOUNS:
            return
        yield self._phrase(words, head, [])
        tail: list[_Group] = []
        position = head.end
        while len(tail) < MAX_GENITIVES:
            genitive = _group(words, position, case="gent")
            if genitive is None:
                break
            tail.append(genitive)
            position = genitive.end
            yield self._phrase(words, head, tail)
        if position < len(words) and words[position].preposition:
            prepositional = _group(words, position + 1, case=_GOVERNED)
            if prepositional is not None:
                tail.append(prepositional)
                yield self._phrase(words, head, tail, preposition=position)

    def _phrase(
        self, words: Sequence[_Word], head: _Group, tail: list[_Group], preposition: int | None = None
    ) -> NounPhrase:
        """The phrase ``head`` + ``tail`` with the head group in the nominative."""
        rendered = [
            _cased(words[head.start + i], _nominative(parse, head.noun))
            for i, parse in enumerate(head.parses)
        ]
        for group in tail:
            if preposition is not None and group.start == preposition + 1:
                rendered.append(words[preposition].written.lower())
            rendered.extend(
                _cased(words[group.start + i], parse.word) for i, parse in enumerate(group.parses)
            )
        end = tail[-1].end if tail else head.end
        keywords = tuple(
            keyword
            for word in words[head.start : end]
            if word.parses and (keyword := self._keyword_of(word.written.lower())) is not None
        )
        return NounPhrase(text=" ".join(rendered), keywords=keywords, word_count=len(rendered))


def _group(words: Sequence[_Word], start: int, case: str | None) -> _Group | None:
    """The longest adjectives-then-noun group at ``start`` that agrees (in ``case`` when given), or None.

    Longest first, so that a word that reads as an adjective or a noun («шкільного») is taken as the
    adjective of the noun after it when they agree.
    """
    adjective_count = 0
    while adjective_count < MAX_ADJECTIVES and start + adjective_count < len(words):
        if not _readings(words[start + adjective_count], _ADJECTIVES):
            break
        adjective_count += 1
    for noun_at in range(min(start + adjective_count, len(words) - 1), start - 1, -1):
        adjectives = words[start:noun_at]
        noun_word = words[noun_at]
        for noun in _ordered_nouns(_readings(noun_word, {"NOUN"}), case, noun_word.written[0].isupper()):
            chosen = [_agreeing(_readings(word, _ADJECTIVES), noun) for word in adjectives]
            if all(parse is not None for parse in chosen):
                return _Group(start=start, parses=(*chosen, noun))  # type: ignore[arg-type]
    return None


def _readings(word: _Word, parts_of_speech: set[str] | frozenset[str]) -> list[Parse]:
    if word.preposition:
        return []
    return [parse for parse in word.parses if parse.tag.POS in parts_of_speech]


def _ordered_nouns(nouns: list[Parse], case: str | None, capitalised: bool) -> list[Parse]:
    """Noun readings in ``case``; with no case asked, singular readings first, then by ``_HEAD_CASES``.

    «школи», «відсутності» read as genitive singulars become «школа», «відсутність», not plurals; «роботу» is
    the accusative of «робота» before the dative of «робот». A capitalised word is a name more often than not,
    and names are often plural («Лобачі»): only the case order applies.
    """
    if case == _GOVERNED:
        return [noun for noun in nouns if "nomn" not in noun.tag and "voct" not in noun.tag]
    if case is not None:
        return [noun for noun in nouns if case in noun.tag]
    if capitalised:
        return sorted(nouns, key=_case_rank)
    return sorted(nouns, key=lambda noun: (_number(noun) == "plur", _case_rank(noun)))


def _case_rank(noun: Parse) -> int:
    return _HEAD_CASES.index(noun.tag.case) if noun.tag.case in _HEAD_CASES else len(_HEAD_CASES)


def _agreeing(adjectives: list[Parse], noun: Parse) -> Parse | None:
    for adjective in adjectives:
        same_number = _number(adjective) == _number(noun)
        same_gender = _number(noun) == "plur" or adjective.tag.gender == noun.tag.gender
        if adjective.tag.case == noun.tag.case and same_number and same_gender:
            return adjective
    return None


def _number(parse: Parse) -> str:
    return "plur" if "plur" in parse.tag else "sing"


def _nominative(parse: Parse, noun: Parse) -> str:
    """``parse`` (the head noun or one of its adjectives) in the nominative, in the noun's number and gender.

    Of the lexeme's forms with those features, the one that shares the longest beginning with the written form:
    the dictionary lists rare variants too, and «дітей» should become «діти», not «дитини».
    """
    if "nomn" in parse.tag:
        return parse.word
    wanted = {"nomn", "plur"} if _number(noun) == "plur" else {"nomn"}
    if parse is not noun and _number(noun) == "sing" and noun.tag.gender:
        wanted.add(noun.tag.gender)
    forms = [
        form.word
        for form in parse.lexeme
        if form.tag.POS == parse.tag.POS and wanted <= form.tag.grammemes and _number(form) == _number(noun)
    ]
    if not forms:
        return parse.word
    return max(forms, key=lambda form: _shared_beginning(form, parse.word))


def _shared_beginning(first: str, second: str) -> int:
    length = 0
    for one, other in zip(first, second, strict=False):
        if one != other:
            break
        length += 1
    return length


def _cased(word: _Word, form: str) -> str:
    """``form`` with the capitals of ``word`` when it is a proper noun or an abbreviation, lowercase otherwise."""
    written = word.written
    if len(written) > 1 and written.isupper():
        abbreviation = len(written) <= MAX_ABBREVIATION_LETTERS and _abbreviation(word)
        return form.upper() if abbreviation else form
    proper = any(tag in word.parses[0].tag for tag in _PROPER_TAGS) if word.parses else False
    if written[0].isupper() and (proper or word.capital_tells):
        return form[:1].upper() + form[1:]
    return form


def _abbreviation(word: _Word) -> bool:
    """Whether a word in capitals is an abbreviation («ДНЗ», «ЖРЕО»), not a shouted word («ЛІФТ»).

    The dictionary's abbreviations are indeclinable (``Fixd``); one it does not know is taken as one too.
    """
    parses = word.parses
    return not parses or not parses[0].is_known or any("Fixd" in parse.tag for parse in parses)


def _starts_sentence(text: str, position: int) -> bool:
    """Whether only spaces, quotes or a sentence end come between the last sentence end and ``position``."""
    before = text[:position].rstrip(" \t«\"'(–—-")
    return not before or before[-1] in ".!?\n:;"
