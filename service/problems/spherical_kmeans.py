"""Seeded spherical k-means: cuts many unit vectors into a bounded number of small, tight groups.

The neighbour search of large inputs uses the groups as its inverted lists: each statement is then compared only
with the members of nearby groups rather than with every other statement. It is repeatable: the starting centres
are a seeded choice of rows, and nothing random enters after the start.
"""

from __future__ import annotations

import numpy as np

from service.problems.vector_math import normalise_rows, sums_by_group


def spherical_kmeans(
    vectors: np.ndarray, groups: int, iterations: int, seed: int, block_rows: int
) -> tuple[np.ndarray, np.ndarray]:
    """Lloyd iterations on the unit sphere; returns each row's group (numbered without gaps) and the group centres.

    ``block_rows`` rows are scored against the centres at once, which bounds memory on large inputs.
    """
    rng = np.random.default_rng(seed)
    centres = vectors[np.sort(rng.choice(len(vectors), size=min(groups, len(vectors)), replace=False))]
    for _ in range(iterations):
        assignment = nearest_centres(vectors, centres, block_rows)
        sums, counts = sums_by_group(vectors, assignment, len(centres))
        # A centre that lost all its items keeps its place rather than being re-seeded: fewer, larger groups
        # only make the later steps cheaper, and nothing random enters after the start.
        filled = counts > 0
        centres[filled] = normalise_rows(sums[filled].astype(np.float32))
    assignment = nearest_centres(vectors, centres, block_rows)
    used, dense = np.unique(assignment, return_inverse=True)
    return dense.astype(np.int64), np.ascontiguousarray(centres[used])


def nearest_centres(vectors: np.ndarray, centres: np.ndarray, block_rows: int) -> np.ndarray:
    """The index of each row's most similar centre."""
    nearest = np.empty(len(vectors), dtype=np.int64)
    for start in range(0, len(vectors), block_rows):
        block = vectors[start : start + block_rows]
        nearest[start : start + len(block)] = np.argmax(block @ centres.T, axis=1)
    return nearest
