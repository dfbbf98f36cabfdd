"""Small vector operations shared by clustering, assignment and labelling."""

from __future__ import annotations

import numpy as np
from scipy import sparse


def normalise_rows(matrix: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (a zero row stays zero)."""
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1, norms)


def sums_by_group(vectors: np.ndarray, groups: np.ndarray, group_count: int) -> tuple[np.ndarray, np.ndarray]:
    """Per group ``0..group_count-1``: the float64 sum of its rows and its row count; rows with group -1 are skipped.

    A sparse one-hot product rather than ``np.add.at``, which is slow on large inputs.
    """
    members = np.flatnonzero(groups >= 0)
    one_hot = sparse.csr_matrix(
        (np.ones(len(members), dtype=vectors.dtype), (groups[members], members)),
        shape=(group_count, len(vectors)),
    )
    sums = np.asarray(one_hot @ vectors, dtype=np.float64)
    return sums, np.bincount(groups[members], minlength=group_count)
