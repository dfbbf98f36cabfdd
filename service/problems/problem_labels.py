"""Name problems: a heading taken from the statements themselves, and keywords by class-based TF-IDF.

Keywords. Class-based TF-IDF (as in BERTopic) treats all statements of a problem as one document. A lemma weighs
``tf(lemma, problem) · log(1 + A / f(lemma))``: its share of the problem's lemmas times how rare it is over all
problems (``f`` its count over all problems, ``A`` the mean number of lemmas per problem). Words every problem
uses («прохання», «будинок») sink; words that mark one problem («стояк», «ліфт») rise.

Label. The candidates are the noun phrases (``models.noun_phrases``) of the problem's most central statements,
head in the nominative: «аварійний стан водогону», «підвезення учнів до школи». A candidate scores the
keyword weights of its distinct lemmas, each divided by the problem's top weight, less ``WORD_COST`` per word,
so a word joins the phrase only when it marks the problem; a phrase that recurs in several central statements
gains ``SUPPORT_BONUS`` per extra statement. The best candidate, first letter raised, is the label.

Labels must be Ukrainian even when many statements are Russian: lemmas and phrases come from the Ukrainian
statements when the problem has any (the embedder puts both languages in one problem; the label need not).

Two problems of one set never share a label: the larger keeps it; the other takes its next candidate when that
scores at least ``RUNNER_UP_SHARE`` of its best, else its best followed by the keywords that tell it apart
(«Ремонт ліфта (кнопка, виклик)»). A problem with no phrase at all is named by its keywords the same way.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from models.noun_phrases import NounPhrase
from service.problems.problem_records import Example, ProblemItem

KEYWORD_COUNT = 8
EXAMPLE_COUNT = 3
CENTRAL_STATEMENTS = 8
"""Statements closest to a problem's centre whose phrases are candidate labels."""
WORD_COST = 0.08
SUPPORT_BONUS = 0.03
MAX_LABEL_WORDS = 6
RUNNER_UP_SHARE = 0.7
TELLING_KEYWORDS = 2
"""Keywords added to a label that another problem of the set already has."""
UKRAINIAN_LANGUAGES = frozenset({"uk", "mixed"})


class KeywordPipeline(Protocol):
    """What this module needs of ``models.ukrainian_pipeline.UkrainianPipeline``."""

    def keyword_lemmas(self, text: str) -> list[str]: ...

    def noun_phrases(self, text: str) -> list[NounPhrase]: ...


@dataclass(frozen=True)
class ProblemName:
    """A problem's label and keywords."""

    label: str
    keywords: list[str]


@dataclass(frozen=True)
class _Candidate:
    """A phrase that could label a problem, with its score (see the module docstring)."""

    phrase: NounPhrase
    score: float


def keyword_counts(
    members: Sequence[ProblemItem],
    pipeline: KeywordPipeline,
    language_of: Callable[[str], str],
    fall_back_to_all: bool = True,
) -> Counter[str]:
    """The keyword lemmas of statements, counted: of the Ukrainian ones only, so that labels stay Ukrainian.

    A new problem with no Ukrainian statement at all (``fall_back_to_all``) takes its lemmas from all of them
    rather than having no name; statements added to a known problem count only when Ukrainian.
    """
    ukrainian = [item for item in members if language_of(item.text) in UKRAINIAN_LANGUAGES]
    counts: Counter[str] = Counter()
    for item in ukrainian or (members if fall_back_to_all else []):
        counts.update(pipeline.keyword_lemmas(item.text))
    return counts


def central_texts(
    members: Sequence[ProblemItem], similarities: Sequence[float], language_of: Callable[[str], str]
) -> list[str]:
    """The texts of the Ukrainian members closest to the problem's centre, the closest first (ties by content)."""
    order = sorted(range(len(members)), key=lambda i: (-similarities[i], members[i].content_key))
    texts = [members[i].text for i in order if language_of(members[i].text) in UKRAINIAN_LANGUAGES]
    return texts[:CENTRAL_STATEMENTS]


def name_problems(
    counts_per_problem: Sequence[Counter[str]],
    central_texts_per_problem: Sequence[Sequence[str]],
    pipeline: KeywordPipeline,
) -> list[ProblemName]:
    """Label and keywords for each problem, weighed against all the problems given (see the module docstring).

    ``central_texts_per_problem`` holds each problem's ``central_texts``, row-aligned with the counts.
    """
    totals: Counter[str] = Counter()
    for counts in counts_per_problem:
        totals.update(counts)
    mean_lemmas = sum(totals.values()) / max(1, len(counts_per_problem))
    weights = [_keyword_weights(counts, totals, mean_lemmas) for counts in counts_per_problem]
    keywords = [sorted(w, key=lambda lemma: (-w[lemma], lemma))[:KEYWORD_COUNT] for w in weights]
    candidates = [
        _candidates(texts, w, pipeline) for texts, w in zip(central_texts_per_problem, weights, strict=True)
    ]
    labels: list[str] = [""] * len(counts_per_problem)
    taken: set[str] = set()
    # The larger problem keeps a label that two would share; ties go to the earlier one, so output is stable.
    for number in sorted(range(len(labels)), key=lambda n: -sum(counts_per_problem[n].values())):
        labels[number] = _unique_label(candidates[number], keywords[number], taken)
        taken.add(labels[number].casefold())
    return [ProblemName(label=label, keywords=words) for label, words in zip(labels, keywords, strict=True)]


def _keyword_weights(counts: Counter[str], totals: Counter[str], mean_lemmas: float) -> dict[str, float]:
    size = sum(counts.values())
    return {
        lemma: count / size * math.log(1 + mean_lemmas / totals[lemma]) for lemma, count in counts.items()
    }


def _candidates(
    texts: Sequence[str], weights: dict[str, float], pipeline: KeywordPipeline
) -> list[_Candidate]:
    """The phrases of ``texts`` that carry the problem's keywords, the best first (ties: the earlier text)."""
    if not weights:
        return []
    top = max(weights.values())
    phrases: dict[str, NounPhrase] = {}
    support: Counter[str] = Counter()
    for text in texts:
        for phrase in pipeline.noun_phrases(text):
            if phrase.word_count <= MAX_LABEL_WORDS:
                key = phrase.text.casefold()
                phrases.setdefault(key, phrase)
                support[key] += 1
    scored = []
    for key, phrase in phrases.items():
        weight = sum(weights.get(lemma, 0.0) for lemma in set(phrase.keywords)) / top
        score = weight - WORD_COST * phrase.word_count + SUPPORT_BONUS * (support[key] - 1)
        if score > 0:
            scored.append(_Candidate(phrase, score))
    # A stable sort keeps the first-seen phrase (from the most central text) ahead of an equal one.
    return sorted(scored, key=lambda candidate: -candidate.score)


def _unique_label(candidates: list[_Candidate], keywords: list[str], taken: set[str]) -> str:
    """The best candidate that no larger problem has taken (see the module docstring)."""
    if not candidates:
        if not keywords:
            return "(без ключових слів)"
        return _with_telling_keywords(keywords[0], keywords[1:], taken)
    best = candidates[0]
    for candidate in candidates:
        if candidate.score < RUNNER_UP_SHARE * best.score:
            break
        label = _heading(candidate.phrase.text)
        if label.casefold() not in taken:
            return label
    others = [keyword for keyword in keywords if keyword not in best.phrase.keywords]
    return _with_telling_keywords(best.phrase.text, others, taken)


def _with_telling_keywords(text: str, keywords: list[str], taken: set[str]) -> str:
    label = _heading(text)
    if label.casefold() not in taken or not keywords:
        return label
    return f"{label} ({', '.join(keywords[:TELLING_KEYWORDS])})"


def _heading(text: str) -> str:
    """Only the first letter raised: the phrase keeps its own capitals (proper nouns) and lowercase elsewhere."""
    return text[:1].upper() + text[1:]


def typical_examples(
    members: Sequence[ProblemItem], similarities: Sequence[float], count: int = EXAMPLE_COUNT
) -> list[Example]:
    """The members most similar to the problem's centre; ties go to the smaller content key (input order is moot)."""
    order = sorted(range(len(members)), key=lambda i: (-similarities[i], members[i].content_key))
    return [Example(item=members[i], similarity=similarities[i]) for i in order[:count]]
