"""Sort new statements into known problems, by cosine to each problem's centre and a calibrated threshold.

The threshold is not a constant of the code: it is chosen on the problems themselves when they are formed.
For every member of a problem we know two similarities: to its own centre (how close a statement that belongs
is) and to the nearest other centre (how close a statement that does *not* belong to that problem can be).
The threshold is the value that best separates the two distributions — the one maximising Youden's J, the
share of members at or above it minus the share of nearest-other similarities at or above it. A new statement
whose best similarity is below it looks more like "a problem it does not belong to" than like a member, and is
left for new problems instead. The threshold is stored with the problem set, so assignments stay comparable
from batch to batch.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from service.problems.vector_math import normalise_rows

FALLBACK_QUANTILE = 0.05
"""With a single problem there is no "other" centre: the threshold then keeps 95 % of its members."""


@dataclass(frozen=True)
class NearestProblems:
    """For each item: the index of the closest centre (-1 when under the threshold) and its similarity."""

    indices: np.ndarray
    similarities: np.ndarray


def calibrate_threshold(embeddings: np.ndarray, labels: np.ndarray, vector_sums: np.ndarray) -> float:
    """The own-centre vs nearest-other-centre threshold of the module docstring; ``labels`` -1 are ignored.

    A member's similarity to its own centre is taken with the member left out of that centre: a new statement
    is not part of the centre it is compared with, and in a small problem each member pulls the centre towards
    itself enough to make the threshold too strict.
    """
    members = np.flatnonzero(labels >= 0)
    if len(members) == 0:
        raise ValueError("cannot calibrate an assignment threshold without any problem members")
    vectors = embeddings[members].astype(np.float64)
    own_labels = labels[members]
    own = _similarity_to_own_centre_without_self(vectors, vector_sums[own_labels])
    if len(vector_sums) < 2:
        return float(np.quantile(own, FALLBACK_QUANTILE))
    similarities = vectors @ normalise_rows(vector_sums).T
    similarities[np.arange(len(members)), own_labels] = -np.inf
    return _youden_threshold(own, similarities.max(axis=1))


def _similarity_to_own_centre_without_self(vectors: np.ndarray, own_sums: np.ndarray) -> np.ndarray:
    others = own_sums - vectors
    norms = np.linalg.norm(others, axis=1)
    dots = np.einsum("ij,ij->i", vectors, others)
    # A member alone in its problem has no centre without itself: it counts as not similar at all.
    return np.where(norms > 0, dots / np.where(norms > 0, norms, 1), -1.0)


def _youden_threshold(positives: np.ndarray, negatives: np.ndarray) -> float:
    candidates = np.unique(np.concatenate([positives, negatives]))
    positives_at_or_above = len(positives) - np.searchsorted(np.sort(positives), candidates, side="left")
    negatives_at_or_above = len(negatives) - np.searchsorted(np.sort(negatives), candidates, side="left")
    youden = positives_at_or_above / len(positives) - negatives_at_or_above / len(negatives)
    # argmax takes the lowest of equally good thresholds: with equal evidence, prefer assigning.
    return float(candidates[int(np.argmax(youden))])


def nearest_problems(
    embeddings: np.ndarray, centroids: np.ndarray, threshold: float, block_rows: int = 4096
) -> NearestProblems:
    """The closest centre of each item, or -1 when even the closest is below ``threshold``."""
    indices = np.full(len(embeddings), -1, dtype=np.int64)
    similarities = np.full(len(embeddings), np.nan, dtype=np.float64)
    if len(centroids) == 0:
        return NearestProblems(indices, similarities)
    for start in range(0, len(embeddings), block_rows):
        scores = embeddings[start : start + block_rows] @ centroids.T
        best = np.argmax(scores, axis=1)
        indices[start : start + len(best)] = best
        similarities[start : start + len(best)] = scores[np.arange(len(best)), best]
    indices[similarities < threshold] = -1
    return NearestProblems(indices, similarities)
