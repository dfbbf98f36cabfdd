"""Where statements are compared from: the collection's mean embedding, per language.

The embedder's vectors share one common direction: any two appeals have a cosine near 0.8, related or not, and
thresholds on such a narrow scale do not carry from one collection to another. Removing the collection's mean
spreads them out: a cosine of 0 then means "as similar as two statements of this collection on average".

The language of a statement is a second shared direction: once the common part is gone, two Russian appeals
about different things can look closer than a Russian and a Ukrainian appeal about the same thing. So each
language has its own mean, and a statement is centred on the mean of its language. A language with few
statements gets a mean pulled towards the overall one (``PRIOR_WEIGHT`` statements' worth), so that a handful of
statements are not centred on themselves. The centre is fixed with the first problems and stored with them,
so that later batches are compared on the same scale.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from service.problems.vector_math import normalise_rows

PRIOR_WEIGHT = 20.0
CENTRED_LANGUAGES = ("uk", "ru")
"""Languages with a mean of their own; mixed and undetected statements use the overall mean."""


@dataclass(frozen=True)
class CollectionCentre:
    """The overall mean embedding and the mean of each language."""

    overall: np.ndarray
    by_language: dict[str, np.ndarray]

    @classmethod
    def of(cls, embeddings: np.ndarray, languages: Sequence[str]) -> CollectionCentre:
        """The centre of a collection of statements (``languages`` as ``detect_language`` names them)."""
        if len(embeddings) == 0:
            return cls(np.zeros(embeddings.shape[1], dtype=np.float64), {})
        overall = embeddings.mean(axis=0, dtype=np.float64)
        codes = np.asarray(languages)
        by_language = {}
        for language in CENTRED_LANGUAGES:
            rows = embeddings[codes == language]
            if len(rows):
                sums = rows.sum(axis=0, dtype=np.float64)
                by_language[language] = (sums + PRIOR_WEIGHT * overall) / (len(rows) + PRIOR_WEIGHT)
        return cls(overall, by_language)

    def directions(self, embeddings: np.ndarray, languages: Sequence[str]) -> np.ndarray:
        """Unit vectors of ``embeddings`` after removing the mean of each one's language."""
        if len(languages) == 0:
            return np.asarray(embeddings, dtype=np.float32)
        means = np.stack([self.by_language.get(language, self.overall) for language in languages])
        return normalise_rows(np.asarray(embeddings, dtype=np.float32) - means.astype(np.float32))

    def to_json(self) -> str:
        return json.dumps(
            {
                "overall": self.overall.tolist(),
                "by_language": {
                    language: mean.tolist() for language, mean in sorted(self.by_language.items())
                },
            }
        )

    @classmethod
    def from_json(cls, text: str) -> CollectionCentre:
        data = json.loads(text)
        return cls(
            overall=np.array(data["overall"], dtype=np.float64),
            by_language={
                language: np.array(mean, dtype=np.float64) for language, mean in data["by_language"].items()
            },
        )
