"""The nearest-neighbour graph that clustering finds communities in.

Every statement is joined to its ``neighbours`` most similar statements (cosine of the centred vectors); an
edge is kept when either end chose the other, and carries the pair's cosine. Up to
``exact_limit`` statements the neighbours are exact. Beyond, they are searched as an inverted-file index
searches a large collection: the statements are cut into seeded spherical k-means lists, and the members of each
list are compared only with the members of the lists whose centres are closest to its own. That keeps time and
memory linear in the number of statements, and misses only neighbours that lie across a list boundary far
from the statement's own centre, which hardly matters to a community of dozens of statements.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from service.problems.spherical_kmeans import spherical_kmeans

COSINE_SHIFT = 2.0
"""Added to every cosine while the two directions are united: it makes all of them positive."""


@dataclass(frozen=True)
class NeighbourSearch:
    """How the neighbours of each statement are found."""

    neighbours: int
    exact_limit: int
    """Up to this many statements, every pair is compared."""
    block_scores: int
    """Similarities computed at once in the exact search (bounds its memory: scores and their ranking)."""
    list_size: int
    """Beyond ``exact_limit``: the mean number of statements per inverted list."""
    probed_candidates: int
    """Beyond ``exact_limit``: lists are probed until about this many candidates are compared per statement."""
    kmeans_iterations: int
    seed: int
    block_rows: int
    """Rows scored at once against the k-means centres."""


def neighbour_graph(vectors: np.ndarray, search: NeighbourSearch) -> sparse.csr_matrix:
    """The symmetric k-nearest-neighbour graph of unit ``vectors``: an entry per edge holding the pair's cosine
    (which may be negative), none on the diagonal."""
    count = len(vectors)
    neighbours = min(search.neighbours, count - 1)
    if neighbours <= 0:
        return sparse.csr_matrix((count, count), dtype=np.float64)
    if count <= search.exact_limit:
        indices, similarities = _exact_neighbours(vectors, neighbours, max(1, search.block_scores // count))
    else:
        indices, similarities = _inverted_file_neighbours(vectors, neighbours, search)
    rows = np.repeat(np.arange(count), indices.shape[1])
    found = indices.ravel() >= 0
    # Either end choosing the other is enough, and the cosine is the same both ways, so the union is the
    # element-wise maximum. Shifted above zero first: against the implicit zeros of a one-way edge, the maximum
    # would otherwise drop a negative cosine.
    shifted = sparse.csr_matrix(
        (
            similarities.ravel()[found].astype(np.float64) + COSINE_SHIFT,
            (rows[found], indices.ravel()[found]),
        ),
        shape=(count, count),
    )
    graph = shifted.maximum(shifted.T).tocsr()
    graph.data -= COSINE_SHIFT
    return graph


def _exact_neighbours(vectors: np.ndarray, neighbours: int, block_rows: int) -> tuple[np.ndarray, np.ndarray]:
    indices = np.empty((len(vectors), neighbours), dtype=np.int64)
    similarities = np.empty((len(vectors), neighbours), dtype=np.float32)
    for start in range(0, len(vectors), block_rows):
        scores = vectors[start : start + block_rows] @ vectors.T
        scores[np.arange(len(scores)), np.arange(start, start + len(scores))] = -np.inf
        # argpartition's choice among equal scores is fixed by the row order, which is canonical.
        chosen = np.argpartition(-scores, neighbours - 1, axis=1)[:, :neighbours]
        indices[start : start + len(scores)] = chosen
        similarities[start : start + len(scores)] = np.take_along_axis(scores, chosen, axis=1)
    return indices, similarities


def _inverted_file_neighbours(
    vectors: np.ndarray, neighbours: int, search: NeighbourSearch
) -> tuple[np.ndarray, np.ndarray]:
    """Neighbours among the members of the lists closest to each statement's own list.

    The lists probed are chosen per list (by its centre), not per statement, so that each list's members are
    scored against their candidates in one matrix product: FAISS's per-query scan took 57 of the 85 s that
    85,000 statements needed, this takes a few.
    """
    lists, centres = spherical_kmeans(
        vectors,
        max(1, len(vectors) // search.list_size),
        search.kmeans_iterations,
        search.seed,
        search.block_rows,
    )
    order = np.argsort(lists, kind="stable")
    members = np.split(order, np.flatnonzero(np.diff(lists[order])) + 1)
    probes = min(len(centres), math.ceil(search.probed_candidates / search.list_size))
    closest_lists = np.argsort(-(centres @ centres.T), axis=1, kind="stable")[:, :probes]
    indices = np.full((len(vectors), neighbours), -1, dtype=np.int64)
    similarities = np.zeros((len(vectors), neighbours), dtype=np.float32)
    for own, probed in enumerate(closest_lists):
        candidates = np.concatenate([members[other] for other in probed])
        scores = vectors[members[own]] @ vectors[candidates].T
        scores[candidates[None, :] == members[own][:, None]] = -np.inf
        found = min(neighbours, len(candidates) - 1)
        if found <= 0:
            continue
        chosen = np.argpartition(-scores, found - 1, axis=1)[:, :found]
        indices[members[own], :found] = candidates[chosen]
        similarities[members[own], :found] = np.take_along_axis(scores, chosen, axis=1)
    return indices, similarities
