"""Retrieval benchmark on the UNLP 2026 sports PDFs: 198 questions, each answered on one page of one PDF.

Indexes the PDFs through hromada's Python API (timed: chunks/s, tokens/s), then runs every question in the three
modes — lexical (lemma BM25), dense (e5) and hybrid (their fusion) — and prints Recall@1/5/10, MRR@10, nDCG@10 and
query latency (p50, p95). A hit is right when its source file is the question's Doc_ID and its page is Page_Num;
hits are deduplicated by page, so the ranking is a ranking of pages.

    .venv/bin/python scripts/bench/retrieval.py [--data ../shared/data/unlp2026-sport] [--store DIR]

``--compare-backends`` is the quality gate of the fast encoder backend: the same run indexes and searches once with
the backend chosen for this machine and once with float32 PyTorch, each in its own store, and fails (exit 1) when
nDCG@10 of any mode differs by more than 0.005. ``--compare-lexical`` indexes once and answers the questions twice
on that store: lemma keys ranked by FTS5 (the baseline) and by hromada's BM25 in memory (the default), printing
the difference of every figure. ``--pdfs N`` keeps the first N PDFs and their questions (a quick run).
"""

from __future__ import annotations

import argparse
import csv
import math
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from indexing.indexer import IndexOptions
from service.hromada import Hromada
from service.settings import Settings

MODES = ("lexical", "dense", "hybrid")
K = 10
GATE_NDCG = 0.005


@dataclass
class Question:
    text: str
    document: str
    page: int


def read_questions(path: Path) -> list[Question]:
    with open(path, encoding="utf-8") as handle:
        return [
            Question(row["Question"], row["Doc_ID"], int(row["Page_Num"])) for row in csv.DictReader(handle)
        ]


def ranked_pages(hromada: Hromada, question: str, mode: str) -> list[tuple[str, int | None]]:
    pages: list[tuple[str, int | None]] = []
    for hit in hromada.search(question, K, mode=mode):
        page = (Path(hit.source).name, hit.page)
        if page not in pages:
            pages.append(page)
    return pages[:K]


def metrics(ranks: list[int | None]) -> dict[str, float]:
    """Recall@k, MRR@10 and nDCG@10 for one relevant page per question (rank None: not in the top 10)."""
    count = len(ranks)

    def recall(k: int) -> float:
        return sum(1 for rank in ranks if rank is not None and rank <= k) / count

    return {
        "R@1": recall(1),
        "R@5": recall(5),
        "R@10": recall(10),
        "MRR@10": sum(1 / rank for rank in ranks if rank is not None) / count,
        "nDCG@10": sum(1 / math.log2(rank + 1) for rank in ranks if rank is not None) / count,
    }


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--data", type=Path, default=Path(__file__).resolve().parents[3] / "shared/data/unlp2026-sport"
    )
    parser.add_argument("--store", type=Path, help="keep the index here (default: a temporary folder)")
    parser.add_argument("--compare-backends", action="store_true", help="the fast backend against float32")
    parser.add_argument(
        "--compare-lexical", action="store_true", help="BM25 in memory against FTS5's ranking"
    )
    parser.add_argument("--pdfs", type=int, default=None, help="only the first N PDFs and their questions")
    args = parser.parse_args()

    pdfs = sorted((args.data / "pdf").glob("*.pdf"))[: args.pdfs]
    names = {pdf.name for pdf in pdfs}
    questions = [q for q in read_questions(args.data / "questions.csv") if q.document in names]
    store = args.store or Path(tempfile.mkdtemp(prefix="hromada-bench-")) / "store"
    if args.compare_lexical:
        compare_lexical(store, pdfs, questions)
        return 0
    if not args.compare_backends:
        run(Settings(store=store), pdfs, questions)
        return 0
    fast = run(Settings(store=store.with_name(store.name + "-auto")), pdfs, questions)
    reference = run(
        Settings(store=store.with_name(store.name + "-fp32"), embed_backend="torch-fp32"), pdfs, questions
    )
    print(f"\nquality gate: |nDCG@10 fast - fp32| <= {GATE_NDCG}")
    passed = True
    for mode in MODES:
        difference = fast[mode]["nDCG@10"] - reference[mode]["nDCG@10"]
        passed &= abs(difference) <= GATE_NDCG
        print(
            f"{mode:8} fast {fast[mode]['nDCG@10']:.4f}  fp32 {reference[mode]['nDCG@10']:.4f}  "
            f"difference {difference:+.4f}  {'ok' if abs(difference) <= GATE_NDCG else 'FAILED'}"
        )
    return 0 if passed else 1


def compare_lexical(store: Path, pdfs: list[Path], questions: list[Question]) -> None:
    """One store, answered with each lexical ranking in turn; the figures of both and their differences."""
    results = {}
    for lexical_index in ("fts5", "bm25"):
        print(f"\n=== lexical ranking: {lexical_index}")
        results[lexical_index] = run(Settings(store=store, lexical_index=lexical_index), pdfs, questions)
    print("\nbm25 in memory - fts5:")
    for mode in MODES:
        differences = "  ".join(
            f"{name} {results['bm25'][mode][name] - results['fts5'][mode][name]:+.4f}"
            for name in ("R@1", "R@5", "R@10", "MRR@10", "nDCG@10", "p50 ms", "p95 ms")
        )
        print(f"{mode:8} {differences}")


def run(settings: Settings, pdfs: list[Path], questions: list[Question]) -> dict[str, dict[str, float]]:
    """Index ``pdfs`` into the store of ``settings`` and answer ``questions`` in every mode; print the table."""
    hromada = Hromada(settings)
    report = hromada.index(pdfs, IndexOptions(show_progress=True))
    print(f"\nbackend: {hromada.embed_backend()}; store {settings.store}")
    if report.failed:
        print(f"failed to index: {report.failed}", file=sys.stderr)
    if report.chunks:
        print(
            f"indexing: {len(report.indexed)} PDFs, {report.documents} documents, {report.chunks} chunks, "
            f"{report.tokens} tokens in {report.seconds:.1f} s = {report.chunks / report.seconds:.1f} chunks/s, "
            f"{report.tokens / report.seconds:.0f} tokens/s"
        )
    else:
        print(f"indexing: store {settings.store} already up to date ({hromada.stats()['chunks']} chunks)")

    hromada.search("розминка", 1)  # load the models before timing queries
    print(f"\n{len(questions)} questions; pages deduplicated; k = {K}\n")
    print(
        f"{'mode':8} {'R@1':>6} {'R@5':>6} {'R@10':>6} {'MRR@10':>7} {'nDCG@10':>8} {'p50 ms':>7} {'p95 ms':>7}"
    )
    results: dict[str, dict[str, float]] = {}
    for mode in MODES:
        ranks: list[int | None] = []
        latencies: list[float] = []
        for question in questions:
            started = time.perf_counter()
            pages = ranked_pages(hromada, question.text, mode)
            latencies.append((time.perf_counter() - started) * 1000)
            target = (question.document, question.page)
            ranks.append(pages.index(target) + 1 if target in pages else None)
        figures = results[mode] = metrics(ranks)
        figures["p50 ms"], figures["p95 ms"] = statistics.median(latencies), percentile(latencies, 0.95)
        print(
            f"{mode:8} {figures['R@1']:6.3f} {figures['R@5']:6.3f} {figures['R@10']:6.3f} "
            f"{figures['MRR@10']:7.3f} {figures['nDCG@10']:8.3f} "
            f"{figures['p50 ms']:7.1f} {figures['p95 ms']:7.1f}"
        )
    hromada.close()
    return results


if __name__ == "__main__":
    sys.exit(main())
