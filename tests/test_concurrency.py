"""Readers and writers at once: searches keep answering consistently while another process indexes, and two
writers serialise or the second is told the store is busy — never a damaged store."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

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
from indexing.store import Store
store = Store(sys.argv[1])
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
