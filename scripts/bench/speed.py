"""Speed side by side: hromada against bare sentence-transformers and txtai, on the same texts and model folder.

1. Indexing: hromada indexes a slice of the law corpus and of the Kyiv appeals end to end (read, chunk, lemmatise,
   embed, write); then the same passages are embedded by hromada's embedder (its chosen backend), by
   sentence-transformers in float32, and indexed by txtai pointed at the same prepared model folder.
   Printed: tokens/s of wall time and tokens per CPU-second (steadier on a shared machine), and the ratios.
2. Agreement: cosine of hromada's vectors to float32's, and the top-10 neighbours kept (the retrieval quality
   gate itself is ``scripts/bench/retrieval.py --compare-backends``).
3. Search: hromada's hybrid and dense search against txtai's hybrid and dense search, p50/p95 per query.
4. HTTP (``--clients N``): ``hromada serve`` on the store, N clients searching for ``--seconds``: searches/s,
   p50/p95, errors.

    .venv/bin/python -m scripts.bench.speed [--law-bytes 3000000] [--appeals 600] [--queries 200] [--clients 32]

txtai is a benchmark-only extra (``pip install -e '.[bench]'``). Speed figures depend on the load: the script prints
``os.getloadavg()`` beside them.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from indexing.indexer import IndexOptions
from models.e5_model_folder import PROMPTS
from models.e5_preparation import default_model_dir, load_sentence_transformer
from service.hromada import Hromada
from service.settings import Settings

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
LAWS = Path("legislation") / "ua-laws.jsonl.gz"
APPEALS = Path("kyiv1551") / "bench-uk-top20x150.jsonl"
K = 10


@dataclass
class Timing:
    """One timed run: wall seconds and CPU seconds of this process."""

    wall: float
    cpu: float

    @classmethod
    def of(cls, work: Callable[[], object]) -> tuple[Timing, object]:
        wall, cpu = time.perf_counter(), time.process_time()
        result = work()
        return cls(time.perf_counter() - wall, time.process_time() - cpu), result


def load() -> str:
    return "load average " + " / ".join(f"{figure:.1f}" for figure in os.getloadavg())


def p95(milliseconds: Sequence[float]) -> float:
    ordered = sorted(milliseconds)
    return ordered[round(0.95 * (len(ordered) - 1))]


def percentiles(milliseconds: Sequence[float]) -> str:
    return f"p50 {statistics.median(milliseconds):7.1f} ms  p95 {p95(milliseconds):7.1f} ms"


def write_corpus(data: Path, folder: Path, law_bytes: int, appeals: int) -> list[str]:
    """Acts from the start of the law corpus up to ``law_bytes`` of JSON, and ``appeals`` appeals, as files hromada
    indexes; returns queries made from the appeals held out."""
    folder.mkdir(parents=True)
    with (
        gzip.open(data / LAWS, "rt", encoding="utf-8") as source,
        gzip.open(folder / "laws.jsonl.gz", "wt", encoding="utf-8") as target,
    ):
        written = 0
        for line in source:
            if written + len(line) > law_bytes:
                continue  # one code of law can outweigh a hundred small acts: skip it, keep filling
            target.write(line)
            written += len(line)
            if written > 0.95 * law_bytes:
                break
    lines = (data / APPEALS).read_text(encoding="utf-8").splitlines()
    (folder / "appeals.jsonl").write_text("\n".join(lines[:appeals]) + "\n", encoding="utf-8")
    held_out = [json.loads(line) for line in lines[appeals:]]
    # A query is how a person would put a held-out appeal: its first dozen words.
    return [" ".join(str(record.get("text", "")).split()[:12]) for record in held_out if record.get("text")]


def top_k_overlap(queries: np.ndarray, fast: np.ndarray, reference: np.ndarray) -> float:
    """Mean share of the top-K neighbours by float32 vectors that the fast vectors find too."""
    overlaps = []
    for query_fast, query_reference in zip(queries[0], queries[1], strict=True):
        found = set(np.argsort(-(fast @ query_fast))[:K])
        expected = set(np.argsort(-(reference @ query_reference))[:K])
        overlaps.append(len(found & expected) / K)
    return float(np.mean(overlaps))


def txtai_index(model_dir: Path, passages: Sequence[str], hybrid: bool) -> object:
    from txtai import Embeddings

    embeddings = Embeddings(
        path=str(model_dir),
        method="sentence-transformers",
        instructions={"query": PROMPTS["query"], "data": PROMPTS["passage"]},
        content=True,
        hybrid=hybrid,
    )
    embeddings.index([(number, text, None) for number, text in enumerate(passages)])
    return embeddings


def timed_queries(search: Callable[[str], object], queries: Sequence[str]) -> list[float]:
    search(queries[0])  # warm
    milliseconds = []
    for query in queries:
        started = time.perf_counter()
        search(query)
        milliseconds.append((time.perf_counter() - started) * 1000)
    return milliseconds


def serve_and_load(store: Path, queries: Sequence[str], clients: int, seconds: float) -> None:
    """Start ``hromada serve`` on the store and let ``clients`` threads search it for ``seconds``."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # The rate limit counts requests per client, and every client here shares one address: lift it, as
    # scripts/load_test.py does, so that the service is measured and not the limiter.
    environment = {
        **os.environ,
        "HROMADA_STORE": str(store),
        "PYTHONPATH": str(Path.cwd()),
        "HROMADA_RATE_LIMIT_PER_MINUTE": "100000000",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve", "--port", str(port)],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        started = time.perf_counter()
        while not _ready(base):
            if server.poll() is not None:
                raise RuntimeError("hromada serve exited before it was ready")
            time.sleep(0.1)
        print(f"serve: /health ready after {time.perf_counter() - started:.1f} s")
        latencies: list[float] = []
        errors: Counter[str] = Counter()
        deadline = time.perf_counter() + seconds

        def client(number: int) -> None:
            turn = number
            while time.perf_counter() < deadline:
                query = urllib.parse.quote(queries[turn % len(queries)])
                turn += clients
                began = time.perf_counter()
                try:
                    with urllib.request.urlopen(f"{base}/search?q={query}&k=10", timeout=30) as response:
                        response.read()
                except OSError as error:
                    errors[str(error)[:80]] += 1
                    continue
                latencies.append((time.perf_counter() - began) * 1000)

        threads = [threading.Thread(target=client, args=(number,)) for number in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        print(
            f"HTTP, {clients} clients, {seconds:.0f} s: {len(latencies) / seconds:.1f} searches/s, "
            f"{percentiles(latencies)}, errors {errors.total()} ({load()})"
        )
        for error, count in errors.most_common(3):
            print(f"  {count} × {error}")
    finally:
        server.terminate()
        server.wait(timeout=30)


def _ready(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DATA, help="the shared data folder")
    parser.add_argument(
        "--law-bytes", type=int, default=3_000_000, help="JSON of acts taken from the law corpus"
    )
    parser.add_argument(
        "--appeals", type=int, default=600, help="Kyiv appeals indexed; the rest become queries"
    )
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--clients", type=int, default=0, help="also load-test hromada serve with N clients")
    parser.add_argument("--seconds", type=float, default=30.0, help="length of the HTTP load test")
    parser.add_argument(
        "--no-txtai", action="store_true", help="skip txtai (when the bench extra is not installed)"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="hromada-speed-") as work:
        return run(args, Path(work))


def run(args: argparse.Namespace, work: Path) -> int:
    """Every measurement, in a work folder that holds the corpus and the store."""
    queries = write_corpus(args.data, work / "corpus", args.law_bytes, args.appeals)[: args.queries]
    hromada = Hromada(Settings(store=work / "store"))
    print(f"hromada backend: {hromada.embed_backend()}; {os.cpu_count()} cores; {load()}")

    report = hromada.index([work / "corpus"], IndexOptions(show_progress=False))
    print(
        f"hromada index (read, chunk, lemmatise, embed, write): {report.chunks} chunks, {report.tokens} tokens "
        f"in {report.seconds:.1f} s = {report.tokens / report.seconds:.0f} tokens/s ({load()})"
    )
    store = hromada.store()
    passages = [chunk.text for chunk in store.iter_chunks()]
    embedder = hromada.embedder
    tokens = embedder.count_tokens(passages)

    rows: dict[str, Timing] = {}
    rows["hromada"], fast = Timing.of(lambda: embedder.embed_passages(passages))
    model = load_sentence_transformer(default_model_dir())
    rows["sentence-transformers fp32"], reference = Timing.of(
        lambda: model.encode(passages, prompt=PROMPTS["passage"], batch_size=32, normalize_embeddings=True)
    )
    txtai = None
    if not args.no_txtai:
        rows["txtai"], txtai = Timing.of(lambda: txtai_index(default_model_dir(), passages, hybrid=True))
    print(f"\nembedding the same {len(passages)} passages ({tokens} tokens; {load()}):")
    for name, timing in rows.items():
        print(
            f"  {name:28} {timing.wall:7.1f} s  {tokens / timing.wall:7.0f} tokens/s  "
            f"{tokens / timing.cpu:7.0f} tokens/CPU-s"
        )
    for name in rows.keys() - {"hromada"}:
        print(
            f"  hromada / {name}: {rows[name].wall / rows['hromada'].wall:.2f}× wall, "
            f"{rows[name].cpu / rows['hromada'].cpu:.2f}× CPU"
        )

    fast_vectors, reference_vectors = np.asarray(fast), np.asarray(reference)
    cosines = np.sum(fast_vectors * reference_vectors, axis=1)
    query_vectors = (
        embedder.embed_queries(queries),
        model.encode(queries, prompt=PROMPTS["query"], normalize_embeddings=True),
    )
    print(
        f"\nagreement with fp32: cosine mean {cosines.mean():.5f}, min {cosines.min():.5f}; top-{K} neighbours "
        f"kept {top_k_overlap(query_vectors, fast_vectors, reference_vectors):.3f}"
    )

    query_tokens = embedder.count_tokens(queries) / len(queries)
    print(
        f"\nsearch, {len(queries)} queries ({query_tokens:.0f} tokens each on average), k = {K} ({load()}):"
    )
    searches: dict[str, list[float]] = {}
    # The floor under hromada's search: its query's vector, on the one thread a query gets.
    searches["hromada query embedding alone"] = timed_queries(
        lambda query: embedder.embed_queries([query]), queries
    )
    for mode in ("hybrid", "dense"):
        searches[f"hromada {mode}"] = timed_queries(
            lambda query, mode=mode: hromada.search(query, K, mode=mode), queries
        )
    if txtai is not None:
        searches["txtai hybrid"] = timed_queries(lambda query: txtai.search(query, K), queries)  # type: ignore[attr-defined]
        searches["txtai dense"] = timed_queries(
            lambda query: txtai.search(query, K, weights=1.0),  # type: ignore[attr-defined]
            queries,
        )
    for name, milliseconds in searches.items():
        print(f"  {name:30} {percentiles(milliseconds)}")
    if txtai is not None:
        tail = {name: p95(found) for name, found in searches.items()}
        for mode in ("hybrid", "dense"):
            print(
                f"  {mode}: hromada p95 / txtai p95 = {tail[f'hromada {mode}'] / tail[f'txtai {mode}']:.2f}"
            )
        floor = tail["hromada query embedding alone"] / tail["txtai hybrid"]
        print(f"  hromada's query embedding alone p95 / txtai hybrid p95 = {floor:.2f}")

    hromada.close()
    if args.clients:
        serve_and_load(work / "store", queries, args.clients, args.seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
