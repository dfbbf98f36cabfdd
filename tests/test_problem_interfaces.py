"""Recurring problems through the public interfaces: the facade, ``hromada cluster`` and the HTTP routes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.api import create_app
from service.cli import main
from service.hromada import Hromada
from service.problems import ProblemNotFoundError

FIXTURE = Path(__file__).resolve().parent / "fixtures/problems/kyiv1551-appeals-100.jsonl"


def batch_items(count: int, start: int = 0) -> list[dict[str, str]]:
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()[start : start + count]
    return [{key: record[key] for key in ("id", "text", "date")} for record in map(json.loads, lines)]


def test_batches_over_http_keep_ids_and_count_nothing_twice(fresh: Hromada) -> None:
    client = TestClient(create_app(fresh))
    # Every other appeal, so that the later batch holds the same five problems (the fixture is sorted by them).
    earlier, later = batch_items(100)[::2], batch_items(100)[1::2]
    first = client.post("/problems/assign", json={"items": earlier})
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["problems"] and {
        "id",
        "label",
        "keywords",
        "size",
        "first_seen",
        "last_seen",
        "regions",
        "examples",
    } <= set(body["problems"][0])
    ids_before = {problem["id"] for problem in client.get("/problems").json()["problems"]}

    second = client.post("/problems/assign", json={"items": later}).json()
    assert any(assignment["problem_id"] in ids_before for assignment in second["assignments"])
    ids_after = {problem["id"] for problem in client.get("/problems").json()["problems"]}
    assert ids_before <= ids_after, "known problems keep their ids"

    sizes = {problem["id"]: problem["size"] for problem in client.get("/problems").json()["problems"]}
    again = client.post("/problems/assign", json={"items": later}).json()
    assert again["already_seen"] == len(later)
    assert {problem["id"]: problem["size"] for problem in client.get("/problems").json()["problems"]} == sizes

    one = next(iter(ids_after))
    assert client.get(f"/problems/{one}").json()["id"] == one
    assert client.get("/problems/P-none").status_code == 404


def test_a_batch_with_an_empty_text_is_refused_over_http(fresh: Hromada) -> None:
    client = TestClient(create_app(fresh))
    response = client.post("/problems/assign", json={"items": [{"id": "1", "text": ""}]})
    assert response.status_code == 422 and "text" in response.json()["detail"]


def test_cluster_command_on_a_batch_file_writes_json_csv_and_chart(
    fresh: Hromada, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    batch = tmp_path / "batch.jsonl"
    shutil.copy(FIXTURE, batch)
    store = fresh.settings.store
    status = main(["cluster", "--input", str(batch), "--store", str(store), "--json",
                   "--csv", str(tmp_path / "a.csv"), "--chart", str(tmp_path / "chart.png")])  # fmt: skip
    assert status == 0
    report = json.loads(capsys.readouterr().out)
    assert len(report["assignments"]) == 100 and report["problems"]
    assert (tmp_path / "a.csv").read_text(encoding="utf-8").count("\n") >= 100
    assert (tmp_path / "chart.png").read_bytes().startswith(b"\x89PNG")

    listed = main(["problems", "--store", str(store), "--json", "--min-size", "1", "--since", "2000-01-01"])
    assert listed == 0
    saved = json.loads(capsys.readouterr().out)["problems"]
    assert {problem["id"] for problem in saved} == {problem["id"] for problem in report["problems"]}
    first = saved[0]["id"]
    assert main(["problems", first, "--store", str(store), "--json"]) == 0
    assert [problem["id"] for problem in json.loads(capsys.readouterr().out)["problems"]] == [first]
    assert main(["problems", "P-none", "--store", str(store)]) == 2
    assert "no problem with id 'P-none'" in capsys.readouterr().err

    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"id": "x1", "text": "Не працює ліфт"}\n{"id": "x2", "text": \n', encoding="utf-8")
    assert main(["cluster", "--input", str(broken), "--store", str(store)]) == 2
    assert "line 2" in capsys.readouterr().err


def test_clustering_the_indexed_corpus_finds_statements_with_citations(
    indexed: Hromada, tmp_path: Path
) -> None:
    indexed.store().snapshot(tmp_path / "store")
    copy = Hromada(
        indexed.settings.model_copy(update={"store": tmp_path / "store"}), indexed.embedder, indexed.pipeline
    )
    report = copy.cluster_corpus()
    assert report.assignments, "appeals and the problem sentences of transcripts are statements"
    kinds = {
        copy.store().chunks([int(a.item_id.split("-")[1].split(":")[0])])[0].kind for a in report.assignments
    }
    assert {"appeal", "transcript"} <= kinds
    with pytest.raises(ProblemNotFoundError):
        copy.problem("P-none")
