"""One relevance scale for every list of passages that the page shows: search hits and precedents alike.

The scale is the cosine similarity between the question's and the passage's multilingual-e5-small vectors
(0 to 1; in practice 0.7 to 0.95). A rank fusion score (search) or a law-specific bar (precedents) decide the
order of a list, but a reader compares passages on this one number. Below ``Settings.search_min_similarity``
(calibrated by ``scripts/bench/search_floor.py`` on municipal against off-topic questions) a passage has little
in common with the question, and a search whose best passage is below it says that nothing matches closely.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Relevance:
    """How close a passage is to the question: its ``similarity``, and whether it reaches the ``floor`` (``close``).

    The page shows the number and explains the scale in a tooltip (``service/web/hit_card.js``).
    """

    similarity: float
    close: bool
    floor: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class RelevanceScale:
    """The scale with its calibrated floor."""

    floor: float

    def of(self, similarity: float) -> Relevance:
        """The relevance of a passage whose cosine similarity to the question is ``similarity``."""
        return Relevance(round(float(similarity), 4), bool(similarity >= self.floor), self.floor)
