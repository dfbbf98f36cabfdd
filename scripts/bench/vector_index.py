"""Which FAISS index for a million chunks: exact, IVF with a tuned ``nprobe``, or HNSW — chosen by measurement.

The base vectors are real: the passage vectors of a store (``--store``, e.g. the whole law corpus indexed with
``hromada index``). To reach ``--size`` vectors (default a million) the rest are synthetic, made from the real ones
and said so in the output:

- ``mix`` (default): the normalised blend ``λ·a + (1 − λ)·b`` of two random real vectors, λ ∈ [0.25, 0.75]: new
  points inside the real distribution, neither copies nor noise;
- ``jitter``: a real vector plus Gaussian noise scaled to keep a cosine of about 0.95 to it: near-duplicates, as
  the versions of one act are.

Queries are real: the first dozen words of Kyiv 1551 appeals and the UNLP sports questions, embedded with the
"query: " prompt. The truth is the exact top 10 (inner product = cosine). Every index is searched one query at a
time on one thread, as ``hromada`` searches; printed per index: build seconds, memory, Recall@10 against exact,
p50/p95 milliseconds, and the same with a filter (a random 20 % of the ids allowed, as a kind or region filter
would). HNSW cannot remove vectors in FAISS; its line "after deleting 1 %" searches with the deleted ids excluded by
an ``IDSelectorNot`` (tombstones, rebuilt later), which is how it would handle deletions.

    .venv/bin/python -m scripts.bench.vector_index --store STORE [--size 1000000] [--queries 500]
        [--synthetic mix|jitter] [--cache ~/.cache/hromada/bench/vector-index]

Speed figures depend on the machine's load: the script prints it beside them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

from indexing.store.sqlite.faiss_vectors import TRAINING_PER_LIST
from scripts.bench.real_queries import appeal_openings, sports_questions

K = 10
FILTER_SHARE = 0.2
DELETE_SHARE = 0.01


@dataclass
class Result:
    """One index configuration's figures."""

    name: str
    build_seconds: float
    megabytes: float
    recall: float
    p50: float
    p95: float
    filtered_recall: float | None = None
    filtered_p95: float | None = None


def load_average() -> str:
    return "load " + " / ".join(f"{figure:.2f}" for figure in os.getloadavg())


def base_vectors(store: Path, cache: Path) -> np.ndarray:
    """Every chunk vector of the store, in id order (cached as .npy: reading 165k vectors takes a while)."""
    cached = cache / f"base-{store.name}.npy"
    if cached.exists():
        return np.load(cached)
    from service.hromada import Hromada
    from service.settings import Settings

    hromada = Hromada(Settings(store=store))
    ids = [chunk.id for chunk in hromada.store().iter_chunks()]
    vectors = np.vstack([hromada.store().vectors(ids[i : i + 10_000]) for i in range(0, len(ids), 10_000)])
    hromada.close()
    cache.mkdir(parents=True, exist_ok=True)
    np.save(cached, vectors)
    return vectors


def grow(real: np.ndarray, size: int, how: str, seed: int) -> np.ndarray:
    """``size`` unit vectors: the real ones first, then synthetic ones made from them (module docstring)."""
    rng = np.random.default_rng(seed)
    if size <= len(real):
        return real[:size]
    out = np.empty((size, real.shape[1]), dtype=np.float32)
    out[: len(real)] = real
    for start in range(len(real), size, 100_000):
        count = min(100_000, size - start)
        a = real[rng.integers(0, len(real), count)]
        if how == "mix":
            b = real[rng.integers(0, len(real), count)]
            weight = rng.uniform(0.25, 0.75, (count, 1)).astype(np.float32)
            block = weight * a + (1 - weight) * b
        else:
            # Noise of norm σ·√d on a unit vector keeps a cosine of about 1/√(1 + σ²·d): 0.95 for σ²·d ≈ 0.108.
            sigma = np.sqrt(0.108 / real.shape[1])
            block = a + rng.normal(0, sigma, a.shape).astype(np.float32)
        out[start : start + count] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out


def query_texts(count: int, seed: int) -> list[str]:
    """Real queries: appeals' first dozen words and the sports questions, shuffled and cut to ``count``."""
    texts = appeal_openings(every=97) + sports_questions()
    rng = np.random.default_rng(seed)
    return [texts[i] for i in rng.permutation(len(texts))[:count]]


def query_vectors(count: int, seed: int, cache: Path) -> np.ndarray:
    cached = cache / f"queries-{count}-{seed}.npy"
    if cached.exists():
        return np.load(cached)
    from models.embedder import Embedder

    vectors = Embedder().embed_queries(query_texts(count, seed))
    cache.mkdir(parents=True, exist_ok=True)
    np.save(cached, vectors)
    return vectors


def exact_top(vectors: np.ndarray, queries: np.ndarray, allowed: np.ndarray | None = None) -> np.ndarray:
    """The true top-K ids (rows of ``vectors``), with every core: this is the truth, not a timed index."""
    faiss.omp_set_num_threads(os.cpu_count() or 1)
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)
    params = None if allowed is None else faiss.SearchParameters(sel=faiss.IDSelectorBatch(allowed))
    return index.search(queries, K, params=params)[1]


def recall(found: np.ndarray, truth: np.ndarray, vectors: np.ndarray, queries: np.ndarray) -> float:
    """Recall@10 with ties: a found vector counts when it is as close to the query as the truth's 10th. Texts
    repeated across documents (a law's closing provisions, a form's headings) have equal vectors, and which of
    them an index returns is no error."""
    kept = 0
    for ids, true_ids, query in zip(found, truth, queries, strict=False):
        tenth = float(np.min(vectors[true_ids] @ query))
        ids = ids[ids >= 0]
        kept += min(K, int(np.sum(vectors[ids] @ query >= tenth - 1e-6)))
    return kept / (K * len(found))


def timed_search(
    search: Callable[[np.ndarray], np.ndarray], queries: np.ndarray
) -> tuple[np.ndarray, float, float]:
    """Search one query at a time on one thread: the ids found, p50 and p95 in milliseconds."""
    faiss.omp_set_num_threads(1)
    search(queries[:1])
    found, times = [], []
    for query in queries:
        started = time.perf_counter()
        found.append(search(query[None, :])[0])
        times.append((time.perf_counter() - started) * 1000)
    ordered = sorted(times)
    return np.array(found), statistics.median(ordered), ordered[round(0.95 * (len(ordered) - 1))]


def index_megabytes(index: faiss.Index) -> float:
    return faiss.serialize_index(index).nbytes / 2**20


def build_ivf(vectors: np.ndarray, lists: int, encoding: str) -> tuple[faiss.Index, float]:
    faiss.omp_set_num_threads(os.cpu_count() or 1)
    started = time.perf_counter()
    quantizer = faiss.IndexFlatIP(vectors.shape[1])
    if encoding == "flat":
        index = faiss.IndexIVFFlat(quantizer, vectors.shape[1], lists, faiss.METRIC_INNER_PRODUCT)
    elif encoding.startswith("pq"):
        # 4-bit product codes scanned with SIMD lookups ("fast scan"), one sub-quantiser per ``dims`` dimensions.
        dims = int(encoding.split("x")[1].removesuffix("fs"))
        index = faiss.IndexIVFPQFastScan(
            quantizer, vectors.shape[1], lists, vectors.shape[1] // dims, 4, faiss.METRIC_INNER_PRODUCT
        )
    else:
        index = faiss.IndexIVFScalarQuantizer(
            quantizer, vectors.shape[1], lists, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
        )
    sample = vectors[
        np.random.default_rng(0).choice(len(vectors), min(len(vectors), TRAINING_PER_LIST * lists), False)
    ]
    index.train(sample)
    index.add(vectors)
    index.own_fields = (
        True  # the index frees its quantizer, not Python (as in indexing/store/sqlite/faiss_index.py)
    )
    quantizer.this.disown()
    return index, time.perf_counter() - started


def build_hnsw(vectors: np.ndarray, links: int, construction: int) -> tuple[faiss.Index, float]:
    faiss.omp_set_num_threads(os.cpu_count() or 1)
    started = time.perf_counter()
    index = faiss.IndexHNSWFlat(vectors.shape[1], links, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = construction
    index.add(vectors)
    return index, time.perf_counter() - started


def searcher(index: faiss.Index, params: faiss.SearchParameters | None) -> Callable[[np.ndarray], np.ndarray]:
    return lambda query: index.search(query, K, params=params)[1]


def refined_searcher(
    index: faiss.Index, params: faiss.SearchParameters | None, vectors: np.ndarray, factor: int
) -> Callable[[np.ndarray], np.ndarray]:
    """The approximate index's ``factor``·K best, re-ranked by their exact vectors (as a store re-ranks them by
    the vectors it keeps): compressed codes find the neighbourhood, exact inner products order it."""

    def search(query: np.ndarray) -> np.ndarray:
        candidates = index.search(query, factor * K, params=params)[1][0]
        candidates = candidates[candidates >= 0]
        best = np.argsort(-(vectors[candidates] @ query[0]), kind="stable")[:K]
        return candidates[best][None, :]

    return search


def encoded_searcher(
    index: faiss.Index, encoding: str, params: faiss.SearchParameters, vectors: np.ndarray, refine: int
) -> Callable[[np.ndarray], np.ndarray]:
    """A flat IVF index searched as it is; one that holds codes re-ranked exactly, as the store does."""
    if encoding == "flat":
        return searcher(index, params)
    return refined_searcher(index, params, vectors, refine)


def run(args: argparse.Namespace) -> None:
    real = base_vectors(args.store, args.cache)
    vectors = grow(real, args.size, args.synthetic, args.seed)
    queries = query_vectors(args.queries, args.seed, args.cache)
    synthetic = max(0, len(vectors) - len(real))
    print(
        f"{len(vectors):,} vectors: {min(len(real), len(vectors)):,} real from {args.store}, {synthetic:,} "
        f"synthetic ({args.synthetic}); {len(queries)} real queries; {load_average()}",
        flush=True,
    )
    rng = np.random.default_rng(args.seed)
    allowed = np.sort(rng.choice(len(vectors), int(FILTER_SHARE * len(vectors)), False)).astype(np.int64)
    truth, filtered_truth = exact_top(vectors, queries), exact_top(vectors, queries, allowed)
    selector = faiss.IDSelectorBatch(allowed)
    results: list[Result] = []

    flat = faiss.IndexFlatIP(vectors.shape[1])
    started = time.perf_counter()
    flat.add(vectors)
    build = time.perf_counter() - started
    few = queries[: min(len(queries), 100)]  # a flat scan of a million takes ~100 ms: 100 queries tell enough
    found, p50, p95 = timed_search(searcher(flat, None), few)
    _, _, filtered_p95 = timed_search(searcher(flat, faiss.SearchParameters(sel=selector)), few)
    results.append(Result("flat (exact)", build, index_megabytes(flat), recall(found, truth[: len(few)], vectors, few),
                          p50, p95, 1.0, filtered_p95))  # fmt: skip
    print(_row(results[-1]), flush=True)
    del flat

    for lists in (
        [int(4 * np.sqrt(len(vectors))), int(16 * np.sqrt(len(vectors)))]
        if args.ivf_lists is None
        else args.ivf_lists
    ):
        for encoding in args.encodings:
            index, build = build_ivf(vectors, lists, encoding)
            megabytes = index_megabytes(index)

            for probes in args.probes:
                params = faiss.SearchParametersIVF(nprobe=probes)
                filtered = faiss.SearchParametersIVF(nprobe=probes, sel=selector)
                found, p50, p95 = timed_search(
                    encoded_searcher(index, encoding, params, vectors, args.refine), queries
                )
                filtered_found, _, filtered_p95 = timed_search(
                    encoded_searcher(index, encoding, filtered, vectors, args.refine), queries
                )
                encoding_name = encoding if encoding == "flat" else f"{encoding} refine {args.refine}"
                results.append(Result(f"ivf{lists} {encoding_name} nprobe {probes}", build, megabytes,
                                      recall(found, truth, vectors, queries), p50, p95, recall(filtered_found, filtered_truth, vectors, queries),
                                      filtered_p95))  # fmt: skip
                print(_row(results[-1]), flush=True)
            del index

    for links in args.hnsw_links:
        index, build = build_hnsw(vectors, links, args.ef_construction)
        megabytes = index_megabytes(index)
        for search_depth in args.ef_search:
            params = faiss.SearchParametersHNSW(efSearch=search_depth)
            found, p50, p95 = timed_search(searcher(index, params), queries)
            filtered = faiss.SearchParametersHNSW(efSearch=search_depth, sel=selector)
            filtered_found, _, filtered_p95 = timed_search(searcher(index, filtered), queries)
            results.append(Result(f"hnsw M{links} efSearch {search_depth}", build, megabytes,
                                  recall(found, truth, vectors, queries), p50, p95, recall(filtered_found, filtered_truth, vectors, queries),
                                  filtered_p95))  # fmt: skip
            print(_row(results[-1]), flush=True)
        deleted = np.sort(rng.choice(len(vectors), int(DELETE_SHARE * len(vectors)), False)).astype(np.int64)
        kept = np.setdiff1d(np.arange(len(vectors), dtype=np.int64), deleted, assume_unique=True)
        kept_truth = exact_top(vectors, queries, kept)
        tombstones = faiss.IDSelectorNot(faiss.IDSelectorBatch(deleted))
        depth = args.ef_search[-1]
        found, p50, p95 = timed_search(
            searcher(index, faiss.SearchParametersHNSW(efSearch=depth, sel=tombstones)), queries
        )
        results.append(Result(f"hnsw M{links} efSearch {depth}, after deleting 1 %", build, megabytes,
                              recall(found, kept_truth, vectors, queries), p50, p95))  # fmt: skip
        print(_row(results[-1]), flush=True)
        del index
    print(load_average())


def _row(result: Result) -> str:
    filtered = (
        f"  filtered R@10 {result.filtered_recall:.3f} p95 {result.filtered_p95:7.2f} ms"
        if result.filtered_recall is not None and result.filtered_p95 is not None
        else ""
    )
    return (
        f"{result.name:42} build {result.build_seconds:7.1f} s  {result.megabytes:7.0f} MB  "
        f"R@10 {result.recall:.3f}  p50 {result.p50:7.2f} ms  p95 {result.p95:7.2f} ms{filtered}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--store", type=Path, required=True, help="a store whose chunk vectors are the real base"
    )
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--synthetic", choices=("mix", "jitter"), default="mix")
    parser.add_argument("--ivf-lists", type=int, nargs="*", help="default: 4√n and 16√n")
    parser.add_argument("--probes", type=int, nargs="+", default=[8, 16, 32, 64, 128])
    parser.add_argument(
        "--encodings",
        nargs="+",
        default=["flat", "sq8"],
        help="how IVF lists hold vectors: flat, sq8 (8-bit scalars), pqx<d>fs (4-bit product codes of d dimensions "
        "each, fast scan); codes are re-ranked exactly (--refine)",
    )
    parser.add_argument(
        "--refine", type=int, default=4, help="codes (not flat): re-rank this many times K exactly"
    )
    parser.add_argument("--hnsw-links", type=int, nargs="*", default=[32])
    parser.add_argument("--ef-construction", type=int, default=80)
    parser.add_argument("--ef-search", type=int, nargs="+", default=[32, 64, 128])
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument(
        "--cache", type=Path, default=Path.home() / ".cache" / "hromada" / "bench" / "vector-index"
    )
    run(parser.parse_args())


if __name__ == "__main__":
    main()
