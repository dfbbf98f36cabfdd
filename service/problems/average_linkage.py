"""Average-linkage agglomeration over cosine, cut at a mean similarity, by the nearest-neighbour chain.

Average linkage needs no pairwise matrix of items: the mean cosine between the members of two groups is the dot
product of their vector sums divided by both sizes, so it starts from groups (single items or k-means groups)
given by their sums and sizes. The nearest-neighbour-chain algorithm does the agglomeration in ``O(groups²)``.
"""

from __future__ import annotations

import numpy as np


def average_linkage(sums: np.ndarray, sizes: np.ndarray, threshold: float) -> np.ndarray:
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
