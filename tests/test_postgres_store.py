"""hromada on a PostgreSQL store end to end: the command line, the HTTP API, several servers on one database, and a
writer killed mid-run. The database is a real PostgreSQL 16 with pgvector (``postgres_server`` in conftest); the
model is the real one."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from indexing.store import StoreAddress
from indexing.store.problem_item import ProblemItem
from models.embedder import Embedder
from models.ukrainian_pipeline import UkrainianPipeline
from service.api import create_app
from service.hromada import Hromada
from service.settings import Settings

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
REPOSITORY = Path(__file__).resolve().parents[1]
APPEALS = REPOSITORY / "tests/fixtures/problems/kyiv1551-appeals-100.jsonl"
"""100 Kyiv 1551 appeals of five categories: two halves of it form and join the same problems."""


def hromada(*args: str | Path) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": str(REPOSITORY)}
    command = [sys.executable, "-m", "service.cli", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, timeout=900, env=environment)


def served(url: str, embedder: Embedder, pipeline: UkrainianPipeline, tmp_path: Path, name: str) -> Hromada:
    """One server's ``Hromada`` on the database at ``url`` (its own connections, its own uploads folder)."""
    settings = Settings(store=url, uploads_dir=tmp_path / f"uploads-{name}")
    return Hromada(settings, embedder=embedder, pipeline=pipeline)


@pytest.mark.model  # hromada index and search run in processes of their own
def test_the_command_line_indexes_searches_and_checks_a_postgresql_store(
    postgres_server: object, corpus: Path, tmp_path: Path
) -> None:
    url = postgres_server.new_database()  # type: ignore[attr-defined]
    with_password = url.replace("postgres:@", "postgres:not-a-secret@")
    folder = tmp_path / "documents"
    shutil.copytree(corpus / "appeals", folder / "appeals")
    shutil.copytree(corpus / "proposals", folder / "proposals")
    shutil.copy(corpus / "law-280-97.json", folder)

    indexed = hromada("index", folder, "--store", with_password, "--json")
    assert indexed.returncode == 0, indexed.stderr
    report = json.loads(indexed.stdout)
    assert report["documents"] == 32 + 4 + 1 and not report["failed"]
    again = hromada("index", folder / "appeals", "--store", url, "--json")
    assert json.loads(again.stdout)["unchanged"] == [str(folder / "appeals" / "appeals-2025.jsonl")]

    found = hromada(
        "search", "підвезення дітей до школи", "-k", "5", "--kind", "appeal", "--store", url, "--json"
    )
    assert found.returncode == 0, found.stderr
    hits = json.loads(found.stdout)["hits"]
    assert len(hits) == 5 and all(hit["kind"] == "appeal" for hit in hits)
    assert any("автобус" in hit["text"] for hit in hits[:2]), "the school bus appeals come first"
    reader = Hromada(Settings(store=url))
    for hit in hits:
        assert reader.document(hit["doc_id"]).text[hit["start"] : hit["end"]] == hit["text"]
    reader.close()

    stats = hromada("stats", "--store", with_password, "--json")
    figures = json.loads(stats.stdout)
    assert figures["index_type"] == "hnsw" and figures["documents"] == 37
    assert "not-a-secret" not in stats.stdout and figures["store"] == StoreAddress(with_password).shown
    checked = hromada("check", "--store", url, "--json")
    assert checked.returncode == 0 and json.loads(checked.stdout) == {"ok": True, "findings": []}

    deleted = hromada("delete", str(hits[0]["doc_id"]), "--store", url, "--json")
    assert deleted.returncode == 0, deleted.stderr
    assert json.loads(hromada("stats", "--store", url, "--json").stdout)["documents"] == 36
    missing = hromada(
        "search", "вода", "--store", url.replace(url.rsplit("/", 1)[1].split("?")[0], "nowhere")
    )
    assert (
        missing.returncode == 2 and "cannot connect" in missing.stderr and "Traceback" not in missing.stderr
    )


def test_servers_sharing_one_database_see_each_others_writes_and_take_turns(
    postgres_server: object,
    corpus: Path,
    tmp_path: Path,
    embedder: Embedder,
    ukrainian_pipeline: UkrainianPipeline,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = postgres_server.new_database()  # type: ignore[attr-defined]
    first = served(url, embedder, ukrainian_pipeline, tmp_path, "first")
    second = served(url, embedder, ukrainian_pipeline, tmp_path, "second")
    one, other = TestClient(create_app(first)), TestClient(create_app(second))
    with open(corpus / "proposals/proposal-vodohin.md", "rb") as upload:
        response = one.post("/documents", files={"file": ("vodohin.md", upload, "text/markdown")})
    assert response.status_code == 200 and response.json()["documents"] == 1, response.text
    hits = other.get("/search", params={"q": "аварійний водогін", "k": 3}).json()["hits"]
    assert hits and hits[0]["source"] == "vodohin.md", "the other server finds what the first indexed"
    assert other.get("/health").json()["store"] is True

    # A second process indexes appeals while this one searches: every search sees a whole file or none of it.
    writer = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "index", str(corpus / "appeals"), "--store", url],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPOSITORY)},
    )
    seen = []
    while writer.poll() is None:
        seen.append(other.get("/stats").json()["documents"])
        answer = other.get("/search", params={"q": "аварійний водогін", "k": 3, "kind": "proposal"}).json()
        assert [hit["source"] for hit in answer["hits"]] == ["vodohin.md"] * len(answer["hits"])
        time.sleep(0.05)
    assert writer.returncode == 0, writer.stderr.read() if writer.stderr else ""
    assert set(seen) <= {1, 33} and other.get("/stats").json()["documents"] == 33

    # Two servers assigning batches at once: the one whose snapshot went stale computes again, nothing is lost.
    records = [json.loads(line) for line in APPEALS.read_text(encoding="utf-8").splitlines()]
    earlier = [ProblemItem(id=r["id"], text=r["text"], date=r["date"]) for r in records[::2]]
    later = [{"id": r["id"], "text": r["text"], "date": r["date"]} for r in records[1::2]]
    plan_batch = first.problem_service.plan_batch
    plans = []

    def plan_while_the_other_server_saves(*args: object, **kwargs: object) -> object:
        plan = plan_batch(*args, **kwargs)
        if not plans:
            assert other.post("/problems/assign", json={"items": later}).status_code == 200
        plans.append(plan)
        return plan

    monkeypatch.setattr(first.problem_service, "plan_batch", plan_while_the_other_server_saves)
    first.assign_batch(earlier)
    assert len(plans) == 2, "the stale batch was computed again from the other server's state"
    with second.store().read() as reading:
        counts = reading.problem_counts()
    assert counts["items"] == 100 and counts["batches"] == 2
    listed = other.get("/problems", params={"min_size": 1}).json()["problems"]
    assert sum(problem["size"] for problem in listed) == counts["placed_items"] > 0
    assert first.check() == [] and second.check() == []
    first.close()
    second.close()


@pytest.mark.model  # hromada index runs in a process of its own
def test_a_writer_killed_mid_run_leaves_a_sound_store_that_the_next_run_completes(
    postgres_server: object, corpus: Path, tmp_path: Path
) -> None:
    url = postgres_server.new_database()  # type: ignore[attr-defined]
    folder = tmp_path / "documents"
    shutil.copytree(corpus / "transcripts", folder / "transcripts")
    shutil.copytree(corpus / "proposals", folder / "proposals")
    shutil.copytree(corpus / "appeals", folder / "appeals")
    writer = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "index", str(folder), "--store", url],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(REPOSITORY)},
    )
    committed: list[dict[str, object]] = []
    watcher = Hromada(Settings(store=url))
    deadline = time.monotonic() + 600
    while not committed and writer.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
        if watcher.has_store():
            committed = watcher.documents(limit=1000)
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    assert 0 < len(committed) < 4 + 4 + 32, "the kill came after some files were committed, before the last"
    assert watcher.check() == []
    kept = {(d["source"], d["chunks"]) for d in watcher.documents(limit=1000)}
    assert {(d["source"], d["chunks"]) for d in committed} <= kept
    resumed = hromada("index", folder, "--store", url, "--json")
    assert resumed.returncode == 0, resumed.stderr
    assert watcher.stats()["documents"] == 4 + 4 + 32 and watcher.check() == []
    watcher.close()


def test_api_keys_live_in_the_database_and_every_server_obeys_a_revocation(
    postgres_server: object, corpus: Path, tmp_path: Path, embedder: Embedder, ukrainian_pipeline: UkrainianPipeline
) -> None:
    url = postgres_server.new_database()  # type: ignore[attr-defined]
    first = served(url, embedder, ukrainian_pipeline, tmp_path, "first")
    second = served(url, embedder, ukrainian_pipeline, tmp_path, "second")
    assert not first.index([corpus / "appeals"]).failed
    one, other = TestClient(create_app(first)), TestClient(create_app(second))
    assert other.get("/search", params={"q": "вода"}).status_code == 200, "no key yet: open on loopback"

    created = hromada("keys", "create", "--role", "reader", "--name", "аналітик", "--store", url, "--json")
    assert created.returncode == 0, created.stderr
    key = json.loads(created.stdout)
    assert not list(tmp_path.glob("**/*keys*.json")), "no keys file: the keys are in the database"
    for client in (one, other):
        assert client.get("/search", params={"q": "вода"}).status_code == 401
        answer = client.get("/search", params={"q": "вода"}, headers={"X-API-Key": key["key"]})
        assert answer.status_code == 200 and answer.json()["hits"]
        assert client.get("/health").json()["keys"] is True
    listed = hromada("keys", "list", "--store", url, "--json")
    assert [entry["id"] for entry in json.loads(listed.stdout)["keys"]] == [key["id"]]
    assert "sha256" not in listed.stdout and key["key"] not in listed.stdout

    assert hromada("keys", "revoke", key["id"], "--store", url).returncode == 0
    for client in (one, other):
        assert client.get("/search", params={"q": "вода"}, headers={"X-API-Key": key["key"]}).status_code == 401
        assert client.get("/search", params={"q": "вода"}).status_code == 401, "revoking the last key locks"
    first.close()
    second.close()
