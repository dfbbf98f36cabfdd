"""Recurring problems through the public interfaces: the facade, ``hromada cluster`` and the HTTP routes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from indexing.store import ItemFilter, ProblemSetChangedError
from indexing.store.problem_item import ProblemItem
from service.api import create_app
from service.hromada import Hromada
from service.problems import ProblemNotFoundError
from service.problems.problem_records import TREND_WORDS
from tests.conftest import Command

FIXTURE = Path(__file__).resolve().parent / "fixtures/problems/kyiv1551-appeals-100.jsonl"


def batch_items(count: int, start: int = 0) -> list[dict[str, str]]:
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()[start : start + count]
    return [{key: record[key] for key in ("id", "text", "date")} for record in map(json.loads, lines)]


def as_items(records: list[dict[str, str]]) -> list[ProblemItem]:
    return [ProblemItem(id=r["id"], text=r["text"], date=r["date"], kind="appeal") for r in records]


def environment() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}


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
    fresh: Hromada, tmp_path: Path, cli: Command, capsys: pytest.CaptureFixture[str]
) -> None:
    batch = tmp_path / "batch.jsonl"
    shutil.copy(FIXTURE, batch)
    store = fresh.settings.store
    status = cli(["cluster", "--input", str(batch), "--store", str(store), "--json",
                   "--csv", str(tmp_path / "a.csv"), "--chart", str(tmp_path / "chart.png")])  # fmt: skip
    assert status == 0
    report = json.loads(capsys.readouterr().out)
    assert len(report["assignments"]) == 100 and report["problems"]
    assert (tmp_path / "a.csv").read_text(encoding="utf-8").count("\n") >= 100
    assert (tmp_path / "chart.png").read_bytes().startswith(b"\x89PNG")

    listed = cli(["problems", "--store", str(store), "--json", "--min-size", "1", "--since", "2000-01-01"])
    assert listed == 0
    saved = json.loads(capsys.readouterr().out)["problems"]
    assert {problem["id"] for problem in saved} == {problem["id"] for problem in report["problems"]}
    first = saved[0]["id"]
    assert cli(["problems", first, "--store", str(store), "--json"]) == 0
    assert [problem["id"] for problem in json.loads(capsys.readouterr().out)["problems"]] == [first]
    assert cli(["problems", first, "--store", str(store)]) == 0
    shown = capsys.readouterr().out
    trend = TREND_WORDS[saved[0]["trend"]]
    assert f"; {trend})" in shown and f"динаміка: {trend}" in shown, "the trend in words, as the page says it"
    assert cli(["problems", "P-none", "--store", str(store)]) == 2
    assert "no problem with id 'P-none'" in capsys.readouterr().err

    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"id": "x1", "text": "Не працює ліфт"}\n{"id": "x2", "text": \n', encoding="utf-8")
    assert cli(["cluster", "--input", str(broken), "--store", str(store)]) == 2
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


def test_reading_problems_loads_no_model(fresh: Hromada) -> None:
    """``hromada problems`` and ``GET /problems`` read what was saved: no embedder, so no torch, is loaded."""
    fresh.assign_batch(
        [ProblemItem(id=record["id"], text=record["text"], date=record["date"]) for record in batch_items(60)]
    )
    store = str(fresh.settings.store)
    script = (
        "import json, sys\n"
        "from fastapi.testclient import TestClient\n"
        "from service.api import create_app\n"
        "from service.cli import main\n"
        "from service.hromada import Hromada\n"
        "from service.settings import Settings\n"
        f"assert main(['problems', '--store', {store!r}, '--json', '--min-size', '1']) == 0\n"
        f"client = TestClient(create_app(Hromada(Settings(store={store!r}))))\n"
        "listed = client.get('/problems').json()['problems']\n"
        "assert client.get('/problems/' + listed[0]['id']).status_code == 200\n"
        "print(json.dumps(sorted(name for name in ('torch', 'sentence_transformers') if name in sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, env=environment()
    )
    assert result.returncode == 0, result.stderr
    cli_listing, loaded = result.stdout.splitlines()[0], result.stdout.splitlines()[-1]
    assert {problem["id"] for problem in json.loads(cli_listing)["problems"]} == {
        problem.id for problem in fresh.problems()
    }
    assert json.loads(loaded) == []


def test_a_batch_over_http_is_checked_and_kept_as_a_batch_file_is(
    fresh: Hromada, tmp_path: Path, cli: Command, capsys: pytest.CaptureFixture[str]
) -> None:
    client = TestClient(create_app(fresh))
    assert client.post("/problems/assign", json={"items": batch_items(60)}).status_code == 200
    saved = client.get("/problems").json()["problems"]
    bad_day = [*batch_items(2, start=60), {"id": "d-1", "text": "Не працює ліфт", "date": "2015-13-45"}]
    refused = client.post("/problems/assign", json={"items": bad_day})
    assert refused.status_code == 422
    assert (
        refused.json()["detail"] == "the request, item 3: field 'date' is '2015-13-45', expected YYYY-MM-DD"
    )
    batch = tmp_path / "batch.jsonl"
    batch.write_text(
        "\n".join(json.dumps(record, ensure_ascii=False) for record in bad_day), encoding="utf-8"
    )
    assert cli(["cluster", "--input", str(batch), "--store", str(fresh.settings.store)]) == 2
    assert f"{batch}, line 3: field 'date' is '2015-13-45', expected YYYY-MM-DD" in capsys.readouterr().err
    assert client.get("/problems").json()["problems"] == saved, "a refused batch saves nothing"

    appeals = client.get("/problems", params={"kind": "appeal"}).json()["problems"]
    assert appeals and appeals == saved, "items posted over HTTP keep the kind appeal, as a file's do"
    assert client.get("/problems", params={"kind": "legislation"}).json()["problems"] == []
    one = appeals[0]["id"]
    later = client.get(f"/problems/{one}", params={"since": "2099-01-01"}).json()
    assert later["id"] == one and later["size"] == 0, "showing one problem takes the list's filters"


def test_a_batch_computed_while_another_is_saved_is_computed_again(
    fresh: Hromada, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = Hromada(fresh.settings, embedder=fresh.embedder, pipeline=fresh.pipeline)
    first, second = as_items(batch_items(50)), as_items(batch_items(50, start=50))
    plan_batch = fresh.problem_service.plan_batch
    plans, others = [], []

    def plan_while_another_writes(*args: object, **kwargs: object) -> object:
        plan = plan_batch(*args, **kwargs)
        if not plans:
            others.append(other.assign_batch(second))  # saved between this batch's snapshot and its write
        plans.append(plan)
        return plan

    monkeypatch.setattr(fresh.problem_service, "plan_batch", plan_while_another_writes)
    report = fresh.assign_batch(first)

    assert len(plans) == 2, "the batch was computed again from the new state"
    assert [assignment.item_id for assignment in report.assignments] == [item.id for item in first]
    assert others and others[0].assignments, "the other batch was saved in between"
    with fresh.store().read() as reading:
        counts = reading.problem_counts()
        stored_sizes = sum(problem.size for problem in reading.problems())
    assert counts["items"] == 100 and counts["batches"] == 2
    listed_sizes = sum(problem.recurrence.size for problem in fresh.problems())
    assert counts["placed_items"] == stored_sizes == listed_sizes > 50, "every item counted once, none lost"


def test_a_batch_that_keeps_losing_the_race_is_refused_and_saves_nothing(
    fresh: Hromada, monkeypatch: pytest.MonkeyPatch
) -> None:
    impatient = Hromada(
        fresh.settings.model_copy(update={"problem_save_attempts": 1}), fresh.embedder, fresh.pipeline
    )
    plan_batch = impatient.problem_service.plan_batch

    def plan_while_another_writes(*args: object, **kwargs: object) -> object:
        plan = plan_batch(*args, **kwargs)
        fresh.assign_batch(as_items(batch_items(30, start=50)))
        return plan

    monkeypatch.setattr(impatient.problem_service, "plan_batch", plan_while_another_writes)
    with pytest.raises(ProblemSetChangedError, match="nothing of it was saved"):
        impatient.assign_batch(as_items(batch_items(30)))
    with fresh.store().read() as reading:
        saved = {item.id for item, _ in reading.problem_members(ItemFilter())}
    assert saved == {record["id"] for record in batch_items(30, start=50)}


PLANTED = {
    "school transport": (
        "шкільний автобус уже тиждень не приїжджає",
        "Наш шкільний автобус зламався ще в березні",
        "маршрут шкільного автобуса скасували",
    ),
    "water main": (
        "Водогін постійно прориває",
        "знову порив водогону",
        "аварійний стан водопровідної мережі",
    ),
    "roads": (
        "Дорога між селами повністю розбита",
        "Дорога до нашого села розбита",
        "розбиту дорогу між селами Лобачі та Шилівка",
    ),
    "shelters": (
        "У нашій школі немає укриття",
        "досі немає укриття",
        "так і не облаштували укриття",
    ),
    "street lighting": (
        "не працює вуличне освітлення вже пів року",
        "не горять ліхтарі з минулої зими",
        "вже три місяці не працює вуличне освітлення",
    ),
    "waste": (
        "утворилося стихійне сміттєзвалище",
        "Сміття із села не вивозять уже два місяці",
        "Біля полігону відходів постійно горить сміття",
    ),
    "starosta": (
        "вже рік немає старости",
        "Посада старости в нашому старостинському окрузі вакантна",
        "У селі немає старости",
    ),
    "teachers": (
        "третій рік немає вчителя фізики",
        "не вистачає вчителів англійської мови",
        "В школе не хватает учителя математики",
    ),
}
"""Three appeals of each problem that the sample corpus plants, by a phrase of their text."""


def test_each_planted_problem_of_the_sample_is_its_own_problem(
    indexed: Hromada, tmp_path: Path, cli: Command, capsys: pytest.CaptureFixture[str]
) -> None:
    indexed.store().snapshot(tmp_path / "store")
    capsys.readouterr()
    assert cli(["cluster", "--store", str(tmp_path / "store"), "--json"]) == 0
    assignments = json.loads(capsys.readouterr().out)["assignments"]
    store = Hromada(
        indexed.settings.model_copy(update={"store": tmp_path / "store"}), indexed.embedder, indexed.pipeline
    ).store()
    problem_of_text = {}
    for assignment in assignments:
        chunk_id, offsets = assignment["id"].removeprefix("chunk-").split(":")
        start, end = map(int, offsets.split("-"))
        problem_of_text[store.chunks([int(chunk_id)])[0].text[start:end]] = assignment["problem_id"]

    def problem_of(phrase: str) -> str | None:
        found = [problem for text, problem in problem_of_text.items() if phrase in text]
        assert len(found) == 1, f"{phrase!r} should be in exactly one statement"
        return found[0]

    planted = {name: {problem_of(phrase) for phrase in phrases} for name, phrases in PLANTED.items()}
    for name, problems in planted.items():
        assert len(problems) == 1 and None not in problems, f"{name}: {problems}"
    assert len({next(iter(problems)) for problems in planted.values()}) == len(PLANTED), planted
