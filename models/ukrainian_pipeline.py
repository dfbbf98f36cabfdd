"""The Ukrainian language pipeline: sentences, word tokens, lemmas and stop words, Russian included.

Lexical search compares lemma keys, so the rule that matters most is consistency: the same word form gives
the same key in a document and in a query, whatever surrounds it. A token's key is therefore a function of
the token alone (its letters decide the dictionary, not the document it sits in), and documents and queries
both go through :meth:`UkrainianPipeline.lemma_text`.

Why not spaCy's tokeniser and lemmatiser: ``spacy.blank("uk")`` cuts «т. ч.» into four tokens and its
sentencizer ends a sentence at «ст. 26»; its pymorphy3 lemmatiser leaves many forms as they are without a
tagger (see ``notes/ukrainian-nlp.md``); and a regular expression tokenises several times faster, which
counts at 10⁵–10⁶ chunks. spaCy's language data is still used: its Ukrainian and Russian stop-word lists.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from models.errors import ModelNotAvailableError
from models.language_detector import RUSSIAN, UKRAINIAN
from models.noun_phrases import NounPhrase, NounPhraseFinder
from models.sentence_splitter import sentence_spans

if TYPE_CHECKING:
    from pymorphy3 import MorphAnalyzer

DEFAULT_CACHE_SIZE = 200_000
"""Distinct word forms remembered per pipeline; a large archive has a few hundred thousand."""

MIN_KEYWORD_LETTERS = 3

# Readings pymorphy3's Ukrainian dictionary lists first although local-government text means another:
# «ради» is the council (рада), not the unit of radiation (рад); «голови» is the head (голова).
_DOMAIN_LEMMAS = {"рад": "рада", "голови": "голова"}

_NOMINAL_PARTS_OF_SPEECH = frozenset({"NOUN", "ADJF"})
# One apostrophe (the dictionary's), and «е» for «ё»: people write «еще» and «ещё» alike.
_SPELLING_VARIANTS = str.maketrans({"’": "'", "ʼ": "'", "‘": "'", "`": "'", "ё": "е"})
# Latin letters typed inside Cyrillic words («лiфт», «вулицa»); only applied to words that mix both scripts.
_LATIN_LOOKALIKES = str.maketrans(
    {"a": "а", "c": "с", "e": "е", "i": "і", "ï": "ї", "o": "о", "p": "р", "x": "х", "y": "у", "k": "к"}
)
# A word is letters with apostrophes inside (п'ять, об’єкт); a hyphen separates two words, so that
# «соціально-економічний» is found by «економічний». Numbers are kept: people search for «ст. 26».
_TOKEN = re.compile(r"[^\W\d_]+(?:['’ʼ‘`][^\W\d_]+)*|\d+")
_UKRAINIAN_ONLY = frozenset("іїєґ'")
_RUSSIAN_ONLY = frozenset("ыэъ")


@dataclass(frozen=True)
class _Analysis:
    """What the pipeline keeps of one word form."""

    key: str | None
    """The lemma key for search; ``None`` for a stop word."""
    keyword: str | None
    """The noun or adjective lemma for labels; ``None`` for a form without one, or a stop word."""


class UkrainianPipeline:
    """Sentence splitting, tokenising and lemmatising for Ukrainian text that may hold Russian.

    Build one per process and pass it to whoever needs it: loading the dictionaries takes a fraction of a
    second, and the cache of analysed word forms lives in the instance.
    """

    def __init__(self, cache_size: int = DEFAULT_CACHE_SIZE) -> None:
        self._analysers, self._stop_words = _load_language_data()
        self._analyse: Callable[[str, str], _Analysis] = lru_cache(maxsize=cache_size)(self._analyse_form)
        self._phrase_finder = NounPhraseFinder(
            self._analysers[UKRAINIAN], self._stop_words[UKRAINIAN], self._ukrainian_keyword
        )

    def sentence_spans(self, text: str) -> list[tuple[int, int]]:
        """The ``(start, end)`` offsets of the sentences of ``text``; see ``models.sentence_splitter``."""
        return sentence_spans(text)

    def lemmas(self, text: str, language: str | None = None) -> list[str]:
        """The lemma keys of the words of ``text``, lowercased, stop words removed, numbers kept as digits.

        ``language`` (``"uk"`` or ``"ru"``) only decides which dictionary reads a form that both know and
        whose letters could be either language's; it defaults to Ukrainian. Index and query code leave it
        unset (see ``lemma_text``).
        """
        preferred = RUSSIAN if language == RUSSIAN else UKRAINIAN
        keys = (self._analyse(form, preferred).key for form in _word_forms(text))
        return [key for key in keys if key is not None]

    def keyword_lemmas(self, text: str) -> list[str]:
        """Lemmas fit to label texts for people: nouns and adjectives, no stop words, no short words."""
        keywords = (self._analyse(form, UKRAINIAN).keyword for form in _word_forms(text))
        return [keyword for keyword in keywords if keyword is not None]

    def noun_phrases(self, text: str) -> list[NounPhrase]:
        """Candidate headings in ``text``: its Ukrainian noun phrases, head in the nominative.

        See ``models.noun_phrases``; each phrase's keywords are the ``keyword_lemmas`` of its words.
        """
        return self._phrase_finder.phrases(text)

    def lemma_text(self, text: str) -> str:
        """The space-joined lemma keys of ``text``: what the full-text index stores and a query is matched as.

        Documents and queries must both go through this method, so that a form gets the same key in each.
        """
        return " ".join(self.lemmas(text))

    def _ukrainian_keyword(self, form: str) -> str | None:
        return self._analyse(form, UKRAINIAN).keyword

    def _analyse_form(self, written_form: str, preferred: str) -> _Analysis:
        """The analysis of a lowercased token as written; the cache sits in front of this."""
        form = _repair_mixed_script(written_form.translate(_SPELLING_VARIANTS))
        if form.isdigit():
            return _Analysis(key=form, keyword=None)
        language = self._language_of(form, preferred)
        # Each language's stop words apply to its own words only: Russian «ради» is a preposition,
        # Ukrainian «ради» the councils.
        stop_words = self._stop_words[language]
        if form in stop_words or len(form) == 1:
            return _Analysis(key=None, keyword=None)
        parses = self._analysers[language].parse(form)
        nominal = [parse for parse in parses if parse.tag.POS in _NOMINAL_PARTS_OF_SPEECH]
        nouns = [parse for parse in nominal if parse.tag.POS == "NOUN"]
        # The Russian dictionary ranks readings by frequency; the Ukrainian one does not, and its first
        # reading is often a rare verb («води» → «водити»): a Ukrainian form takes its first noun reading.
        chosen = nouns[0] if nouns and language == UKRAINIAN else parses[0]
        key = _lemma_key(chosen.normal_form)
        if key in stop_words:
            return _Analysis(key=None, keyword=None)
        keyword = _lemma_key((nouns or nominal)[0].normal_form) if nominal else None
        if keyword is not None and (keyword in stop_words or len(keyword) < MIN_KEYWORD_LETTERS):
            keyword = None
        return _Analysis(key=key, keyword=keyword)

    def _language_of(self, form: str, preferred: str) -> str:
        """The dictionary that reads ``form``: its letters decide when they can, then whichever knows it."""
        letters = set(form)
        if letters & _RUSSIAN_ONLY:
            return RUSSIAN
        if letters & _UKRAINIAN_ONLY:
            return UKRAINIAN
        other = UKRAINIAN if preferred == RUSSIAN else RUSSIAN
        if self._analysers[preferred].word_is_known(form) or not self._analysers[other].word_is_known(form):
            return preferred
        return other


def _word_forms(text: str) -> list[str]:
    """The word and number tokens of ``text``, lowercased; spelling is unified per form, behind the cache."""
    return _TOKEN.findall(text.lower())


def _repair_mixed_script(form: str) -> str:
    if form.isascii() or not any("a" <= ch <= "z" or ch == "ï" for ch in form):
        return form
    return form.translate(_LATIN_LOOKALIKES)


def _lemma_key(normal_form: str) -> str:
    """One spelling per lemma: «ё» written as «е» (people type both), domain readings fixed."""
    key = normal_form.replace("ё", "е")
    return _DOMAIN_LEMMAS.get(key, key)


def _load_language_data() -> tuple[dict[str, MorphAnalyzer], dict[str, frozenset[str]]]:
    """The pymorphy3 analysers and spaCy's stop words of Ukrainian and Russian, by language code."""
    try:
        from pymorphy3 import MorphAnalyzer

        analysers = {UKRAINIAN: MorphAnalyzer(lang="uk"), RUSSIAN: MorphAnalyzer(lang="ru")}
        spacy_stop_words = {language: _spacy_stop_words(language) for language in (UKRAINIAN, RUSSIAN)}
    except (ImportError, ValueError, OSError) as error:
        raise ModelNotAvailableError(
            f"The Ukrainian language pipeline cannot load its dictionaries: {error}. "
            "Install spacy, pymorphy3, pymorphy3-dicts-uk and pymorphy3-dicts-ru."
        ) from error
    stop_words = {
        language: frozenset(word.translate(_SPELLING_VARIANTS) for word in words)
        for language, words in spacy_stop_words.items()
    }
    return analysers, stop_words


def _spacy_stop_words(language: str) -> set[str]:
    """spaCy's stop-word list of ``language``, read from its file without importing the spacy package.

    ``import spacy`` pulls in thinc, and thinc torch: 2.7 s of CPU before a search could start, for a list
    of words. ``spacy/lang/<code>/stop_words.py`` imports nothing, so it can be run on its own.
    """
    package = importlib.util.find_spec("spacy")
    if package is None or not package.submodule_search_locations:
        raise ImportError("No module named 'spacy'")
    path = Path(package.submodule_search_locations[0]) / "lang" / language / "stop_words.py"
    spec = importlib.util.spec_from_file_location(f"spacy_stop_words_{language}", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"spaCy's stop words of {language!r} are missing: {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return set(module.STOP_WORDS)
