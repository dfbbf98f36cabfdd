"""Readers and writers at once: searches keep answering consistently while another process indexes, and two
writers serialise or the second is told the store is busy — never a damaged store."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from indexing.errors import StoreBusyError
from models.embedder import Embedder
from models.ukrainian_pipeline import UkrainianPipeline
from service.api import create_app
from service.hromada import Hromada
from service.search_types import SearchFilters
from service.settings import Settings

REPOSITORY = Path(__file__).resolve().parents[1]
HOLD_SECONDS = 6.0
# A second process that opens the store, starts a write and keeps it open for a while.
WRITE_HOLDER = """
import sys, time
from indexing.store import open_store
store = open_store(sys.argv[1])
with store.write() as writer:
    writer.delete_document(int(sys.argv[2]))
    print("holding", flush=True)
    time.sleep(float(sys.argv[3]))
"""


def environment() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPOSITORY)}


@pytest.fixture
def appeals_store(
    tmp_path: Path, corpus: Path, embedder: Embedder, ukrainian_pipeline: UkrainianPipeline
) -> Hromada:
    """A store of the 32 sample appeals, of this test's own."""
    hromada = Hromada(Settings(store=tmp_path / "store"), embedder=embedder, pipeline=ukrainian_pipeline)
    report = hromada.index([corpus / "appeals"])
    assert report.documents == 32 and not report.failed
    return hromada


def assert_citations_hold(hromada: Hromada, query: str) -> None:
    for hit in hromada.search(query, k=5):
        assert hromada.document(hit.doc_id).text[hit.start : hit.end] == hit.text


@pytest.mark.slow
def test_searches_stay_consistent_while_another_process_indexes(
    appeals_store: Hromada, corpus: Path, tmp_path: Path
) -> None:
    incoming = tmp_path / "incoming"
    shutil.copytree(corpus / "transcripts", incoming / "transcripts")
    shutil.copytree(corpus / "proposals", incoming / "proposals")
    shutil.copy(corpus / "law-280-97.json", incoming)
    appeals_only = SearchFilters(kind="appeal")
    baseline = [hit.chunk_id for hit in appeals_store.search("немає води", k=5, filters=appeals_only)]
    writer = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "service.cli",
            "index",
            str(incoming),
            "--store",
            str(appeals_store.settings.store),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=environment(),
    )
    documents_seen = []
    searches = 0
    while writer.poll() is None:
        # The appeals are not being written: their ranking must not move while the other files come in.
        assert [h.chunk_id for h in appeals_store.search("немає води", k=5, filters=appeals_only)] == baseline
        assert_citations_hold(appeals_store, "повноваження сільської ради щодо шкільного автобуса")
        documents_seen.append(appeals_store.stats()["documents"])
        searches += 1
    assert writer.returncode == 0, writer.stderr.read().decode() if writer.stderr else ""
    assert documents_seen == sorted(documents_seen), "a search saw documents disappear"
    assert len(set(documents_seen)) >= 2, f"the searches did not overlap the writes ({searches} searches)"
    law_hits = appeals_store.search(
        "виключна компетенція сільських рад", k=3, filters=SearchFilters(kind="legislation")
    )
    assert law_hits and all(hit.kind == "legislation" for hit in law_hits)
    assert appeals_store.check() == []


@pytest.mark.slow  # the other writer holds the store for HOLD_SECONDS
def test_a_second_writer_waits_or_is_told_the_store_is_busy(
    appeals_store: Hromada, embedder: Embedder, ukrainian_pipeline: UkrainianPipeline
) -> None:
    store = appeals_store.settings.store
    first, second, third = (d["id"] for d in appeals_store.store().documents()[:3])
    holder = subprocess.Popen(
        [sys.executable, "-c", WRITE_HOLDER, str(store), str(first), str(HOLD_SECONDS)],
        stdout=subprocess.PIPE,
        text=True,
        env=environment(),
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
    held_since = time.monotonic()

    impatient = Hromada(
        Settings(store=store, busy_timeout=0.5), embedder=embedder, pipeline=ukrainian_pipeline
    )
    with pytest.raises(StoreBusyError, match="busy: another process is writing"):
        impatient.delete(second)
    refused = TestClient(create_app(impatient)).delete(f"/documents/{second}")
    assert refused.status_code == 409 and "busy" in refused.json()["detail"]
    assert str(store) not in refused.text

    patient = Hromada(Settings(store=store, busy_timeout=60), embedder=embedder, pipeline=ukrainian_pipeline)
    patient.delete(third)  # waits for the holder to commit, then writes: the two writes serialise
    assert time.monotonic() - held_since >= HOLD_SECONDS - 0.5
    assert holder.wait(timeout=60) == 0
    remaining = {d["id"] for d in patient.store().documents()}
    assert first not in remaining and third not in remaining and second in remaining
    assert len(remaining) == 30 and patient.check() == []
    assert_citations_hold(patient, "ремонт дороги")


def thread_niceness(native_id: int | None = None) -> int:
    return os.getpriority(os.PRIO_PROCESS, native_id or threading.get_native_id())


def test_a_served_batch_is_computed_at_a_lower_priority_and_searches_keep_theirs(
    appeals_store: Hromada,
) -> None:
    served = Hromada(
        appeals_store.settings.model_copy(update={"served_batch_niceness": 5}),
        appeals_store.embedder,
        appeals_store.pipeline,
    )
    own = thread_niceness()

    assert served.in_background(thread_niceness) == min(19, own + 5)
    assert thread_niceness() == own, "the caller's thread keeps its priority"
    with pytest.raises(ZeroDivisionError):
        served.in_background(lambda: 1 / 0)
    client = TestClient(create_app(served))
    assigned = client.post("/problems/assign", json={"items": [{"id": "n-1", "text": "Немає гарячої води"}]})
    assert assigned.status_code == 200, assigned.text
    assert client.get("/search", params={"q": "немає гарячої води"}).json()["hits"]
    queries = [thread for thread in threading.enumerate() if thread.name == "query-embedding"]
    assert queries and {thread_niceness(thread.native_id) for thread in queries} == {own}, (
        "queries are embedded at the server's priority"
    )


# ---------------------------------------------------------------- a large assignment while others read and write

KYIV_APPEALS = Path("/work/shared/data/kyiv1551/requests-2013-04_2015-06.jsonl.gz")
ASSIGNED_ITEMS = int(os.environ.get("HROMADA_TEST_ASSIGNED_ITEMS", "5000"))
"""The issue asks for 5,000; a smaller number gives the same comparison sooner on a busy machine."""
P50_SLOWDOWN_BOUND = 2.0
"""How much slower a typical search may get while a batch is assigned and another process indexes (issue 10: 2×).
The batch is computed on a thread 10 nice steps below the server's (``Hromada.in_background``) and ``index`` adds
10 to its nice value. On 2 vCPUs with other work on the machine (load 4-8), a server at normal priority kept p50
within 0.9-1.8× of idle in every run so far (with the batch at the server's priority: 1.5-2.1×)."""
P95_BOUND_MS = 250.0
"""The slowest searches' bound while another process indexes (issue 11: p95 ≤ 250 ms over HTTP). A bound relative
to an idle p95 of ~25 ms is noise-bound: one CI run measured 2.65× (68 ms) with p50 at 1.8×, on an otherwise idle
machine, because both cores are then busy and a query's embedding waits for a core now and then. A blocked search
would wait for the whole assignment (tens of seconds), far beyond either bound."""
SEARCH_PAUSE = 0.2
"""Seconds between searches: people searching, not a loop that would take a core of its own."""
SEARCHES = [
    "немає гарячої води",
    "ремонт дороги біля школи",
    "шкільний автобус для підвезення учнів",
    "не працює вуличне освітлення",
    "повноваження сільської ради",
]


def kyiv_appeals(count: int) -> list[dict[str, str]]:
    """The first ``count`` Kyiv 1551 appeals with a text, as batch records (id, text, date)."""
    records: list[dict[str, str]] = []
    with gzip.open(KYIV_APPEALS, "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            if record.get("text", "").strip():
                records.append({"id": record["id"], "text": record["text"], "date": record["date"]})
            if len(records) == count:
                break
    return records


def timed_search(client: TestClient, query: str) -> float:
    """Seconds one search over HTTP took; then a pause before the next."""
    started = time.perf_counter()
    response = client.get("/search", params={"q": query, "k": 5})
    seconds = time.perf_counter() - started
    assert response.status_code == 200, response.text
    assert response.json()["hits"], f"no hits for {query!r}"
    time.sleep(SEARCH_PAUSE)
    return seconds


def percentiles(seconds: list[float]) -> tuple[float, float]:
    """p50 and p95 in milliseconds."""
    p50, p95 = np.percentile(np.asarray(seconds) * 1000, [50, 95])
    return float(p50), float(p95)


@pytest.mark.slow
@pytest.mark.skipif(not KYIV_APPEALS.exists(), reason="the Kyiv 1551 appeals are not in ../shared/data")
def test_a_large_assignment_blocks_neither_searches_nor_another_indexer(
    corpus: Path,
    tmp_path: Path,
    embedder: Embedder,
    ukrainian_pipeline: UkrainianPipeline,
    measurements: list[str],
) -> None:
    settings = Settings(store=tmp_path / "store", max_request_bytes=50_000_000)
    served = Hromada(settings, embedder=embedder, pipeline=ukrainian_pipeline)
    assert not served.index([corpus / "appeals", corpus / "law-280-97.json"]).failed
    incoming = tmp_path / "incoming"
    shutil.copytree(corpus / "transcripts", incoming / "transcripts")
    shutil.copytree(corpus / "proposals", incoming / "proposals")
    batch = kyiv_appeals(ASSIGNED_ITEMS)
    assert len(batch) == ASSIGNED_ITEMS

    with TestClient(create_app(served)) as client:
        for query in SEARCHES:  # warm: the first search loads what searches need
            timed_search(client, query)
        idle = [timed_search(client, query) for _ in range(24) for query in SEARCHES]

        with ThreadPoolExecutor(max_workers=1) as pool:
            assignment = pool.submit(client.post, "/problems/assign", json={"items": batch})
            indexer = subprocess.Popen(
                [sys.executable, "-m", "service.cli", "index", str(incoming), "--store", str(settings.store)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
                env=environment(),
            )
            during: list[float] = []
            while not assignment.done():
                during.append(timed_search(client, SEARCHES[len(during) % len(SEARCHES)]))
            response = assignment.result()
        _, indexer_errors = indexer.communicate(timeout=600)

    assert response.status_code == 200, response.text
    report = response.json()
    assert len(report["assignments"]) == ASSIGNED_ITEMS and report["problems"]
    assert indexer.returncode == 0 and "busy" not in indexer_errors, indexer_errors
    assert served.stats()["documents"] > 10, "the other process's documents are in"
    assert served.check() == []
    (idle_p50, idle_p95), (during_p50, during_p95) = percentiles(idle), percentiles(during)
    measurements.append(
        f"search over HTTP, idle: p50 {idle_p50:.0f} ms, p95 {idle_p95:.0f} ms ({len(idle)} searches); "
        f"while assigning {ASSIGNED_ITEMS} appeals and another process indexes: p50 {during_p50:.0f} ms, "
        f"p95 {during_p95:.0f} ms ({len(during)} searches); load {os.getloadavg()[0]:.1f}"
    )
    assert len(during) >= 20, "the searches did not overlap the assignment"
    assert during_p50 <= P50_SLOWDOWN_BOUND * idle_p50, "typical searches slowed by more than 2×"
    assert during_p95 <= P95_BOUND_MS, "the slowest searches waited too long"
