"""Embedding on Ray against embedding here: throughput of `hromada index`, and what N machines would give.

On one corpus (the first --acts acts of the law corpus, acts over --max-act-chars left out, as one JSONL file that
the indexer commits in batches of 512 chunks), in one run:

1. `hromada index`, embedding in its own process on every core;
2. `hromada index --ray ADDRESS` on a Ray cluster of one node with 2 CPUs (two workers of one CPU each);
3. the same on a cluster of two nodes of 1 CPU each (two raylets on this machine);
   for 2 and 3 also each node's passages and the seconds its workers computed, from their own timings;
4. the driver alone: the same index run with a stand-in embedder that returns unit vectors at once, so that only
   reading, normalising, chunking, lemmatising, counting tokens, classifying and writing remain: the ceiling that
   the one driver (and its single writer) puts on a cluster of any size;
5. embedding alone: the passages of 4 in the indexer's calls of 128, here and through the Ray embedder on each
   cluster (workers started beforehand); on the two-node cluster also through Ray Data (`map_batches` with an actor
   pool over the whole list at once, its best case): the design alternative to hromada's pool of actors.

Then the rate of one node (5, the node of 2 CPUs) and, EXTRAPOLATED (not measured), N such machines:
min(N x node rate, driver ceiling). That assumes separate machines (here the nodes and the driver share two cores),
a network that carries texts and vectors without becoming the limit, and one driver that reads, chunks and writes.

Speeds depend on the machine's load: the 1-minute load average is printed after each figure. Ratios between the
runs of one invocation are the steadiest figures.

    .venv/bin/python -m scripts.bench.ray_embedding [--acts 200] [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
LAWS = Path("legislation") / "ua-laws.jsonl.gz"
PIECE_LOG = re.compile(r"embedded (\d+) passages on Ray node (.+?) in ([\d.]+) s")
EXTRAPOLATED_NODES = (1, 2, 4, 8, 16, 32)


@dataclass
class Measured:
    """One timed run: chunks and tokens, the run's own seconds, the wall seconds with start-up, the load after."""

    what: str
    chunks: int
    tokens: int
    seconds: float
    wall: float
    load: float = field(default_factory=lambda: os.getloadavg()[0])
    nodes: dict[str, tuple[int, float]] = field(default_factory=dict)
    """Ray node -> (passages, seconds its workers computed)."""

    def line(self) -> str:
        return (
            f"  {self.what:44} {self.chunks / self.seconds:8.1f} chunks/s {self.tokens / self.seconds:8.0f} tokens/s"
            f"  ({self.seconds:6.1f} s; wall {self.wall:6.1f} s; load {self.load:.1f})"
        )


def write_corpus(laws: Path, folder: Path, acts: int, max_act_chars: int) -> Path:
    """The first ``acts`` acts of no more than ``max_act_chars`` characters of text, as one JSONL file."""
    folder.mkdir(parents=True)
    written = 0
    with (
        gzip.open(laws, "rt", encoding="utf-8") as source,
        gzip.open(folder / "laws.jsonl.gz", "wt") as target,
    ):
        for line in source:
            act = json.loads(line)
            if sum(len(provision.get("content") or "") for provision in act["provisions"]) > max_act_chars:
                continue  # a code of law can outweigh a hundred acts: keep the corpus made of many
            target.write(line)
            written += 1
            if written == acts:
                break
    return folder


def index_command(what: str, corpus: Path, store: Path, ray_address: str | None = None) -> Measured:
    """`hromada index` in a process of its own, as a user runs it (at this process's priority)."""
    command = [
        sys.executable,
        "-m",
        "service.cli",
        "-v",
        "index",
        str(corpus),
        "--store",
        str(store),
        "--json",
    ]
    command += ["--ray", ray_address] if ray_address else []
    started = time.perf_counter()
    result = subprocess.run(
        command, capture_output=True, text=True, env={**os.environ, "HROMADA_INDEX_NICENESS": "0"}
    )
    wall = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{what} failed:\n{result.stderr[-3000:]}")
    report = json.loads(result.stdout)
    nodes: dict[str, tuple[int, float]] = {}
    for count, node, seconds in PIECE_LOG.findall(result.stderr):
        passages, busy = nodes.get(node, (0, 0.0))
        nodes[node] = (passages + int(count), busy + float(seconds))
    return Measured(what, report["chunks"], report["tokens"], report["seconds"], wall, nodes=nodes)


class InstantEmbedder:
    """A stand-in with no model: unit vectors at once, tokens counted as the real embedders count them. It keeps
    the passages it was given, so that embedding alone can be measured on exactly them."""

    def __init__(self, model_dir: Path) -> None:
        from models.e5_model_folder import MAX_SEQ_LENGTH, PROMPTS
        from models.e5_preparation import MODEL_NAME
        from models.encoders import EMBEDDING_DIMENSION
        from models.token_batches import PromptTokenizer

        self.name, self.dimension, self.backend = MODEL_NAME, EMBEDDING_DIMENSION, "stand-in"
        self._tokenizer = PromptTokenizer(model_dir / "tokenizer.json", MAX_SEQ_LENGTH)
        self._prompt = PROMPTS["passage"]
        self.passages: list[str] = []

    def embed_passages(
        self, texts: Sequence[str], show_progress: bool = False, threads: int | None = None
    ) -> np.ndarray:
        self.passages.extend(texts)
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        vectors[:, 0] = 1.0
        return vectors

    def count_tokens(self, texts: Sequence[str]) -> int:
        return self._tokenizer.count(texts, self._prompt)


def driver_alone(corpus: Path, store: Path, model_dir: Path) -> tuple[Measured, list[str]]:
    from indexing.indexer import IndexOptions
    from service.hromada import Hromada
    from service.settings import Settings

    embedder = InstantEmbedder(model_dir)
    hromada = Hromada(Settings(store=store), embedder=embedder)  # type: ignore[arg-type]
    started = time.perf_counter()
    report = hromada.index([corpus], IndexOptions(show_progress=False))
    wall = time.perf_counter() - started
    hromada.close()
    what = "driver alone (stand-in embedder, no model)"
    return Measured(what, report.chunks, report.tokens, report.seconds, wall), embedder.passages


def embedding_alone(what: str, embed: object, passages: list[str], tokens: int, started: float) -> Measured:
    """``embed`` over ``passages`` in the indexer's calls; ``started``: when its start-up began (for the wall)."""
    from indexing.indexer import EMBED_SLICE

    begun = time.perf_counter()
    for start in range(0, len(passages), EMBED_SLICE):
        embed.embed_passages(passages[start : start + EMBED_SLICE])  # type: ignore[attr-defined]
    finished = time.perf_counter()
    return Measured(what, len(passages), tokens, finished - begun, finished - started)


@contextmanager
def local_cluster(nodes: int, cpus: int) -> Iterator[str]:
    """A Ray cluster of ``nodes`` raylets with ``cpus`` CPUs each, on this machine; yields its address."""
    from ray.cluster_utils import Cluster

    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": cpus, "include_dashboard": False})
    try:
        for _ in range(nodes - 1):
            cluster.add_node(num_cpus=cpus)
        yield cluster.address
    finally:
        cluster.shutdown()


@dataclass
class ClusterRuns:
    """What one local cluster measured."""

    index: Measured
    alone: Measured
    ray_data: Measured | None


def on_cluster(
    nodes: int, cpus: int, corpus: Path, work: Path, passages: list[str], tokens: int, model_dir: Path
) -> ClusterRuns:
    """`hromada index --ray` and embedding alone on one local cluster (and Ray Data beside it on several nodes)."""
    from models.ray_cluster import RayOptions, joined_cluster
    from models.ray_embedder import RayEmbedder

    shape = f"{nodes} node{'s' if nodes > 1 else ''} x {cpus} CPU{'s' if cpus > 1 else ''}"
    with local_cluster(nodes, cpus) as address:
        index = index_command(
            f"hromada index --ray, {shape}", corpus, work / f"store-{nodes}x{cpus}", address
        )
        options = RayOptions(address)
        with joined_cluster(options):
            started = time.perf_counter()
            with RayEmbedder.start(options, model_dir, "auto", 32) as embedder:
                alone = embedding_alone(f"embedding alone, Ray {shape}", embedder, passages, tokens, started)
                alone.nodes = {
                    node: (count, embedder.seconds_by_node[node])
                    for node, count in embedder.passages_by_node.items()
                }
                backend = embedder.backend
            ray_data = None
            if nodes > 1:
                what = f"embedding alone, Ray Data {shape}"
                ray_data = ray_data_embedding(what, passages, tokens, model_dir, backend, nodes * cpus)
    return ClusterRuns(index, alone, ray_data)


class RayDataEmbedding:
    """Ray Data's actor for `map_batches`: hromada's embedding worker, loaded once per actor."""

    def __init__(self, model: object) -> None:
        from models.ray_embedder import EmbeddingWorker

        self._worker = EmbeddingWorker(model)  # type: ignore[arg-type]
        self._worker.load()

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        return {"vector": self._worker.embed(list(batch["text"])).vectors}


def ray_data_embedding(
    what: str, passages: list[str], tokens: int, model_dir: Path, backend: str, workers: int
) -> Measured:
    """Ray Data over the whole list at once (its best case: one pipeline, no calls from an indexer)."""
    import ray.data

    from indexing.indexer import EMBED_SLICE
    from models.ray_embedder import WorkerModel

    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False
    context.print_on_execution_start = False
    context.execution_options.preserve_order = True
    model = WorkerModel(str(model_dir.absolute()), backend, 1, 32)
    started = time.perf_counter()
    dataset = ray.data.from_items([{"text": text} for text in passages]).map_batches(
        RayDataEmbedding,
        fn_constructor_kwargs={"model": model},
        compute=ray.data.ActorPoolStrategy(size=workers),
        batch_size=EMBED_SLICE,
        num_cpus=1,
    )
    count = sum(len(batch["vector"]) for batch in dataset.iter_batches(batch_size=None, batch_format="numpy"))
    seconds = time.perf_counter() - started
    if count != len(passages):
        raise SystemExit(f"Ray Data returned {count} vectors for {len(passages)} passages")
    # Its actors start inside the pipeline, so its seconds include loading the model (the wall says the same).
    return Measured(what + " (incl. its actors' start)", count, tokens, seconds, seconds)


def print_nodes(run: Measured) -> None:
    for node, (passages, busy) in sorted(run.nodes.items()):
        print(
            f"      node {node}: {passages} passages, its workers computed {busy:.1f} s of the run's {run.seconds:.1f} s"
        )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DATA, help="the shared data folder")
    parser.add_argument("--acts", type=int, default=200, help="acts of the law corpus to index")
    parser.add_argument("--max-act-chars", type=int, default=60_000, help="longer acts are left out")
    args = parser.parse_args()
    # Set before Ray is imported; a short folder of our own: Ray's socket paths must fit in 107 characters.
    ray_temp = Path(tempfile.mkdtemp(prefix="hromada-ray-bench-", dir="/tmp"))
    os.environ.update(RAY_TMPDIR=str(ray_temp), RAY_USAGE_STATS_ENABLED="0")
    try:
        with tempfile.TemporaryDirectory(prefix="hromada-ray-bench-") as work:
            return run(args, Path(work))
    finally:
        shutil.rmtree(ray_temp, ignore_errors=True)


def run(args: argparse.Namespace, work: Path) -> int:
    from models.backend_choice import chosen_backend
    from models.e5_preparation import default_model_dir
    from models.embedder import Embedder

    model_dir = default_model_dir()
    corpus = write_corpus(args.data / LAWS, work / "corpus", args.acts, args.max_act_chars)
    print(
        f"Ray embedding benchmark: {args.acts} acts of the law corpus (one JSONL file); {os.cpu_count()} cores; "
        f"backend {chosen_backend(model_dir, 'auto')}; load before {os.getloadavg()[0]:.1f}"
    )
    print(
        "\n`hromada index`, whole runs (chunks/s and tokens/s over the run's own seconds; wall adds start-up):"
    )
    local = index_command("hromada index (here, every core)", corpus, work / "store-local")
    print(local.line())
    driver, passages = driver_alone(corpus, work / "store-driver", model_dir)
    tokens = driver.tokens
    clusters = [on_cluster(n, c, corpus, work, passages, tokens, model_dir) for n, c in ((1, 2), (2, 1))]
    for cluster in clusters:
        print(cluster.index.line())
        print_nodes(cluster.index)
    print(driver.line())
    runs = [local, driver, *(cluster.index for cluster in clusters)]
    same = len({(measured.chunks, measured.tokens) for measured in runs}) == 1
    print(
        f"  every run: {local.chunks} chunks, {local.tokens} tokens{'' if same else ' -- NOT THE SAME IN ALL RUNS'}"
    )

    print(f"\nembedding alone, {len(passages)} passages in calls of 128 (wall adds the workers' start):")
    started = time.perf_counter()
    here = embedding_alone(
        "embedding alone, here (every core)", Embedder(model_dir), passages, tokens, started
    )
    print(here.line())
    for cluster in clusters:
        print(cluster.alone.line())
        print_nodes(cluster.alone)
        if cluster.ray_data is not None:
            print(cluster.ray_data.line())

    node_rate = clusters[0].alone.tokens / clusters[0].alone.seconds
    small_node_rate = clusters[1].alone.tokens / clusters[1].alone.seconds / 2
    ceiling = driver.tokens / driver.seconds
    per_chunk = driver.tokens / driver.chunks
    print(
        f"\nper node, embedding alone on Ray: {node_rate:.0f} tokens/s on one node of 2 CPUs, "
        f"{small_node_rate:.0f} tokens/s on each of two nodes of 1 CPU (sharing this machine's cores)"
    )
    print(f"driver ceiling: {ceiling:.0f} tokens/s ({ceiling / per_chunk:.0f} chunks/s)")
    print("EXTRAPOLATED to N such machines, min(N x node rate, driver ceiling), not measured:")
    for nodes in EXTRAPOLATED_NODES:
        rate = min(nodes * node_rate, ceiling)
        limit = (
            "the driver (reading, chunking, lemmatising, the single writer)"
            if rate == ceiling
            else "embedding"
        )
        print(f"  N = {nodes:2}: {rate:8.0f} tokens/s {rate / per_chunk:7.0f} chunks/s   limited by {limit}")
    print(f"load after: {' / '.join(f'{figure:.1f}' for figure in os.getloadavg())}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
