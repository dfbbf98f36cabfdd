"""Group problem statements by meaning, without being told how many groups there are.

A problem is a group of statements that passes two tests, one local and one absolute:

1. **It is a community of the nearest-neighbour graph.** Every statement is joined to its ``neighbours`` most
   similar statements (``neighbour_graph``), and the Leiden algorithm (scikit-network's) partitions that graph
   under the Constant Potts Model: a community holds together while its edge weight per pair of members is above
   ``density``. Neighbourhoods follow the data where a fixed threshold cannot: a diffuse subject (thanks, mixed
   complaints) is held together by chains of close neighbours, a tight one (lifts) is not merged with what lies
   near it, and two statements that are only similar to the whole collection's common part are not joined.
   Unlike modularity (Louvain), whose resolution is relative to the size of the whole graph and which merges
   ever more subjects as a collection grows, the Potts model's resolution is a density, so adding other
   subjects to a collection does not change how one subject is cut.
2. **Its parts are on average similar enough.** Inside each community, average-linkage agglomeration over the
   cosine keeps two groups apart when the mean cosine between their members is below ``merge_similarity``.
   On a few dozen statements the neighbour graph is nearly complete and says little, and this absolute test is
   what keeps, say, school transport apart from the roads that the buses take; on thousands of statements the
   communities are the binding test.

Measured on the Kyiv 1551 benchmarks (``scripts/bench/clustering.py``), this beats both the earlier global
average linkage and modularity: see ``ClusteringParameters`` for where each setting was chosen and the README for
the figures.

The vectors are expected centred (``collection_centre``). Items are put in a canonical order (by their content
keys) first, so the input order never matters: the graph, the seeded Leiden run and every tie follow that order.
Memory stays bounded on large inputs: beyond ``max_nodes`` statements the neighbours are searched through
k-means lists (``neighbour_graph``), and a community larger than ``max_nodes`` is first cut into ``max_nodes``
k-means groups for the average linkage, whose similarity matrix is then ``max_nodes²`` at most. Groups smaller
than ``min_size`` are not problems: their items stay unassigned.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sknetwork.clustering import Leiden

from service.problems.average_linkage import average_linkage
from service.problems.neighbour_graph import NeighbourSearch, neighbour_graph
from service.problems.spherical_kmeans import spherical_kmeans
from service.problems.vector_math import normalise_rows, sums_by_group


@dataclass(frozen=True)
class ClusteringParameters:
    """The knobs of the clustering. ``neighbours``, ``density`` and ``merge_similarity`` were chosen together on
    the top-20 benchmark only (3,000 Ukrainian Kyiv 1551 appeals of the 20 largest categories) and then frozen
    for the benchmark of categories ranked 41–60, the 40-category union and the batch runs."""

    neighbours: int = 50
    """Edges per statement in the neighbour graph. Tried 30, 50, 70 with the two settings below: the top-20 NMI
    stayed within 0.633–0.636 at the best density of each; 50 is the middle and costs less than 70 on large
    inputs."""
    density: float = 0.01
    """The Potts (CPM) resolution: a community holds together while its edge weight (cosines of linked pairs)
    per pair of members exceeds this. Tried 0.005–0.02: 0.01 was best at 50 neighbours (0.02: 0.003 lower;
    0.005: 0.02 lower)."""
    merge_similarity: float = 0.11
    """Inside a community, two groups merge while the mean cosine between their members is at least this. The
    top-20 NMI was flat from 0.09 to 0.11 (0.635, 0.635, 0.632) and fell at 0.12; 0.11 is chosen over 0.10
    because the sample corpus's eight planted problems are told apart only between 0.094 and 0.132 (school
    shelters and missing teachers join at 0.094), and 0.10 would sit at the edge of that window."""

    min_size: int = 5
    """A group needs this many items to be a problem; smaller groups are left unassigned (five statements is the
    least that reads as "recurring")."""
    max_nodes: int = 4000
    """Neighbours are exact up to this many statements, and average linkage works on at most this many groups."""
    list_size: int = 64
    """Larger inputs: statements per k-means list of the neighbour search."""
    probed_candidates: int = 2048
    """Larger inputs: lists are probed until about this many candidates are compared per statement."""
    kmeans_iterations: int = 5
    seed: int = 1551
    block_rows: int = 4096
    """Rows scored at once against all vectors or centres (bounds memory on large inputs)."""

    def neighbour_search(self) -> NeighbourSearch:
        return NeighbourSearch(
            neighbours=self.neighbours,
            exact_limit=self.max_nodes,
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

    communities = _communities(neighbour_graph(vectors, parameters.neighbour_search()), parameters)
    canonical_labels = _drop_small_and_renumber(
        _split_communities(vectors, communities, parameters), parameters.min_size
    )

    labels = np.empty(len(keys), dtype=np.int64)
    labels[canonical] = canonical_labels
    sums, sizes = sums_by_group(vectors, canonical_labels, int(canonical_labels.max()) + 1)
    return Clustering(labels=labels, vector_sums=sums, sizes=sizes)


def _communities(graph: sparse.csr_matrix, parameters: ClusteringParameters) -> np.ndarray:
    """Leiden communities under the Constant Potts Model at ``parameters.density``.

    scikit-network's Potts quality divides the edge weights by their total and charges ``resolution / n²`` per
    pair, so the CPM density is turned into its resolution by ``density · n² / total weight``.
    """
    count = graph.shape[0]
    total = float(graph.sum())
    if total == 0:
        return np.arange(count, dtype=np.int64)
    leiden = Leiden(
        resolution=parameters.density * count * count / total,
        modularity="potts",
        random_state=parameters.seed,
        return_probs=False,
        return_aggregate=False,
    )
    return np.asarray(leiden.fit_predict(graph), dtype=np.int64)


def _split_communities(
    vectors: np.ndarray, communities: np.ndarray, parameters: ClusteringParameters
) -> np.ndarray:
    """Average linkage inside each community; returns a group number per item (unique across communities)."""
    labels = np.empty(len(vectors), dtype=np.int64)
    order = np.argsort(communities, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(communities[order]) != 0])
    offset = 0
    for members in np.split(order, starts[1:]):
        groups = _initial_groups(vectors[members], parameters)
        sums, sizes = sums_by_group(vectors[members], groups, int(groups.max()) + 1)
        roots = average_linkage(sums, sizes, parameters.merge_similarity)
        # A root is one of the community's groups: offset by the groups of earlier communities, it is unique.
        labels[members] = offset + roots[groups]
        offset += len(sizes)
    return labels


def _initial_groups(vectors: np.ndarray, parameters: ClusteringParameters) -> np.ndarray:
    """Every item alone when few enough; else the spherical k-means groups that the agglomeration starts from."""
    if len(vectors) <= parameters.max_nodes:
        return np.arange(len(vectors), dtype=np.int64)
    groups, _ = spherical_kmeans(
        vectors, parameters.max_nodes, parameters.kmeans_iterations, parameters.seed, parameters.block_rows
    )
    return groups


def _drop_small_and_renumber(raw_labels: np.ndarray, min_size: int) -> np.ndarray:
    """Clusters under ``min_size`` become -1; the rest are numbered by size, ties by first member."""
    values, first_index, counts = np.unique(raw_labels, return_index=True, return_counts=True)
    kept = counts >= min_size
    order = sorted(np.flatnonzero(kept), key=lambda i: (-counts[i], first_index[i]))
    number = np.full(len(values), -1, dtype=np.int64)
    number[order] = np.arange(len(order))
    return number[np.searchsorted(values, raw_labels)]
