"""Dates and places: what documents' headers say, and one region filter in search, problems, CLI and HTTP."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from indexing.indexer import IndexOptions
from indexing.places import AmbiguousPlaceError, Gazetteer, Place
from indexing.places.document_header import read_header
from indexing.store import open_store
from service.api import create_app
from service.cli import main
from service.hromada import Hromada
from tests.conftest import Command

SAMPLE = Path(__file__).resolve().parents[1] / "sample-corpus"
RESHETYLIVKA = "Решетилівська міська територіальна громада"
EXPECTED_HEADERS = {
    # file of sample-corpus/: the date, region and hromada its header states
    "den-dialohu-2025.txt": ("2025-10-09", "м. Київ", None),
    "dialog-infrastruktura-chernihiv-2025.txt": (
        "2025-06-17",
        "Чернігівська область",
        "Чернігівська міська територіальна громада",
    ),
    "dialog-komunalni-posluhy-zhytomyr-2025.txt": ("2025-05-22", "Житомирська область", None),
    "dialog-osvita-poltava-2025.txt": ("2025-03-14", "Полтавська область", None),
    "proposal-osvitlennia.md": (
        "2025-08-12",
        "Вінницька область",
        "Тульчинська міська територіальна громада",
    ),
    "proposal-shkilnyi-avtobus.md": ("2025-03-20", "Полтавська область", RESHETYLIVKA),
    "proposal-spilnyi-polihon.md": (
        "2025-07-30",
        "Чернігівська область",
        "Носівська міська територіальна громада",
    ),
    "proposal-vodohin.md": ("2025-06-02", "Житомирська область", None),
    "note-ukryttia-osvita-2025.md": ("2025-09-30", "м. Київ", None),
}
POLTAVA_NAMES = (
    "Полтавська",
    "Полтавська область",
    "полтавська обл.",
    "Полтавщина",
    "Решетилівська громада",
    "Решетилівська ТГ",
    "м. Полтава",
    "Полтавская область",
)


@pytest.fixture(scope="module")
def client(indexed: Hromada) -> TestClient:
    return TestClient(create_app(indexed))


# ------------------------------------------------------------------ the gazetteer


@pytest.mark.parametrize(
    ("name", "region", "hromada"),
    [
        *[(name, "Полтавська область", None) for name in POLTAVA_NAMES[:4]],
        ("Решетилівська громада", "Полтавська область", RESHETYLIVKA),
        ("Решетилівська міська рада", "Полтавська область", RESHETYLIVKA),
        ("Решетилівка", "Полтавська область", RESHETYLIVKA),
        ("м. Полтава", "Полтавська область", "Полтавська міська територіальна громада"),
        ("Полтавской обл.", "Полтавська область", None),
        ("Київ", "м. Київ", None),
        ("г. Киев", "м. Київ", None),
        ("Київська область", "Київська область", None),
        ("Київщина", "Київська область", None),
        ("Кам’янець-Подільський", "Хмельницька область", "Кам'янець-Подільська міська територіальна громада"),
        ("Камʼянець-Подільський", "Хмельницька область", "Кам'янець-Подільська міська територіальна громада"),
        ("Коростенського району", "Житомирська область", None),
        ("Буковина", "Чернівецька область", None),
        (
            "Городоцька громада, Львівська область",
            "Львівська область",
            "Городоцька міська територіальна громада",
        ),
    ],
)
def test_the_gazetteer_resolves_any_name_of_a_place(name: str, region: str, hromada: str | None) -> None:
    assert Gazetteer.default().resolve(name) == Place(region, hromada)


def test_a_hromada_name_of_several_regions_is_ambiguous_and_nonsense_is_unknown() -> None:
    gazetteer = Gazetteer.default()
    with pytest.raises(AmbiguousPlaceError, match="Львівська область"):
        gazetteer.resolve("Городоцька громада")
    assert gazetteer.resolve("Атлантида") is None
    assert len(gazetteer.regions) == 27  # 24 oblasts, Crimea, Kyiv and Sevastopol


@pytest.mark.parametrize(
    ("header", "date", "region"),
    [
        ("Круглий стіл\nм. Житомир, 22.05.2025", "2025-05-22", "Житомирська область"),
        ("Нарада\nРешетилівська громада, 2025-04-02", "2025-04-02", "Полтавська область"),
        ("Засідання у Полтавській області, 3 ЛИСТОПАДА 2024 р.", "2024-11-03", "Полтавська область"),
        ("Київ, 5 травня 2023 року", "2023-05-05", "м. Київ"),
        ("Совещание\nг. Киев, 5 мая 2023 года", "2023-05-05", "м. Київ"),
        ("Аналітична записка\nЧернігівщина, 1 січня 2024", "2024-01-01", "Чернігівська область"),
        ("Звіт без дати і місця\n\n[10:00] ГОЛОВА: Київ, 5 травня 2023 року", None, None),
    ],
)
def test_a_header_gives_the_date_in_any_form_and_the_region(
    header: str, date: str | None, region: str | None
) -> None:
    found = read_header(header, Gazetteer.default())
    assert found.date == date
    assert (found.place.region if found.place else None) == region


# ------------------------------------------------------------------ at index time


def test_every_sample_transcript_proposal_and_note_has_its_headers_date_and_region(
    client: TestClient,
) -> None:
    samples = {
        path.name for part in ("transcripts", "proposals", "notes") for path in (SAMPLE / part).iterdir()
    }
    assert samples == set(EXPECTED_HEADERS), "every sample transcript, proposal and note is checked here"
    documents = {
        Path(d["source"]).name: d
        for d in client.get("/documents", params={"limit": 1000}).json()["documents"]
    }
    for name, (date, region, hromada) in EXPECTED_HEADERS.items():
        listed = documents[name]
        assert (listed["date"], listed["region"]) == (date, region), name
        full = client.get(f"/documents/{listed['id']}").json()
        assert full["metadata"].get("place_hromada") == hromada, name
    appeals = [document for document in documents.values() if document["kind"] == "appeal"]
    assert appeals and {document["region"] for document in appeals} <= set(Gazetteer.default().regions)


def test_record_fields_and_meta_win_over_the_header(fake_fresh: Hromada, tmp_path: Path) -> None:
    note = tmp_path / "note.txt"
    note.write_text(
        "Аналітична записка\nПолтавська область, 14 березня 2025 року\n\n"
        "У громаді бракує шкільних автобусів для підвезення учнів.\n",
        encoding="utf-8",
    )
    options = IndexOptions(kind="note", metadata={"region": "Сумщина"}, show_progress=False)
    assert not fake_fresh.index([note], options).failed
    [listed] = fake_fresh.store().documents()
    assert (listed["date"], listed["region"]) == ("2025-03-14", "Сумська область")


# ------------------------------------------------------------------ one filter everywhere


def test_names_of_one_region_find_the_same_hits(client: TestClient) -> None:
    answers = {}
    for name in POLTAVA_NAMES:
        response = client.get("/search", params={"q": "підвезення учнів до школи", "region": name, "k": 20})
        assert response.status_code == 200, response.text
        answers[name] = [hit["chunk_id"] for hit in response.json()["hits"]]
        assert {hit["region"] for hit in response.json()["hits"]} == {"Полтавська область"}
    assert len({tuple(hits) for hits in answers.values()}) == 1, answers
    kinds = {hit["kind"] for hit in response.json()["hits"]}
    assert {"transcript", "proposal", "appeal"} <= kinds


def test_kyiv_city_is_not_kyiv_oblast(client: TestClient) -> None:
    oblast = client.get("/search", params={"q": "укриття в школі", "region": "Київщина", "k": 20}).json()[
        "hits"
    ]
    city = client.get("/search", params={"q": "укриття в школі", "region": "Київ", "k": 20}).json()["hits"]
    assert oblast and {hit["region"] for hit in oblast} == {"Київська область"}
    assert city and {hit["region"] for hit in city} == {"м. Київ"}


def test_an_unknown_region_is_an_error_naming_the_region_field(
    client: TestClient, indexed: Hromada, cli: Command, capsys: pytest.CaptureFixture[str]
) -> None:
    for path in ("/search", "/problems"):
        response = client.get(path, params={"q": "вода", "region": "Атлантида"})
        assert response.status_code == 422, response.text
        assert "region" in response.json()["detail"] and "Атлантида" in response.json()["detail"]
    ambiguous = client.get("/search", params={"q": "вода", "region": "Городоцька громада"})
    assert ambiguous.status_code == 422 and "Львівська область" in ambiguous.json()["detail"]
    store = str(indexed.settings.store)
    for command in (["search", "вода"], ["problems"], ["precedents", "немає води"]):
        assert cli([*command, "--region", "Атлантида", "--store", store]) == 2
        assert "region" in capsys.readouterr().err


def test_names_of_one_region_list_the_same_problems(
    clustered: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listings = {}
    for name in ("Полтавська", "Полтавщина", "Решетилівська громада"):
        assert (
            main(["problems", "--region", name, "--store", str(clustered), "--json", "--min-size", "1"]) == 0
        )
        problems = json.loads(capsys.readouterr().out)["problems"]
        listings[name] = [(problem["id"], problem["size"]) for problem in problems]
        assert problems and all("Полтавська область" in problem["regions"] for problem in problems)
    assert len({tuple(listing) for listing in listings.values()}) == 1, listings


def test_the_readme_example_finds_the_poltava_problems(
    clustered: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(
        ["problems", "--region", "Полтавська", "--since", "2025-01-01", "--store", str(clustered), "--json"]
    )
    assert status == 0
    problems = json.loads(capsys.readouterr().out)["problems"]
    assert problems, "README's `hromada problems --region Полтавська` lists problems"
    assert all(problem["regions"] == ["Полтавська область"] for problem in problems)


def test_a_batch_names_regions_loosely_and_is_counted_under_the_oblast(
    clustered: Path, tmp_path: Path, indexed: Hromada, cli: Command, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "store"
    with open_store(clustered) as original:
        original.snapshot(store)
    batch = tmp_path / "batch.jsonl"
    lines = [
        {"id": "b1", "text": "Шкільний автобус не приїжджає, діти йдуть до школи пішки.", "date": "2026-02-02",
         "region": "Полтавщина"},
        {"id": "b2", "text": "Діти з села не можуть дістатися до опорної школи: немає автобуса.", "date": "2026-02-03",
         "region": "м. Полтава"},
    ]  # fmt: skip
    batch.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
    assert cli(["cluster", "--input", str(batch), "--store", str(store), "--json"]) == 0
    assignments = json.loads(capsys.readouterr().out)["assignments"]
    over_http = Hromada(
        indexed.settings.model_copy(update={"store": store}), indexed.embedder, indexed.pipeline
    )
    item = {"id": "b3", "text": "Шкільний автобус зламався, учні не доїхали до школи.", "date": "2026-02-04",
            "region": "Полтавська обл."}  # fmt: skip
    response = TestClient(create_app(over_http)).post("/problems/assign", json={"items": [item]})
    assert response.status_code == 200, response.text
    assignments += response.json()["assignments"]
    over_http.close()
    assigned = [a["problem_id"] for a in assignments if a["problem_id"]]
    assert assigned, "statements about the school bus join the sample's school problem or form one"
    assert main(["problems", "--region", "Полтавська", "--since", "2026-01-01", "--store", str(store), "--json",
                 "--min-size", "1"]) == 0  # fmt: skip
    problems = json.loads(capsys.readouterr().out)["problems"]
    # Only the batch is from 2026: every one of its statements that joined a problem is counted here.
    assert sum(problem["size"] for problem in problems) == len(assigned)
    assert {problem["id"] for problem in problems} == set(assigned)
    assert {region for problem in problems for region in problem["regions"]} == {"Полтавська область"}


# ------------------------------------------------------------------ a store indexed before


def test_a_store_of_the_old_format_is_upgraded_and_filters_right(
    indexed: Hromada, client: TestClient, tmp_path: Path
) -> None:
    store = tmp_path / "store"
    indexed.store().snapshot(store)
    with sqlite3.connect(store / "hromada.sqlite") as db:
        # As format 1 left it: regions as the sources wrote them, no header dates or places.
        db.execute("UPDATE meta SET value = '1' WHERE key = 'format_version'")
        db.execute(
            "UPDATE documents SET region = 'Полтавщина' WHERE region = 'Полтавська область' AND kind = 'appeal'"
        )
        db.execute("UPDATE documents SET date = NULL, region = NULL WHERE kind IN ('transcript', 'proposal')")
        db.execute("UPDATE chunks SET region = (SELECT region FROM documents WHERE id = doc_id), "
                   "date = (SELECT date FROM documents WHERE id = doc_id)")  # fmt: skip
    old = Hromada(indexed.settings.model_copy(update={"store": store}), indexed.embedder, indexed.pipeline)
    upgraded = TestClient(create_app(old))
    params = {"q": "підвезення учнів до школи", "region": "Полтавська", "k": 20}
    hits = upgraded.get("/search", params=params).json()["hits"]
    assert [hit["chunk_id"] for hit in hits] == [
        hit["chunk_id"] for hit in client.get("/search", params=params).json()["hits"]
    ]
    assert {hit["kind"] for hit in hits} >= {"transcript", "proposal", "appeal"}
    with sqlite3.connect(store / "hromada.sqlite") as db:
        assert db.execute("SELECT value FROM meta WHERE key = 'format_version'").fetchone()[0] == "2"


def test_partners_know_a_hromada_by_its_other_names_and_compare_regions_by_name(strategies: Hromada) -> None:
    client = TestClient(create_app(strategies))
    answers = [
        client.post("/partners", json={"hromada": name, "k": 4}).json()
        for name in ("Хотинська ТГ", "м. Хотин")
    ]
    assert {answer["hromada"] for answer in answers} == {"Хотинська міська територіальна громада"}
    partners = answers[0]["partners"]
    assert partners and {partner["region"] for partner in partners} <= {
        "Чернівецька область",
        "Полтавська область",
    }
