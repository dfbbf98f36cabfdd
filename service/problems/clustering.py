"""Group problem statements by meaning, without being told how many groups there are.

The method is average-linkage agglomerative clustering over cosine similarity, cut where the average similarity
between the members of two groups falls below ``merge_similarity``:

1. Items are put in a canonical order (by their content keys) first, so the input order never matters, and every
   tie is broken the same way.
2. Up to ``max_nodes`` items are clustered exactly. Beyond that, spherical k-means first cuts the items into
   ``max_nodes`` small groups (seeded, hence repeatable), and the agglomeration starts from those groups. This is
   what bounds memory: the similarity matrix is ``max_nodes²`` whatever the number of items.
3. Average linkage needs no pairwise matrix of items: the mean cosine between the members of two groups is the
   dot product of their vector sums divided by both sizes. The nearest-neighbour-chain algorithm then does the
   agglomeration in ``O(max_nodes²)``.
4. Groups smaller than ``min_size`` are not problems: their items stay unassigned.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from service.problems.vector_math import normalise_rows, sums_by_group


@dataclass(frozen=True)
class ClusteringParameters:
    """The knobs of the clustering; the defaults were chosen on a development split (see the benchmark)."""

    merge_similarity: float = 0.12
    """Two groups merge while the mean cosine between their members (centred, see ``collection_centre``) is at
    least this. Chosen on a development split that the benchmark never uses: 3,000 Ukrainian Kyiv 1551 appeals
    of the categories ranked 21–40 (150 each). NMI was flat within 0.015 of its best from 0.06 to 0.16; 0.12
    is the middle of that plateau and its best point."""

    min_size: int = 5
    """A group needs this many items to be a problem; smaller groups are left unassigned (3, 5 and 10 scored
    alike on the development split; five statements is the least that reads as "recurring")."""
    max_nodes: int = 4000
    """Items clustered exactly; larger inputs are first cut into this many k-means groups."""
    kmeans_iterations: int = 5
    seed: int = 1551
    block_rows: int = 4096
    """Rows scored at once when assigning items to k-means centres (bounds memory on large inputs)."""


@dataclass
class Clustering:
    """The outcome: a cluster number per item (``-1`` for unassigned) and the clusters' vector sums.

    Clusters are numbered by decreasing size, ties by their first member in canonical order, so the numbering is
    the same for the same input in any order.
    """

    labels: np.ndarray
    """One entry per input item, in the input's order: the cluster number, or -1."""
    vector_sums: np.ndarray
    """``(clusters, dimension)`` float64 sums of the members' vectors."""
    sizes: np.ndarray

    @property
    def centroids(self) -> np.ndarray:
        """Unit-length mean direction of each cluster."""
        return normalise_rows(self.vector_sums.astype(np.float32))

    @property
    def cluster_count(self) -> int:
        return len(self.sizes)


def cluster_embeddings(
    embeddings: np.ndarray, keys: list[str], parameters: ClusteringParameters | None = None
) -> Clustering:
    """Cluster unit-length ``embeddings``; ``keys`` (unique content keys, one per row) fix the canonical order."""
    parameters = parameters or ClusteringParameters()
    if len(keys) != len(embeddings):
        raise ValueError(f"{len(keys)} keys for {len(embeddings)} embeddings")
    dimension = embeddings.shape[1] if embeddings.ndim == 2 else 0
    if len(keys) == 0:
        return Clustering(np.empty(0, dtype=np.int64), np.empty((0, dimension)), np.empty(0, dtype=np.int64))
    canonical = np.array(sorted(range(len(keys)), key=keys.__getitem__), dtype=np.int64)
    vectors = np.ascontiguousarray(embeddings[canonical], dtype=np.float32)

    group_of_item = _initial_groups(vectors, parameters)
    group_sums, group_sizes = sums_by_group(vectors, group_of_item, int(group_of_item.max()) + 1)
    cluster_of_group = _average_linkage(group_sums, group_sizes, parameters.merge_similarity)
    canonical_labels = _drop_small_and_renumber(cluster_of_group[group_of_item], parameters.min_size)

    labels = np.empty(len(keys), dtype=np.int64)
    labels[canonical] = canonical_labels
    sums, sizes = sums_by_group(vectors, canonical_labels, int(canonical_labels.max()) + 1)
    return Clustering(labels=labels, vector_sums=sums, sizes=sizes)


def _initial_groups(vectors: np.ndarray, parameters: ClusteringParameters) -> np.ndarray:
    """Every item alone when few enough; else the spherical k-means groups that the agglomeration starts from."""
    if len(vectors) <= parameters.max_nodes:
        return np.arange(len(vectors), dtype=np.int64)
    return _spherical_kmeans(vectors, parameters)


def _spherical_kmeans(vectors: np.ndarray, parameters: ClusteringParameters) -> np.ndarray:
    """Lloyd iterations on the unit sphere from seeded starting centres; returns each item's group (no gaps)."""
    rng = np.random.default_rng(parameters.seed)
    centres = vectors[np.sort(rng.choice(len(vectors), size=parameters.max_nodes, replace=False))]
    for _ in range(parameters.kmeans_iterations):
        assignment = _nearest_centres(vectors, centres, parameters.block_rows)
        sums, counts = sums_by_group(vectors, assignment, len(centres))
        # A centre that lost all its items keeps its place rather than being re-seeded: fewer, larger groups
        # only make the agglomeration cheaper, and nothing random enters after the start.
        filled = counts > 0
        centres[filled] = normalise_rows(sums[filled].astype(np.float32))
    assignment = _nearest_centres(vectors, centres, parameters.block_rows)
    _, dense = np.unique(assignment, return_inverse=True)
    return dense.astype(np.int64)


def _nearest_centres(vectors: np.ndarray, centres: np.ndarray, block_rows: int) -> np.ndarray:
    nearest = np.empty(len(vectors), dtype=np.int64)
    for start in range(0, len(vectors), block_rows):
        block = vectors[start : start + block_rows]
        nearest[start : start + len(block)] = np.argmax(block @ centres.T, axis=1)
    return nearest


def _average_linkage(sums: np.ndarray, sizes: np.ndarray, threshold: float) -> np.ndarray:
    """Merge groups by the nearest-neighbour chain while their mean cross-similarity is ≥ ``threshold``.

    Average linkage is reducible (a merged group is never closer to a third than the closer of its parts), so a
    group whose best partner is below the threshold will never merge again and leaves the chain for good.
    Returns the final cluster (an index of one of its groups) for every group.
    """
    node_count = len(sizes)
    counts = sizes.astype(np.float64)
    similarity = ((sums @ sums.T) / np.outer(counts, counts)).astype(np.float32)
    np.fill_diagonal(similarity, -np.inf)
    active = np.ones(node_count, dtype=bool)
    parent = np.arange(node_count, dtype=np.int64)
    chain: list[int] = []
    next_start = 0
    while True:
        if not chain:
            while next_start < node_count and not active[next_start]:
                next_start += 1
            if next_start == node_count:
                break
            chain.append(next_start)
        current = chain[-1]
        row = similarity[current]
        nearest = int(np.argmax(row))
        # Prefer the previous link on ties, or the chain could cycle.
        if len(chain) >= 2 and row[chain[-2]] >= row[nearest]:
            nearest = chain[-2]
        if row[nearest] < threshold:
            active[current] = False
            _retire(similarity, current)
            chain.pop()
            continue
        if len(chain) >= 2 and nearest == chain[-2]:
            chain.pop()
            chain.pop()
            _merge(similarity, counts, parent, keep=min(current, nearest), gone=max(current, nearest))
            active[max(current, nearest)] = False
        else:
            chain.append(nearest)
    return _resolve_roots(parent)


def _merge(similarity: np.ndarray, counts: np.ndarray, parent: np.ndarray, keep: int, gone: int) -> None:
    """Lance–Williams update for average linkage: the new row is the size-weighted mean of the two rows."""
    total = counts[keep] + counts[gone]
    merged = (counts[keep] * similarity[keep] + counts[gone] * similarity[gone]) / total
    merged[keep] = -np.inf
    similarity[keep] = merged
    similarity[:, keep] = merged
    _retire(similarity, gone)
    counts[keep] = total
    parent[gone] = keep


def _retire(similarity: np.ndarray, node: int) -> None:
    similarity[node] = -np.inf
    similarity[:, node] = -np.inf


def _resolve_roots(parent: np.ndarray) -> np.ndarray:
    roots = parent.copy()
    while True:
        next_roots = roots[roots]
        if np.array_equal(next_roots, roots):
            return roots
        roots = next_roots


def _drop_small_and_renumber(raw_labels: np.ndarray, min_size: int) -> np.ndarray:
    """Clusters under ``min_size`` become -1; the rest are numbered by size, ties by first member."""
    values, first_index, counts = np.unique(raw_labels, return_index=True, return_counts=True)
    kept = counts >= min_size
    order = sorted(np.flatnonzero(kept), key=lambda i: (-counts[i], first_index[i]))
    number = np.full(len(values), -1, dtype=np.int64)
    number[order] = np.arange(len(order))
    return number[np.searchsorted(values, raw_labels)]
