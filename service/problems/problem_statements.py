"""Find the sentences that state a problem or a need in transcript turns and proposal sections.

An appeal is a problem statement as it is. In a transcript or a proposal most sentences are not: procedure,
greetings, plans. A sentence counts as a statement when it carries a problem cue, in Ukrainian or Russian:

- a cue lemma («проблема», «відсутність», «потребувати», «аварійний», «нестача», «отсутствие», ...), found
  through the pipeline's lemmas so that every inflected form counts;
- or negated availability or function («немає», «нема», «не вистачає», «не працює», «нет», «не работает»),
  found on the words themselves, because the lemmas drop «не» as a stop word.

Adjacent statement sentences are joined into one statement: a problem is often put in two sentences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

APPEAL_KIND = "appeal"

PROBLEM_LEMMAS = frozenset(
    {
        # Ukrainian
        "проблема",
        "проблемний",
        "відсутність",
        "відсутній",
        "потреба",
        "потребувати",
        "аварійний",
        "аварія",
        "нестача",
        "брак",
        "бракувати",
        "дефіцит",
        "недостатній",
        "незадовільний",
        "зношений",
        "зношеність",
        "пошкодження",
        "пошкоджений",
        "руйнування",
        "зруйнований",
        "скарга",
        "скаржитися",
        "порушення",
        "протікати",
        "несправний",
        "несправність",
        # Russian
        "отсутствие",
        "отсутствовать",
        "потребность",
        "требовать",
        "аварийный",
        "нехватка",
        "недостаточный",
        "неудовлетворительный",
        "повреждение",
        "разрушение",
        "жалоба",
        "жаловаться",
        "нарушение",
        "протекать",
        "неисправный",
        "неисправность",
    }
)

# «не» + a verb of availability or function, by stem so that every person and tense counts.
_NEGATED_AVAILABILITY = re.compile(
    r"\b(?:немає|нема|нет|бракує)\b"
    r"|\bне\s+(?:вистача|працю|функціону|забезпеч|відповіда|ремонту|вивоз|прибира|"
    r"хвата|работа|функционир|обеспеч|соответств|ремонтир|вывоз|убира)",
    re.IGNORECASE,
)


class SentencePipeline(Protocol):
    """What this module needs of ``models.ukrainian_pipeline.UkrainianPipeline``."""

    def sentence_spans(self, text: str) -> list[tuple[int, int]]: ...

    def lemmas(self, text: str, language: str | None = None) -> list[str]: ...


@dataclass(frozen=True)
class Statement:
    """A stretch of a chunk that states a problem; ``text == chunk_text[start:end]``."""

    start: int
    end: int
    text: str


def find_problem_statements(text: str, kind: str | None, pipeline: SentencePipeline) -> list[Statement]:
    """The problem statements of one chunk: the whole chunk for an appeal, else its problem sentences."""
    if not text.strip():
        return []
    if kind == APPEAL_KIND:
        return [Statement(0, len(text), text)]
    flagged = [
        (start, end)
        for start, end in pipeline.sentence_spans(text)
        if states_problem(text[start:end], pipeline)
    ]
    return [Statement(start, end, text[start:end]) for start, end in _join_adjacent(flagged, text)]


def states_problem(sentence: str, pipeline: SentencePipeline) -> bool:
    """True when the sentence carries a problem cue (see the module's docstring)."""
    if _NEGATED_AVAILABILITY.search(sentence):
        return True
    return not PROBLEM_LEMMAS.isdisjoint(pipeline.lemmas(sentence))


def _join_adjacent(spans: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    """Merge spans separated by nothing but whitespace."""
    joined: list[tuple[int, int]] = []
    for start, end in spans:
        if joined and not text[joined[-1][1] : start].strip():
            joined[-1] = (joined[-1][0], end)
        else:
            joined.append((start, end))
    return joined
