"""The clustering methods that were measured for recurring problems, in one table, chosen on one benchmark only.

Every method sees the same vectors as the product: the statements' "query: " embeddings (cached by
``scripts/bench/clustering.py --cache DIR``), centred per language (``collection_centre``). For each method a
small grid of its settings is run on the top-20 benchmark (3,000 Ukrainian appeals, 20 categories) and the
setting with the best NMI there is frozen; that setting is then run on the benchmark of categories ranked 41–60
(3,000 appeals in any language, never used for choosing), on the 40-category union of the two (6,000 appeals,
the check for under-splitting larger and more varied collections). Groups under five statements count as
unassigned for every method, as in the product. The product's own row uses its shipped ``ClusteringParameters``.

Run from the repository root: ``.venv/bin/python -m scripts.bench.clustering_candidates --cache DIR``;
``--selection`` prints instead the top-20 figures that hromada's shipped settings were chosen by.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import igraph
import leidenalg
import numpy as np
from scipy import sparse
from scipy.cluster.hierarchy import fcluster, linkage
from sklearn.cluster import HDBSCAN, KMeans
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from models.embedder import Embedder
from models.language_detector import detect_language
from scripts.bench.clustering import (
    ALL_FILE,
    BENCH_FILE,
    DATA,
    STATEMENT_PROMPT,
    embed,
    load_appeals,
    load_unseen_benchmark,
)
from service.problems.clustering import ClusteringParameters, cluster_embeddings
from service.problems.collection_centre import CollectionCentre
from service.problems.neighbour_graph import neighbour_graph

Method = Callable[[np.ndarray], np.ndarray]
"""Centred unit vectors in canonical order → a label per row (-1 or any group number)."""


@dataclass
class Collection:
    name: str
    vectors: np.ndarray
    """Centred, in canonical (content key) order."""
    truth: list[str]


@dataclass(frozen=True)
class Family:
    """A method and the settings tried for it on the top-20 benchmark."""

    name: str
    settings: list[dict]
    build: Callable[..., Method]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA, help="the kyiv1551 folder")
    parser.add_argument("--cache", type=Path, help="folder that keeps embeddings between runs")
    parser.add_argument("--max-seq-length", type=int, default=512, help="tokens embedded per appeal")
    parser.add_argument(
        "--selection",
        action="store_true",
        help="only the data hromada's settings were chosen by: each setting's NMI on the top 20 over five seeds",
    )
    arguments = parser.parse_args(argv)
    embedder = Embedder(max_seq_length=arguments.max_seq_length)
    top20 = load_appeals(arguments.data / BENCH_FILE)
    unseen = load_unseen_benchmark(arguments.data / ALL_FILE)
    vectors = {
        "top 20": embed(top20, embedder, arguments, STATEMENT_PROMPT),
        "ranks 41-60": embed(unseen, embedder, arguments, STATEMENT_PROMPT),
    }
    collections = [
        _collection("top 20", top20, vectors["top 20"]),
        _collection("ranks 41-60", unseen, vectors["ranks 41-60"]),
        _collection("40 categories", top20 + unseen, np.vstack(list(vectors.values()))),
    ]
    if arguments.selection:
        print_selection(collections[0])
        return 0
    print("method (setting chosen on top 20)".ljust(58) + "".join(f"| {c.name:<36}" for c in collections))
    print(" " * 58 + "| NMI    ARI    problems unassigned  " * len(collections))
    for family in _families():
        setting, method = _chosen(family, collections[0])
        label = f"{family.name} {_describe(setting)}"
        print(f"{label:<58}" + "".join(_cell(method, collection) for collection in collections), flush=True)
    true_k = {c.name: len(set(c.truth)) for c in collections}
    print(
        f"{'k-means told the true k (centred vectors, n_init 10)':<58}"
        + "".join(_cell(_kmeans(true_k[c.name]), c) for c in collections)
    )
    return 0


def print_selection(development: Collection) -> None:
    """The top-20 NMI of every setting of hromada's grid over Leiden seeds 0–4 (``ClusteringParameters`` says how
    the shipped setting was picked from these, and the shipped seed's own run)."""
    print("neighbours baseline density   NMI mean   min    max   problems   NMI with the shipped seed")
    for setting in _families()[-2].settings:
        runs = [_scores(_product(**setting, seed=seed), development) for seed in range(5)]
        nmis, problems = [run[0] for run in runs], [run[2] for run in runs]
        shipped = _scores(_product(**setting), development)[0]
        print(
            f"{setting['k']:>10} {setting['b']:>8} {setting['g']:>7}   {np.mean(nmis):.3f}    {min(nmis):.3f}  "
            f"{max(nmis):.3f}  {min(problems):>3}–{max(problems):<3}   {shipped:.3f}",
            flush=True,
        )


def _families() -> list[Family]:
    return [
        Family(
            "global average linkage (main before)", [{"t": t} for t in (0.08, 0.10, 0.12, 0.14)], _average
        ),
        Family("HDBSCAN on centred vectors", [{"mcs": m} for m in (5, 10, 20)], _hdbscan),
        Family(
            "kNN graph, Leiden modularity (Louvain-like)",
            [{"k": k, "r": r} for k in (20, 50) for r in (0.5, 1.0, 2.0)],
            _modularity,
        ),
        Family("kNN graph, Leiden Surprise (no resolution)", [{"k": k} for k in (20, 50)], _surprise),
        Family(
            "kNN graph, Leiden CPM, weights cosine",
            [{"k": k, "g": g} for k in (30, 50, 70) for g in (0.005, 0.01, 0.02)],
            _cpm,
        ),
        Family(
            "mutual kNN graph, Leiden CPM, weights cosine",
            [{"k": k, "g": g, "mutual": True} for k in (30, 50) for g in (0.005, 0.01, 0.02)],
            _cpm,
        ),
        Family(
            "kNN graph, Leiden CPM, weights cosine - b (hromada)",
            [
                {"k": k, "b": b, "g": g}
                for k in (30, 50, 70)
                for b in (0.08, 0.10, 0.12)
                for g in (0.005, 0.01, 0.015)
            ],
            _product,
        ),
        Family("hromada as shipped (ClusteringParameters())", [{}], _product),
    ]


def _chosen(family: Family, development: Collection) -> tuple[dict, Method]:
    """The family's setting with the best NMI on ``development``."""
    scored = []
    for setting in family.settings:
        method = family.build(**setting)
        scored.append((_scores(method, development)[0], setting, method))
    _, setting, method = max(scored, key=lambda entry: entry[0])
    return setting, method


def _cell(method: Method, collection: Collection) -> str:
    nmi, ari, problems, unassigned, seconds = _scores(method, collection)
    return f"| {nmi:.3f}  {ari:.3f}  {problems:>5}    {unassigned:6.1%} {seconds:4.0f}s "


def _scores(method: Method, collection: Collection) -> tuple[float, float, int, float, float]:
    started = time.perf_counter()
    labels = _drop_small(np.asarray(method(collection.vectors)))
    seconds = time.perf_counter() - started
    return (
        normalized_mutual_info_score(collection.truth, labels),
        adjusted_rand_score(collection.truth, labels),
        len(set(labels[labels >= 0].tolist())),
        float((labels < 0).mean()),
        seconds,
    )


def _collection(name: str, appeals: list, embeddings: np.ndarray) -> Collection:
    languages = [detect_language(appeal.item.text) for appeal in appeals]
    centred = CollectionCentre.of(embeddings, languages).directions(embeddings, languages)
    order = sorted(range(len(appeals)), key=lambda index: appeals[index].item.content_key)
    return Collection(
        name, np.ascontiguousarray(centred[order]), [appeals[index].category for index in order]
    )


def _drop_small(labels: np.ndarray, min_size: int = 5) -> np.ndarray:
    counts = Counter(labels.tolist())
    return np.array([label if label >= 0 and counts[label] >= min_size else -1 for label in labels.tolist()])


def _describe(setting: dict) -> str:
    return " ".join(f"{key}={value}" for key, value in setting.items() if key != "mutual")


# ---------------------------------------------------------------- the methods


def _average(t: float) -> Method:
    """Average linkage over cosine, cut where the mean cosine between two groups falls below ``t``."""
    return lambda vectors: fcluster(linkage(vectors, method="average", metric="cosine"), 1 - t, "distance")


def _hdbscan(mcs: int) -> Method:
    return lambda vectors: HDBSCAN(min_cluster_size=mcs, copy=True).fit_predict(vectors)


def _kmeans(k: int) -> Method:
    return lambda vectors: KMeans(n_clusters=k, n_init=10, random_state=0).fit_predict(vectors)


def _knn_network(vectors: np.ndarray, k: int, mutual: bool = False) -> tuple[igraph.Graph, list[float]]:
    """The product's neighbour graph (exact), cosines clipped at 0; ``mutual`` keeps edges both ends chose."""
    search = ClusteringParameters(neighbours=k).neighbour_search()
    graph = neighbour_graph(vectors, search)
    if mutual:
        chosen = _one_way_choices(vectors, k)
        graph = graph.multiply(chosen.minimum(chosen.T)).tocsr()
    upper = sparse.triu(graph, k=1).tocoo()
    network = igraph.Graph(n=len(vectors), edges=np.column_stack([upper.row, upper.col]), directed=False)
    return network, np.clip(upper.data, 0, None).tolist()


def _one_way_choices(vectors: np.ndarray, k: int) -> sparse.csr_matrix:
    scores = vectors @ vectors.T
    np.fill_diagonal(scores, -np.inf)
    chosen = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    rows = np.repeat(np.arange(len(vectors)), k)
    return sparse.csr_matrix((np.ones(rows.size), (rows, chosen.ravel())), shape=scores.shape)


def _leiden(kind: type, k: int, mutual: bool = False, **arguments: float) -> Method:
    def method(vectors: np.ndarray) -> np.ndarray:
        network, weights = _knn_network(vectors, k, mutual)
        partition = leidenalg.find_partition(network, kind, weights=weights, seed=0, **arguments)
        return np.asarray(partition.membership)

    return method


def _modularity(k: int, r: float) -> Method:
    return _leiden(leidenalg.RBConfigurationVertexPartition, k, resolution_parameter=r)


def _surprise(k: int) -> Method:
    return _leiden(leidenalg.SurpriseVertexPartition, k)


def _cpm(k: int, g: float, mutual: bool = False) -> Method:
    return _leiden(leidenalg.CPMVertexPartition, k, mutual, resolution_parameter=g)


def _product(**setting: float) -> Method:
    """hromada's clustering with ``setting`` (k, b, g, seed) over its shipped parameters."""
    names = {"k": "neighbours", "b": "baseline_similarity", "g": "density", "seed": "seed"}
    parameters = ClusteringParameters(**{names[key]: value for key, value in setting.items()})

    def method(vectors: np.ndarray) -> np.ndarray:
        # The rows are already in canonical order: zero-padded row numbers keep that order.
        keys = [f"{row:09d}" for row in range(len(vectors))]
        return cluster_embeddings(vectors, keys, parameters).labels

    return method


if __name__ == "__main__":
    raise SystemExit(main())
