"""Find the stretches of indexed text that state a problem, a lack, a need, a failure or a complaint.

Where a statement can come from depends on the document's kind:

- legislation never gives one: a law is a precedent, where answers are found, not a problem;
- an appeal is a problem statement as it is, whole;
- a proposal's sections that say what will be done (its goal, activities, budget, partners, expected results)
  give none: they describe the answer, and the detector, trained on sentences alone, took them for problems;
- in a transcript turn, another proposal section or a note, each sentence is judged by the detector: a logistic
  regression (``models.statement_model``) over the sentence's e5 vector and two cue features. The detector was
  trained on real sentences (``scripts/train_statement_detector.py``) and beats the cue rule alone on a
  hand-labelled held-aside set (``scripts/bench/problem_statements.py``).

The cue features, in Ukrainian and Russian:

- a cue lemma («проблема», «відсутність», «потребувати», «аварійний», «нестача», «отсутствие», ...), found
  through the pipeline's lemmas so that every inflected form counts;
- negated availability or function («немає», «нема», «не вистачає», «не працює», «нет», «не работает»),
  found on the words themselves, because the lemmas drop «не» as a stop word.

Sentences are cut at line ends first (a list item is a sentence even without a full stop), then by the
pipeline's sentence splitter; Markdown headings and sentences of fewer than two words are never statements. Adjacent statement sentences are joined into one statement: a problem is often
put in two sentences.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from models.errors import ModelNotAvailableError
from models.statement_model import StatementModel

APPEAL_KIND = "appeal"
LEGISLATION_KIND = "legislation"
PROPOSAL_KIND = "proposal"
PLAN_SECTIONS = (
    "мета", "ціль", "цілі", "завдання", "заходи", "план", "діяльність", "види діяльності", "бюджет",
    "кошторис", "вартість", "фінансування", "співфінансування", "партнер", "очікувані результати",
    "результати", "цільова аудиторія", "цільові групи", "бенефіціари", "сталість", "стійкість", "терміни",
    "строки", "календарний план", "графік", "етапи", "місце реалізації", "команда", "моніторинг", "контакти",
    "цель", "цели", "задачи", "мероприятия", "смета", "партнеры", "ожидаемые результаты", "сроки",
)
"""How the sections of a proposal that plan the answer begin (compared with the section's heading, lower-cased)."""
CUE_NAMES = ("problem_lemma", "negated_availability")
"""The cue features, in the order of ``cue_features``'s columns and of the model's ``cue_weights``."""
QUERY_PROMPT = "query: "
MIN_STATEMENT_WORDS = 2
_WORD = re.compile(r"[^\W\d_]{2,}")

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


class SentenceEmbedder(Protocol):
    """What the detector needs of ``models.embedder.Embedder``."""

    name: str

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_passages(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray: ...


@dataclass(frozen=True)
class Statement:
    """A stretch of a chunk that states a problem; ``text == chunk_text[start:end]``."""

    start: int
    end: int
    text: str


class StatementDetector:
    """Finds the problem statements of chunks with the trained model; sentences of many chunks embedded at once."""

    def __init__(self, model: StatementModel, embedder: SentenceEmbedder, pipeline: SentencePipeline) -> None:
        if model.embedding_model != embedder.name:
            raise ModelNotAvailableError(
                f"the problem-statement model was trained on vectors of {model.embedding_model!r}, "
                f"not of {embedder.name!r}: retrain it with scripts/train_statement_detector.py"
            )
        if model.cue_names != CUE_NAMES:
            raise ModelNotAvailableError(
                f"the problem-statement model expects the cues {model.cue_names}, not {CUE_NAMES}: retrain it"
            )
        self.model = model
        self._embedder = embedder
        self._pipeline = pipeline

    def find(self, chunks: Sequence[tuple[str, str | None, str | None]]) -> list[list[Statement]]:
        """The statements of each ``(text, kind, section)`` chunk, in order (see the module's docstring)."""
        spans = [_candidate_spans(text, kind, section, self._pipeline) for text, kind, section in chunks]
        judged = [number for number, (_, kind, _) in enumerate(chunks) if kind != APPEAL_KIND]
        sentences = [chunks[number][0][start:end] for number in judged for start, end in spans[number]]
        verdicts = iter(self.states_problem(sentences))
        for number in judged:
            spans[number] = [span for span in spans[number] if next(verdicts)]
        return [
            [Statement(start, end, text[start:end]) for start, end in _join_adjacent(of_chunk, text)]
            for (text, _, _), of_chunk in zip(chunks, spans, strict=True)
        ]

    def states_problem(self, sentences: Sequence[str]) -> list[bool]:
        """Whether each sentence states a problem, by the model's threshold."""
        if not sentences:
            return []
        return [bool(p >= self.model.threshold) for p in self.probabilities(sentences)]

    def probabilities(self, sentences: Sequence[str]) -> np.ndarray:
        vectors = sentence_vectors(sentences, self._embedder, self.model.prompt)
        return self.model.probabilities(vectors, cue_features(sentences, self._pipeline))


def sentence_vectors(sentences: Sequence[str], embedder: SentenceEmbedder, prompt: str) -> np.ndarray:
    """The sentences' vectors under ``prompt`` (``"query: "`` or ``"passage: "``)."""
    if prompt == QUERY_PROMPT:
        return embedder.embed_queries(sentences)
    return embedder.embed_passages(sentences)


def sentence_spans(text: str, pipeline: SentencePipeline) -> list[tuple[int, int]]:
    """The sentences of ``text`` as offsets: cut at line ends, then by the pipeline's splitter."""
    spans = []
    for line in re.finditer(r"[^\n]+", text):
        offset = line.start()
        spans.extend((offset + start, offset + end) for start, end in pipeline.sentence_spans(line.group()))
    return spans


def cue_features(sentences: Sequence[str], pipeline: SentencePipeline) -> np.ndarray:
    """(sentences, 2) floats: whether each sentence has a cue lemma, and whether it negates availability."""
    return np.array(
        [[float(_has_problem_lemma(s, pipeline)), float(_negates_availability(s))] for s in sentences],
        dtype=np.float32,
    ).reshape(len(sentences), len(CUE_NAMES))


def states_problem_by_cues(sentence: str, pipeline: SentencePipeline) -> bool:
    """The cue rule alone: a cue lemma or negated availability (the baseline the detector is measured against)."""
    return _negates_availability(sentence) or _has_problem_lemma(sentence, pipeline)


def _negates_availability(sentence: str) -> bool:
    return _NEGATED_AVAILABILITY.search(sentence) is not None


def _has_problem_lemma(sentence: str, pipeline: SentencePipeline) -> bool:
    return not PROBLEM_LEMMAS.isdisjoint(pipeline.lemmas(sentence))


def _candidate_spans(
    text: str, kind: str | None, section: str | None, pipeline: SentencePipeline
) -> list[tuple[int, int]]:
    """Where statements may be: nothing in a law or a proposal's plan, the whole of an appeal, else each sentence."""
    if kind == LEGISLATION_KIND or not text.strip() or (kind == PROPOSAL_KIND and plans_the_answer(section)):
        return []
    if kind == APPEAL_KIND:
        return [(0, len(text))]
    return [(start, end) for start, end in sentence_spans(text, pipeline) if _may_state(text[start:end])]


def plans_the_answer(section: str | None) -> bool:
    """Whether a proposal's section heading names a plan (goal, activities, budget...), not the problem."""
    heading = (section or "").strip().lstrip("#").strip().lower()
    return heading.startswith(PLAN_SECTIONS)


def _may_state(sentence: str) -> bool:
    """False for a heading («## Бюджет») or a bare list number («1.»): they say nothing, whatever their vector."""
    return not sentence.lstrip().startswith("#") and len(_WORD.findall(sentence)) >= MIN_STATEMENT_WORDS


def _join_adjacent(spans: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    """Merge spans separated by nothing but whitespace."""
    joined: list[tuple[int, int]] = []
    for start, end in spans:
        if joined and not text[joined[-1][1] : start].strip():
            joined[-1] = (joined[-1][0], end)
        else:
            joined.append((start, end))
    return joined
