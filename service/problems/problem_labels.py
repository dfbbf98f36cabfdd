"""Name problems: keywords by class-based TF-IDF over keyword lemmas, a short label, the most typical examples.

Class-based TF-IDF (as in BERTopic) treats all statements of a problem as one document. A lemma weighs
``tf(lemma, problem) · log(1 + A / f(lemma))``: its share of the problem's lemmas times how rare it is over all
problems (``f`` its count over all problems, ``A`` the mean number of lemmas per problem). Words every problem
uses («прохання», «будинок») sink; words that mark one problem («стояк», «ліфт») rise.

Labels must be Ukrainian even when many statements are Russian, so a problem's lemmas come from its Ukrainian
statements when it has any (the embedder puts both languages in the same problem; the label need not).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from service.problems.problem_records import Example, ProblemItem

KEYWORD_COUNT = 8
LABEL_WORDS = 3
STEM_LETTERS = 5
EXAMPLE_COUNT = 3
UKRAINIAN_LANGUAGES = frozenset({"uk", "mixed"})


class KeywordPipeline(Protocol):
    """What this module needs of ``models.ukrainian_pipeline.UkrainianPipeline``."""

    def keyword_lemmas(self, text: str) -> list[str]: ...


@dataclass(frozen=True)
class ProblemName:
    """A problem's label and keywords."""

    label: str
    keywords: list[str]


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


def name_problems(counts_per_problem: Sequence[Counter[str]]) -> list[ProblemName]:
    """Label and keywords for each problem, weighed against all the problems given (see the module docstring)."""
    totals: Counter[str] = Counter()
    for counts in counts_per_problem:
        totals.update(counts)
    mean_lemmas = sum(totals.values()) / max(1, len(counts_per_problem))
    return [_name(counts, totals, mean_lemmas) for counts in counts_per_problem]


def _name(counts: Counter[str], totals: Counter[str], mean_lemmas: float) -> ProblemName:
    size = sum(counts.values())
    if size == 0:
        return ProblemName(label="(без ключових слів)", keywords=[])
    weights = {
        lemma: count / size * math.log(1 + mean_lemmas / totals[lemma]) for lemma, count in counts.items()
    }
    # Ties fall back to the lemma itself so that the same input always gives the same keywords.
    keywords = sorted(weights, key=lambda lemma: (-weights[lemma], lemma))[:KEYWORD_COUNT]
    return ProblemName(label=_label(keywords), keywords=keywords)


def _label(keywords: list[str]) -> str:
    """The first keywords, skipping one that repeats an earlier word's stem («гарячий» after «гаряча»)."""
    words: list[str] = []
    for keyword in keywords:
        if not any(keyword[:STEM_LETTERS] == word[:STEM_LETTERS] for word in words):
            words.append(keyword)
        if len(words) == LABEL_WORDS:
            break
    return ", ".join([words[0].capitalize(), *words[1:]])


def typical_examples(
    members: Sequence[ProblemItem], similarities: Sequence[float], count: int = EXAMPLE_COUNT
) -> list[Example]:
    """The members most similar to the problem's centre; ties go to the smaller content key (input order is moot)."""
    order = sorted(range(len(members)), key=lambda i: (-similarities[i], members[i].content_key))
    return [Example(item=members[i], similarity=similarities[i]) for i in order[:count]]
