"""The one-line reasons of precedents: the words a problem and a passage share, and the matched heading."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

MAX_SHARED_WORDS = 6


class KeywordPipeline(Protocol):
    """What reasons need of ``models.ukrainian_pipeline.UkrainianPipeline``."""

    def keyword_lemmas(self, text: str) -> list[str]: ...


def shared_keywords(query_keywords: Sequence[str], text: str, pipeline: KeywordPipeline) -> list[str]:
    """The problem's keyword lemmas found in ``text``, in the problem's order, each once."""
    return common_words(query_keywords, pipeline.keyword_lemmas(text))


def common_words(first: Sequence[str], second: Iterable[str]) -> list[str]:
    """The words of ``first`` also in ``second``, in the order of ``first``, each once, at most a few."""
    present = set(second)
    shared: list[str] = []
    for word in first:
        if word in present and word not in shared:
            shared.append(word)
    return shared[:MAX_SHARED_WORDS]


def reason_line(shared: Sequence[str], heading: str | None = None, similarity: float | None = None) -> str:
    """«стаття «…»; спільні слова: …», or the similarity when the passage shares no word with the problem."""
    parts = []
    if heading:
        parts.append(f"стаття «{heading}»")
    if shared:
        parts.append(f"спільні слова: {', '.join(shared)}")
    elif similarity is not None:
        parts.append(f"близьке за змістом (подібність {similarity:.2f})")
    return "; ".join(parts)
