"""Group problem statements by meaning, without being told how many groups there are.

The method: every statement is joined to its ``neighbours`` most similar statements (``neighbour_graph``, cosine
of the centred vectors, see ``collection_centre``); each edge weighs its cosine minus ``baseline_similarity``, so
that a neighbour less similar than that pulls apart instead of together; and the Leiden algorithm
(leidenalg's) partitions the graph under the Constant Potts Model (CPM) with resolution ``density``: a
group is worth keeping together while the summed weight of its edges exceeds ``density`` per pair of members.

Why this, and not the earlier choices (all measured, see ``scripts/bench/clustering_candidates.py``):

- **Neighbourhoods rather than one global threshold.** Average linkage cut at a mean cosine (the method before)
  cuts a diffuse subject (thanks, mixed complaints about a courtyard) into many pieces and still merges tight
  neighbouring ones. A nearest-neighbour graph follows the local density: a subject is held together by chains
  of close neighbours. On the Kyiv 1551 benchmarks this gained 0.04–0.05 NMI over the best cut of that average
  linkage.
- **A resolution that is a density, not relative to the collection.** Modularity (Louvain) measures a group
  against the size of the whole graph, so the same two subjects merge once enough other subjects are added: on
  the 40-category union of the two benchmarks it found 15 problems (10 and 12 on its halves). Under the CPM,
  adding other subjects does not change how one subject is cut: 90 problems on the union, 34 and 43 on its
  halves.
- **Signed weights, so that small collections are cut right too.** When a collection has fewer statements than
  ``neighbours``, the graph is complete and tells nothing by its shape; the weights then decide, and the CPM with
  weights ``cosine − baseline`` keeps two groups apart unless their mean cross-cosine exceeds
  ``baseline_similarity + density``, an absolute test like the earlier average linkage's. That is what keeps the
  sample corpus's school shelters apart from its missing teachers. On thousands of statements, the neighbours
  are almost all above the baseline and the graph's shape decides.

Statements are put in a canonical order (by their content keys) first, so the input order never matters: the
graph, the seeded Leiden run and every tie follow that order. Memory stays linear in the number of statements
(``neighbours`` edges each; the exact neighbour search works in blocks, larger inputs search through k-means
lists). Groups smaller than ``min_size`` are not problems: their items stay unassigned.
"""

from __future__ import annotations

from dataclasses import dataclass

import igraph
import leidenalg
import numpy as np
from scipy import sparse

from service.problems.neighbour_graph import NeighbourSearch, neighbour_graph
from service.problems.vector_math import normalise_rows, sums_by_group


@dataclass(frozen=True)
class ClusteringParameters:
    """The knobs of the clustering. ``neighbours``, ``baseline_similarity`` and ``density`` were chosen together
    on the top-20 benchmark (3,000 Ukrainian Kyiv 1551 appeals of the 20 largest categories) and on the sample
    corpus, then frozen for everything else (the benchmark of categories ranked 41–60, the 40-category union,
    the batch runs). The rule: the mean NMI of five Leiden seeds for 27 settings (30, 50, 70 neighbours ×
    baseline 0.08, 0.10, 0.12 × density 0.005, 0.01, 0.015; best mean 0.639); settings within 0.01 of the best
    count as tied, since the five seeds of one setting spread by up to 0.016; among the tied, the one forming
    the most problems (NMI cannot tell them apart, and a product must not under-split) whose run with the
    shipped seed keeps a 0.03 NMI margin over k-means on the top 20 (0.598), and which keeps the sample
    corpus's eight planted problems apart, also with the test suite's extra documents. Tied settings formed 10
    to 45 problems on the top 20; this one forms 32–35 (mean NMI 0.632, 0.636 with the shipped seed). Finer
    tied settings failed: 50 neighbours, baseline 0.10, density 0.015 kept only 0.626 with the shipped seed,
    and 30 neighbours merged the sample's school shelters with its missing teachers once the collection
    outgrew the neighbour lists."""

    neighbours: int = 70
    """Edges per statement in the neighbour graph."""
    baseline_similarity: float = 0.10
    """An edge weighs its cosine minus this: a neighbour less similar pulls apart. A baseline of 0.08 merged the
    sample's school shelters with its missing teachers (their mean cross-cosine is 0.094–0.099)."""
    density: float = 0.015
    """The CPM resolution: a group holds together while its edge weight per pair of members exceeds this. In a
    collection smaller than ``neighbours`` every pair is an edge, and two groups then join only when their mean
    cross-cosine exceeds ``baseline_similarity + density`` (0.115)."""

    leiden_iterations: int = 2
    """Passes of the Leiden algorithm (leidenalg's default). Beyond ``exact_search_limit`` statements it makes
    one: a pass over 85,000 statements takes about a minute on two busy cores; on the benchmarks one pass instead
    of two cost 0.002–0.004 NMI."""
    min_size: int = 5
    """A group needs this many items to be a problem; smaller groups are left unassigned (five statements is the
    least that reads as "recurring")."""
    exact_search_limit: int = 20000
    """Neighbours are exact up to this many statements (every pair compared, 10 s for 15,000 on two busy cores);
    beyond, they are searched through k-means lists."""
    list_size: int = 64
    """Larger inputs: statements per k-means list of the neighbour search."""
    probed_candidates: int = 4096
    """Larger inputs: lists are probed until about this many candidates are compared per statement. On 15,000
    real appeals, 4,096 found 92 % of the exact 50 neighbours (8,192: 98 %, at twice the time)."""
    kmeans_iterations: int = 5
    seed: int = 1551
    block_rows: int = 4096
    """Rows scored at once against k-means centres; the exact neighbour search scores ``block_rows · 4096``
    similarities at once (bounds memory on large inputs)."""

    def neighbour_search(self) -> NeighbourSearch:
        return NeighbourSearch(
            neighbours=self.neighbours,
            exact_limit=self.exact_search_limit,
            block_scores=self.block_rows * 4096,
            list_size=self.list_size,
            probed_candidates=self.probed_candidates,
            kmeans_iterations=self.kmeans_iterations,
            seed=self.seed,
            block_rows=self.block_rows,
        )


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

    graph = neighbour_graph(vectors, parameters.neighbour_search())
    canonical_labels = _drop_small_and_renumber(_communities(graph, parameters), parameters.min_size)

    labels = np.empty(len(keys), dtype=np.int64)
    labels[canonical] = canonical_labels
    sums, sizes = sums_by_group(vectors, canonical_labels, int(canonical_labels.max()) + 1)
    return Clustering(labels=labels, vector_sums=sums, sizes=sizes)


def _communities(graph: sparse.csr_matrix, parameters: ClusteringParameters) -> np.ndarray:
    """Leiden communities of ``graph`` under the CPM, each edge weighing its cosine minus the baseline.

    leidenalg's CPM is defined for negative weights too (its documentation says so), which the small-collection
    case needs; graspologic-native and scikit-network refuse or mis-scale them.
    """
    count = graph.shape[0]
    upper = sparse.triu(graph, k=1).tocoo()
    network = igraph.Graph(n=count, edges=np.column_stack([upper.row, upper.col]), directed=False)
    partition = leidenalg.find_partition(
        network,
        leidenalg.CPMVertexPartition,
        weights=(upper.data - parameters.baseline_similarity).tolist(),
        resolution_parameter=parameters.density,
        n_iterations=parameters.leiden_iterations if count <= parameters.exact_search_limit else 1,
        seed=parameters.seed,
    )
    return np.asarray(partition.membership, dtype=np.int64)


def _drop_small_and_renumber(raw_labels: np.ndarray, min_size: int) -> np.ndarray:
    """Clusters under ``min_size`` become -1; the rest are numbered by size, ties by first member."""
    values, first_index, counts = np.unique(raw_labels, return_index=True, return_counts=True)
    kept = counts >= min_size
    order = sorted(np.flatnonzero(kept), key=lambda i: (-counts[i], first_index[i]))
    number = np.full(len(values), -1, dtype=np.int64)
    number[order] = np.arange(len(order))
    return number[np.searchsorted(values, raw_labels)]
