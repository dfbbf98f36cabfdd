"""The two store backends side by side: retrieval quality on each, and search speed at a given size.

``quality``: the retrieval benchmark of ``scripts/bench/retrieval.py`` (the UNLP 2026 sports PDFs, 198 questions,
pages deduplicated) on a store folder (SQLite + FTS5 + FAISS) and on a PostgreSQL database (full text + pgvector
HNSW), both indexed by hromada's indexer with the same passage vectors, so that only the store differs. Each mode
(lexical, dense, hybrid) is scored with R@1/5/10, MRR@10 and nDCG@10; PostgreSQL's lexical ranking is measured in
each of its forms (BM25 computed in SQL, the default; ``ts_rank_cd``; ``ts_rank_cd`` divided by 1 + log(length);
``ts_rank``) against FTS5's bm25.

``speed``: acts of the legislation export (one JSON file each, in the export's order) are indexed into both backends
until they hold ``--chunks`` chunks, the same files in each; then real queries (those of
``scripts/bench/search_latency.py``) are searched one at a time, query embedding included, in each mode, the two
backends taking turns query by query so that the machine's load weighs on both alike. Printed per backend and
mode: p50 and p95 in milliseconds, and PostgreSQL's against the folder's; also Recall@10 of PostgreSQL's HNSW
search against the folder's exact one (FAISS is exact up to 100k chunks).

What is expensive is kept under ``--work`` (default ``~/.cache/hromada/bench/store-backends``): the passage
vectors (computed once, for both backends and every later run), the stores, and the PostgreSQL server's data
(started from the ``pgserver`` wheel unless ``--postgres`` gives a server). An interrupted run resumes where it
stopped: indexing skips the files already in, and no passage is embedded twice.

    .venv/bin/python -m scripts.bench.store_backends [--part quality|speed|both] [--chunks 100000]
        [--queries 300] [--pdfs N] [--postgres postgresql://…] [--work DIR]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import numpy as np

from indexing.indexer import IndexOptions
from indexing.store.postgres import open_database_store
from indexing.store.postgres.full_text import RANKINGS
from models.embedder import Embedder
from models.ukrainian_pipeline import UkrainianPipeline
from scripts.bench.retrieval import K, Question, metrics, percentile, ranked_pages, read_questions
from scripts.bench.search_latency import real_queries
from service.hromada import Hromada
from service.searcher import Searcher
from service.settings import Settings

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
LAWS = DATA / "legislation" / "ua-laws.jsonl.gz"
SPORT = DATA / "unlp2026-sport"
WORK = Path.home() / ".cache" / "hromada" / "bench" / "store-backends"
MODES = ("lexical", "dense", "hybrid")
FILES_PER_ROUND = 10
"""Acts indexed between two looks at the store's size (the first acts are whole codes of thousands of chunks)."""


def load_average() -> str:
    return "load " + " / ".join(f"{figure:.2f}" for figure in os.getloadavg())


class CachedPassages:
    """The real embedder, with every passage vector kept by the text's digest in a SQLite file: the second
    backend gets exactly the first one's vectors, and a rerun embeds nothing twice. Queries are always embedded."""

    def __init__(self, embedder: Embedder, path: Path) -> None:
        self._embedder = embedder
        self.name, self.dimension, self.backend = embedder.name, embedder.dimension, embedder.backend
        path.parent.mkdir(parents=True, exist_ok=True)
        self._cache = sqlite3.connect(path, check_same_thread=False)
        self._cache.execute(
            "CREATE TABLE IF NOT EXISTS passages (digest TEXT PRIMARY KEY, vector BLOB NOT NULL)"
        )
        self.computed = 0

    def embed_passages(
        self, texts: Sequence[str], show_progress: bool = False, threads: int | None = None
    ) -> np.ndarray:
        digests = [hashlib.sha256(f"{self.name}\n{text}".encode()).hexdigest() for text in texts]
        known = dict(
            self._cache.execute(
                f"SELECT digest, vector FROM passages WHERE digest IN ({', '.join('?' * len(digests))})",
                digests,
            ).fetchall()
        )
        missing = [number for number, digest in enumerate(digests) if digest not in known]
        if missing:
            vectors = self._embedder.embed_passages([texts[n] for n in missing], show_progress, threads)
            fresh = {
                digests[n]: vector.astype(np.float32).tobytes()
                for n, vector in zip(missing, vectors, strict=True)
            }
            with self._cache:
                self._cache.executemany("INSERT OR IGNORE INTO passages VALUES (?, ?)", fresh.items())
            known.update(fresh)
            self.computed += len(missing)
        return np.vstack([np.frombuffer(known[digest], dtype=np.float32) for digest in digests])

    def embed_queries(
        self, texts: Sequence[str], show_progress: bool = False, threads: int | None = None
    ) -> np.ndarray:
        return self._embedder.embed_queries(texts, show_progress, threads)

    def count_tokens(self, texts: Sequence[str]) -> int:
        return self._embedder.count_tokens(texts)

    def warm_up(self) -> None:
        self._embedder.warm_up()


# ---------------------------------------------------------------- the PostgreSQL server


def postgres_address(work: Path, given: str | None) -> Callable[[str], str]:
    """``address(name)``: a database of the given server, or of one started here from the pgserver wheel (it
    stops when this process ends; its data stays in ``work`` for the next run). Each database is made if missing."""
    import psycopg

    if given:
        base = given
    else:
        runtime = work / "postgres-run"
        runtime.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.environ["XDG_RUNTIME_DIR"] = str(runtime)  # pgserver keeps its lock and socket there
        import pgserver

        work.chmod(0o755)  # run as root, pgserver runs PostgreSQL as a user of its own
        base = pgserver.get_server(work / "postgres-data", cleanup_mode="stop").get_uri()

    def address(name: str) -> str:
        with psycopg.connect(base, autocommit=True) as connection:
            if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
                connection.execute(f'CREATE DATABASE "{name}"')
        return urlunsplit(urlsplit(base)._replace(path=f"/{name}"))

    return address


# ---------------------------------------------------------------- quality


def quality(args: argparse.Namespace, embedder: CachedPassages, pipeline: UkrainianPipeline) -> None:
    pdfs = sorted((SPORT / "pdf").glob("*.pdf"))[: args.pdfs]
    names = {pdf.name for pdf in pdfs}
    questions = [q for q in read_questions(SPORT / "questions.csv") if q.document in names]
    suffix = f"-{args.pdfs}" if args.pdfs else ""
    stores = {
        "folder": str(args.work / f"quality-folder{suffix}"),
        "postgresql": args.address(f"quality{suffix.replace('-', '_')}"),
    }
    apps = {}
    for backend, address in stores.items():
        apps[backend] = hromada = Hromada(Settings(store=address), embedder=embedder, pipeline=pipeline)  # type: ignore[arg-type]
        started = time.perf_counter()
        report = hromada.index(pdfs, IndexOptions(show_progress=True))
        print(
            f"{backend}: {hromada.stats()['chunks']} chunks; indexed {report.chunks} now in "
            f"{time.perf_counter() - started:.0f} s ({embedder.computed} passages embedded so far); {load_average()}",
            flush=True,
        )
    settings = apps["postgresql"].settings
    runs: list[tuple[str, Hromada | Searcher, tuple[str, ...]]] = [
        ("folder: FTS5 bm25, FAISS", apps["folder"], MODES),
        ("postgresql: bm25 in SQL, HNSW", apps["postgresql"], MODES),
    ]
    for ranking in RANKINGS[1:]:
        store = open_database_store(stores["postgresql"], lexical_ranking=ranking)
        searcher = Searcher(
            store, embedder, pipeline, settings.candidates, settings.rrf_k,  # type: ignore[arg-type]
            scale=apps["postgresql"].relevance_scale,
        )  # fmt: skip
        runs.append((f"postgresql: {ranking}, HNSW", searcher, ("lexical", "hybrid")))
    print(f"\n{len(questions)} questions, {len(pdfs)} PDFs; pages deduplicated; k = {K}\n")
    print(
        f"{'backend: lexical ranking':38} {'mode':8} {'R@1':>6} {'R@5':>6} {'R@10':>6} {'MRR@10':>7} {'nDCG@10':>8}"
    )
    for label, searcher, modes in runs:
        for mode in modes:
            figures = score(searcher, questions, mode)
            print(
                f"{label:38} {mode:8} {figures['R@1']:6.3f} {figures['R@5']:6.3f} {figures['R@10']:6.3f} "
                f"{figures['MRR@10']:7.3f} {figures['nDCG@10']:8.3f}",
                flush=True,
            )


def score(searcher: Hromada | Searcher, questions: list[Question], mode: str) -> dict[str, float]:
    ranks: list[int | None] = []
    for question in questions:
        pages = ranked_pages(searcher, question.text, mode)  # type: ignore[arg-type]
        target = (question.document, question.page)
        ranks.append(pages.index(target) + 1 if target in pages else None)
    return metrics(ranks)


# ---------------------------------------------------------------- speed


def speed(args: argparse.Namespace, embedder: CachedPassages, pipeline: UkrainianPipeline) -> None:
    acts = write_acts(args.work / "acts")
    plan = args.work / f"speed-{args.chunks}.json"
    used = json.loads(plan.read_text())["files"] if plan.exists() else None
    folder = Hromada(Settings(store=str(args.work / f"speed-folder-{args.chunks}")), embedder, pipeline)  # type: ignore[arg-type]
    database = Hromada(
        Settings(store=args.address(f"speed_{args.chunks}")),
        embedder,
        pipeline,  # type: ignore[arg-type]
    )
    if used is None:
        used = fill(folder, acts, args.chunks)
        plan.write_text(json.dumps({"files": used}))
    fill(folder, acts[:used], 0)
    fill(database, acts[:used], 0)
    sizes = {name: app.stats()["chunks"] for name, app in (("folder", folder), ("postgresql", database))}
    print(
        f"stores: {used} acts, chunks {sizes}; {embedder.computed} passages embedded in this run", flush=True
    )

    queries = real_queries(args.queries, seed=6)
    backends = {"folder": folder, "postgresql": database}
    for app in backends.values():
        app.search("підвезення дітей до школи", K)  # models loaded, indexes opened
    timings: dict[tuple[str, str], list[float]] = {(b, m): [] for b in backends for m in MODES}
    recall: list[float] = []
    same_ids: list[float] = []
    print(f"{len(queries)} real queries, k = {K}, one at a time; {load_average()}", flush=True)
    for number, query in enumerate(queries):
        order = list(backends.items()) if number % 2 == 0 else list(backends.items())[::-1]
        for mode in MODES:
            for name, app in order:
                started = time.perf_counter()
                app.search(query, K, mode=mode)
                timings[name, mode].append((time.perf_counter() - started) * 1000)
        vector = embedder.embed_queries([query])[0]
        exact = folder.store().dense_search(vector, K)
        approximate = database.store().dense_search(vector, K)
        # Acts repeat whole articles word for word: a tie with the tenth exact hit is as near, whatever its id.
        tenth = exact[-1][1] - 1e-5
        recall.append(sum(similarity >= tenth for _, similarity in approximate) / len(exact))
        same_ids.append(len({i for i, _ in exact} & {i for i, _ in approximate}) / len(exact))
    print(f"\n{'backend':12} {'mode':8} {'p50 ms':>8} {'p95 ms':>8}   PostgreSQL / folder")
    for mode in MODES:
        for name in backends:
            values = timings[name, mode]
            ratio = ""
            if name == "postgresql":
                base = timings["folder", mode]
                ratio = (
                    f"   p50 x{statistics.median(values) / statistics.median(base):.2f}, "
                    f"p95 x{percentile(values, 0.95) / percentile(base, 0.95):.2f}"
                )
            print(
                f"{name:12} {mode:8} {statistics.median(values):8.1f} {percentile(values, 0.95):8.1f}{ratio}"
            )
    folder_type = folder.stats()["index_type"]
    print(
        f"\nPostgreSQL HNSW dense Recall@10 against the folder's {folder_type} search (exact when flat), ties with "
        f"the tenth counted: {statistics.fmean(recall):.3f} (same ids: {statistics.fmean(same_ids):.3f}); "
        f"{load_average()}"
    )


def write_acts(folder: Path) -> list[Path]:
    """Every act of the legislation export as one JSON file, in the export's order (written once)."""
    listing = folder / "order.txt"
    if not listing.exists():
        folder.mkdir(parents=True, exist_ok=True)
        names = []
        with gzip.open(LAWS, "rt", encoding="utf-8") as lines:
            for line in lines:
                act = json.loads(line)
                name = f"{act['id'].replace('/', '_')}.json"
                (folder / name).write_text(json.dumps(act, ensure_ascii=False), encoding="utf-8")
                names.append(name)
        listing.write_text("\n".join(names), encoding="utf-8")
    return [folder / name for name in listing.read_text(encoding="utf-8").splitlines()]


def fill(app: Hromada, acts: list[Path], chunks: int) -> int:
    """Index ``acts`` in order, a round of files at a time, until the store holds ``chunks`` chunks (all of them
    with 0); the number of acts used. Files already in are skipped quickly, so an interrupted fill resumes."""
    used = 0
    while used < len(acts):
        batch = acts[used : used + FILES_PER_ROUND]
        report = app.index(batch, IndexOptions(show_progress=False))
        used += len(batch)
        held = app.stats()["chunks"]
        if report.indexed:
            print(f"  {app.settings.store_address.shown}: {held} chunks after {used} acts", flush=True)
        if chunks and held >= chunks:
            break
    return used


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--part", choices=("quality", "speed", "both"), default="both")
    parser.add_argument("--chunks", type=int, default=100_000, help="chunks in each store of the speed part")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--pdfs", type=int, default=None, help="only the first N sports PDFs (a quick run)")
    parser.add_argument(
        "--postgres", help="a PostgreSQL server's address (default: one started from pgserver)"
    )
    parser.add_argument("--work", type=Path, default=WORK)
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    args.address = postgres_address(args.work, args.postgres)
    real = Embedder()
    embedder = CachedPassages(real, args.work / f"passages-{real.name.replace('/', '_')}.sqlite")
    pipeline = UkrainianPipeline()
    print(f"encoder backend {real.backend}; {load_average()}", flush=True)
    if args.part in ("quality", "both"):
        quality(args, embedder, pipeline)
    if args.part in ("speed", "both"):
        speed(args, embedder, pipeline)
    return 0


if __name__ == "__main__":
    sys.exit(main())
