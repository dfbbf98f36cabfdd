"""The nearest-neighbour graph that clustering finds communities in.

Every statement is joined to its ``neighbours`` most similar statements (cosine of the centred vectors); an
edge is kept when either end chose the other, weighted by their cosine (a negative cosine counts as 0). Up to
``exact_limit`` statements the neighbours are exact. Beyond, they are searched as FAISS searches a large
collection: the statements are cut into seeded spherical k-means lists and each one is compared only with the
members of the ``probes`` lists whose centres are closest to it (an inverted-file search). That keeps time and
memory linear in the number of statements, and misses only neighbours that lie across a list boundary far
from the statement's own centre, which hardly matters to a community of dozens of statements.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import faiss
import numpy as np
from scipy import sparse

from service.problems.spherical_kmeans import spherical_kmeans


@dataclass(frozen=True)
class NeighbourSearch:
    """How the neighbours of each statement are found."""

    neighbours: int
    exact_limit: int
    """Up to this many statements, every pair is compared."""
    list_size: int
    """Beyond ``exact_limit``: the mean number of statements per inverted list."""
    probed_candidates: int
    """Beyond ``exact_limit``: lists are probed until about this many candidates are compared per statement."""
    kmeans_iterations: int
    seed: int
    block_rows: int


def neighbour_graph(vectors: np.ndarray, search: NeighbourSearch) -> sparse.csr_matrix:
    """The symmetric weighted k-nearest-neighbour graph of unit ``vectors`` (no self-loops)."""
    count = len(vectors)
    neighbours = min(search.neighbours, count - 1)
    if neighbours <= 0:
        return sparse.csr_matrix((count, count), dtype=np.float32)
    if count <= search.exact_limit:
        indices, similarities = _exact_neighbours(vectors, neighbours, search.block_rows)
    else:
        indices, similarities = _inverted_file_neighbours(vectors, neighbours, search)
    rows = np.repeat(np.arange(count), indices.shape[1])
    found = indices.ravel() >= 0
    weights = np.clip(similarities.ravel()[found], 0, None)
    directed = sparse.csr_matrix((weights, (rows[found], indices.ravel()[found])), shape=(count, count))
    # Either end choosing the other is enough; the cosine is the same both ways, so the maximum is that cosine.
    graph = directed.maximum(directed.T).tocsr()
    graph.setdiag(0)
    graph.eliminate_zeros()
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
    lists = max(1, len(vectors) // search.list_size)
    _, centres = spherical_kmeans(vectors, lists, search.kmeans_iterations, search.seed, search.block_rows)
    quantizer = faiss.IndexFlatIP(vectors.shape[1])
    quantizer.add(centres)
    index = faiss.IndexIVFFlat(quantizer, vectors.shape[1], len(centres), faiss.METRIC_INNER_PRODUCT)
    index.is_trained = True  # the lists are the k-means centres above, not FAISS's own (unseeded) training
    index.add(vectors)
    index.nprobe = min(len(centres), math.ceil(search.probed_candidates / search.list_size))
    # One more than wanted: a statement finds itself (or an exact copy of itself) among its nearest.
    similarities, indices = index.search(vectors, neighbours + 1)
    own = indices == np.arange(len(vectors))[:, None]
    has_own = own.any(axis=1)
    # Drop the statement itself where found, else the last (least similar) of the list.
    drop = np.where(has_own, np.argmax(own, axis=1), neighbours)
    keep = np.ones(indices.shape, dtype=bool)
    keep[np.arange(len(vectors)), drop] = False
    return indices[keep].reshape(len(vectors), neighbours), similarities[keep].reshape(
        len(vectors), neighbours
    )
