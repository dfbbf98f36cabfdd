"""Load test: many concurrent clients against a local ``hromada serve`` over a realistic store.

Builds (once, cached in ``--store``) a store of at least 10,000 chunks — Kyiv 1551 citizens' appeals and acts
of the legislation export — starts ``hromada serve`` on 127.0.0.1, warms it up, then runs ``--clients``
concurrent clients for ``--seconds``. Each client loops over a mix of requests: searches (Ukrainian and
Russian questions of the kind residents ask), excerpts, ``GET /documents/{id}`` and, when the server has
them, problem queries (``GET /problems``). Prints requests/s, latency percentiles (p50, p95, p99) overall and
per kind of request, errors and 5xx answers; exits 1 if there was any error. Only 127.0.0.1 is contacted,
and the run is bounded in time and in number of requests.

The server is started with a rate limit high enough not to count: all clients share one address here, and
what is measured is the service, not the limiter.

    .venv/bin/python scripts/load_test.py [--clients 50] [--seconds 60] [--store ~/.cache/hromada/load-test-store]
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from service.hromada import Hromada
from service.settings import Settings

REPOSITORY = Path(__file__).resolve().parents[1]
DATA = REPOSITORY.parent / "shared" / "data"
APPEALS = DATA / "kyiv1551" / "requests-2013-04_2015-06.jsonl.gz"
LAWS = DATA / "legislation" / "ua-laws.jsonl.gz"
HOST = "127.0.0.1"
MIN_CHUNKS = 10_000
QUERIES = (
    "немає гарячої води",
    "відсутність опалення в квартирі",
    "ремонт дороги біля школи",
    "прибирання сміття у дворі",
    "не працює ліфт",
    "протікає дах будинку",
    "освітлення вулиці вночі",
    "незаконна забудова",
    "підвезення дітей до школи",
    "повноваження сільської ради",
    "бюджет громади на освіту",
    "земельна ділянка для будівництва",
    "тарифи на комунальні послуги",
    "громадський транспорт маршрутка",
    "обрізка дерев у дворі",
    "нет горячей воды",
    "не вывозят мусор",
    "шум от ремонта ночью",
    "звернення громадян строки розгляду",
    "доступ до публічної інформації",
)
MIX = (("search", 0.5), ("excerpts", 0.2), ("document", 0.2), ("problems", 0.1))


@dataclass
class Tally:
    """Latencies and failures of one kind of request."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    server_errors: int = 0
    examples: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- the store


def build_store(store: Path, appeals: int, acts: int) -> int:
    """Index a sample of appeals and acts into ``store`` unless it already holds enough; its chunk count."""
    if (store / "hromada.sqlite").exists():
        chunks = Hromada(Settings(store=store)).stats()["chunks"]
        if chunks >= MIN_CHUNKS:
            return chunks
    sources = store.parent / f"{store.name}-sources"
    sources.mkdir(parents=True, exist_ok=True)
    _write_sample(
        APPEALS, sources / "kyiv1551-appeals.jsonl", appeals, lambda record: bool(record.get("text"))
    )
    _write_sample(LAWS, sources / "ua-laws-sample.jsonl", acts, lambda act: 1 <= len(act["provisions"]) <= 30)
    print(f"indexing {sources} into {store} (once; later runs reuse it)", flush=True)
    subprocess.run(
        [sys.executable, "-m", "service.cli", "index", str(sources), "--store", str(store)],
        check=True,
        env={**os.environ, "PYTHONPATH": str(REPOSITORY)},
    )
    return Hromada(Settings(store=store)).stats()["chunks"]


def _write_sample(source: Path, target: Path, count: int, keep: Callable[[dict[str, Any]], bool]) -> None:
    if target.exists():
        return
    written = 0
    with gzip.open(source, "rt", encoding="utf-8") as lines, open(target, "w", encoding="utf-8") as out:
        for line in lines:
            if keep(json.loads(line)):
                out.write(line)
                written += 1
                if written == count:
                    break


# ---------------------------------------------------------------- the server


def start_server(store: Path, port: int) -> subprocess.Popen[bytes]:
    environment = {
        **os.environ,
        "PYTHONPATH": str(REPOSITORY),
        "HROMADA_RATE_LIMIT_PER_MINUTE": "100000000",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "service.cli",
            "serve",
            "--host",
            HOST,
            "--port",
            str(port),
            "--store",
            str(store),
        ],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_until_ready(base: str, server: subprocess.Popen[bytes], timeout: float = 600.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"the server exited with status {server.returncode}")
        try:
            if httpx.get(f"{base}/health", timeout=5).status_code == 200:
                # The first search loads the embedder: not part of what is measured.
                httpx.get(f"{base}/search", params={"q": QUERIES[0]}, timeout=timeout).raise_for_status()
                return
        except httpx.TransportError:
            pass
        time.sleep(1.0)
    sys.exit("the server did not become ready")


# ---------------------------------------------------------------- the clients


class Workload:
    """What the clients ask, chosen at random with a fixed seed."""

    def __init__(self, document_ids: list[int], has_problems: bool, seed: int) -> None:
        self.document_ids = document_ids
        self.kinds = [kind for kind, _ in MIX if kind != "problems" or has_problems]
        self.weights = [weight for kind, weight in MIX if kind in self.kinds]
        self.rng = random.Random(seed)

    def next_request(self) -> tuple[str, str, str, dict[str, object]]:
        """(kind, method, path, httpx arguments)."""
        kind = self.rng.choices(self.kinds, self.weights)[0]
        query = self.rng.choice(QUERIES)
        if kind == "search":
            mode = self.rng.choice(("hybrid", "hybrid", "dense", "lexical"))
            return kind, "GET", "/search", {"params": {"q": query, "k": 10, "mode": mode}}
        if kind == "excerpts":
            return kind, "POST", "/excerpts", {"json": {"query": query, "k": 5}}
        if kind == "document":
            return kind, "GET", f"/documents/{self.rng.choice(self.document_ids)}", {}
        return kind, "GET", "/problems", {}


async def client(
    http: httpx.AsyncClient, workload: Workload, deadline: float, budget: list[int], tallies: dict[str, Tally]
) -> None:
    while time.monotonic() < deadline and budget[0] > 0:
        budget[0] -= 1
        kind, method, path, arguments = workload.next_request()
        tally = tallies[kind]
        started = time.perf_counter()
        try:
            response = await http.request(method, path, **arguments)  # type: ignore[arg-type]
            failed = response.status_code >= 400
            tally.server_errors += response.status_code >= 500
            problem = f"{response.status_code} {response.text[:120]}"
        except httpx.HTTPError as error:
            failed, problem = True, f"{type(error).__name__}: {error}"
        tally.latencies.append(time.perf_counter() - started)
        if failed:
            tally.errors += 1
            if len(tally.examples) < 3:
                tally.examples.append(problem)


async def run_clients(
    base: str, clients: int, seconds: float, max_requests: int, workload: Workload
) -> tuple[dict[str, Tally], float]:
    tallies: dict[str, Tally] = defaultdict(Tally)
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=120.0, limits=limits) as http:
        started = time.monotonic()
        budget = [max_requests]
        await asyncio.gather(
            *(client(http, workload, started + seconds, budget, tallies) for _ in range(clients))
        )
        elapsed = time.monotonic() - started
    return tallies, elapsed


def percentile(values: list[float], share: float) -> float:
    return (
        statistics.quantiles(values, n=100, method="inclusive")[int(share * 100) - 1]
        if len(values) > 1
        else 0.0
    )


def print_report(tallies: dict[str, Tally], elapsed: float, clients: int) -> int:
    everything = Tally(
        latencies=[value for tally in tallies.values() for value in tally.latencies],
        errors=sum(tally.errors for tally in tallies.values()),
        server_errors=sum(tally.server_errors for tally in tallies.values()),
    )
    print(f"{clients} clients for {elapsed:.1f} s")
    print(
        f"{'kind':10} {'requests':>9} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7} {'5xx':>5}"
    )
    for kind, tally in [*sorted(tallies.items()), ("all", everything)]:
        latencies = tally.latencies
        print(
            f"{kind:10} {len(latencies):9} {len(latencies) / elapsed:7.1f} {1000 * percentile(latencies, 0.50):8.0f} "
            f"{1000 * percentile(latencies, 0.95):8.0f} {1000 * percentile(latencies, 0.99):8.0f} "
            f"{tally.errors:7} {tally.server_errors:5}"
        )
        for example in tally.examples:
            print(f"    e.g. {example}")
    return 1 if everything.errors else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--max-requests", type=int, default=100_000, help="stop after this many requests")
    parser.add_argument("--store", type=Path, default=Path.home() / ".cache" / "hromada" / "load-test-store")
    parser.add_argument("--appeals", type=int, default=10_000, help="appeals in the store when it is built")
    parser.add_argument(
        "--acts", type=int, default=200, help="acts of legislation in the store when it is built"
    )
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args()
    chunks = build_store(args.store, args.appeals, args.acts)
    print(f"store {args.store}: {chunks} chunks", flush=True)
    base = f"http://{HOST}:{args.port}"
    server = start_server(args.store, args.port)
    try:
        wait_until_ready(base, server)
        documents = httpx.get(f"{base}/documents", params={"limit": 1000}, timeout=60).json()["documents"]
        has_problems = "/problems" in httpx.get(f"{base}/openapi.json", timeout=60).json()["paths"]
        if not has_problems:
            print("note: the server has no GET /problems yet; the mix leaves problem queries out", flush=True)
        workload = Workload([document["id"] for document in documents], has_problems, args.seed)
        tallies, elapsed = asyncio.run(
            run_clients(base, args.clients, args.seconds, args.max_requests, workload)
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    return print_report(tallies, elapsed, args.clients)


if __name__ == "__main__":
    sys.exit(main())
