"""Search latency on an existing store, as an analyst meets it: one query at a time, query embedding included.

The queries are real and plain: the hand-written problems of the precedents benchmark (what a report writer asks
of the law corpus), the first dozen words of Kyiv 1551 appeals, and the UNLP sports questions, in a fixed shuffled
order. Each mode (hybrid, dense, lexical) runs every query once through ``Hromada.search`` (what ``hromada search``
and ``GET /search`` run), after one warm-up query; printed: p50, p95, p99 and the mean, with the store's size, its
vector index type and the machine's load before and after.

    .venv/bin/python -m scripts.bench.search_latency --store STORE [--queries 300] [-k 10]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

import numpy as np

from scripts.bench.real_queries import appeal_openings, sports_questions
from service.hromada import Hromada
from service.settings import Settings

BENCH = Path(__file__).resolve().parent
MODES = ("hybrid", "dense", "lexical")


def load_average() -> str:
    return "load " + " / ".join(f"{figure:.2f}" for figure in os.getloadavg())


def real_queries(count: int, seed: int) -> list[str]:
    """Problems of the precedents benchmark, appeals' first dozen words and sports questions, shuffled."""
    queries = [
        json.loads(line)["text"]
        for name in ("precedent_pairs.jsonl", "proposal_pairs.jsonl")
        for line in (BENCH / name).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    queries += appeal_openings(every=389) + sports_questions()
    order = np.random.default_rng(seed).permutation(len(queries))
    return [queries[i] for i in order[:count]]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", required=True, help="a store folder (or address) to search")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("-k", type=int, default=10)
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args()

    hromada = Hromada(Settings(store=args.store))
    started = time.perf_counter()
    hromada.search("підвезення дітей до школи", args.k)
    print(f"first search (models loaded, index opened): {time.perf_counter() - started:.1f} s")
    stats = hromada.stats()
    queries = real_queries(args.queries, args.seed)
    print(
        f"store {args.store}: {stats['chunks']:,} chunks, {stats['documents']:,} documents, vector index "
        f"{stats['index_type']}, backend {stats['backend']}; {len(queries)} real queries, k = {args.k}; "
        f"{load_average()}"
    )
    for mode in MODES:
        milliseconds = []
        for query in queries:
            started = time.perf_counter()
            hromada.search(query, args.k, mode=mode)
            milliseconds.append((time.perf_counter() - started) * 1000)
        print(
            f"{mode:8} p50 {statistics.median(milliseconds):7.1f} ms  p95 {percentile(milliseconds, 0.95):7.1f} ms  "
            f"p99 {percentile(milliseconds, 0.99):7.1f} ms  mean {statistics.fmean(milliseconds):7.1f} ms",
            flush=True,
        )
    print(load_average())
    hromada.close()


if __name__ == "__main__":
    main()
