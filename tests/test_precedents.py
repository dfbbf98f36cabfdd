"""Precedents and partners on real Ukrainian text: the three lists, filters, empty lists, CLI and HTTP shapes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from models.embedder import Embedder
from models.ukrainian_pipeline import UkrainianPipeline
from service.api import create_app
from service.hromada import Hromada
from service.precedents import PartnerFinder, PrecedentFinder, UnknownHromadaError
from service.precedents.precedent_service import partner_finder, precedent_finder
from service.search_types import InvalidQueryError, SearchFilters
from service.settings import Settings
from tests.conftest import Command
from tests.markers import marks_tests

HIT_FIELDS = {
    "rank", "score", "doc_id", "chunk_id", "title", "kind", "source", "page", "section",
    "speaker", "date", "text", "start", "end", "citation",
}  # fmt: skip
SCHOOL_BUS = "Шкільний автобус не приїжджає, діти ходять до школи пішки"
PARTICIPATION = "Жителі хочуть провести громадські слухання і внести місцеву ініціативу на розгляд ради"
# A question of the UNLP 2026 sports-rules set: nothing in a store about local government is a precedent for it.
OFF_TOPIC = "Яка тривалість тайм-ауту в баскетболі?"


@pytest.fixture(scope="module")
def finder(indexed: Hromada) -> PrecedentFinder:
    return precedent_finder(indexed)


@pytest.fixture(scope="module")
def partners(strategies: Hromada) -> PartnerFinder:
    return partner_finder(strategies)


def hromada_command(*args: str | Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "service.cli", *map(str, args)]
    environment = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    return subprocess.run(command, capture_output=True, text=True, timeout=600, env=environment)


# ---------------------------------------------------------------- the three lists


def test_a_problem_gets_the_articles_that_govern_it_one_entry_per_article(finder: PrecedentFinder) -> None:
    report = finder.find(PARTICIPATION, k=5)

    first = report.legislation[0]
    assert first.hit.kind == "legislation"
    assert (first.details["act"], first.details["article"]) == ("280/97-ВР", "6-1")
    assert "Стаття 6-1. Форми участі територіальної громади" in first.reason
    assert first.hit.citation.startswith("Закон України «Про місцеве самоврядування в Україні», ст. 6-1")
    articles = [(precedent.hit.doc_id, precedent.details["article"]) for precedent in report.legislation]
    assert len(articles) == len(set(articles)) == 5  # the five articles of the fixture, each once


def test_a_problem_gets_a_project_of_another_community_and_earlier_cases(finder: PrecedentFinder) -> None:
    report = finder.find(SCHOOL_BUS, k=5)

    assert report.proposals[0].hit.title == "Проєктна пропозиція: «Безпечна дорога до школи»"
    assert report.proposals[0].hit.section == "Заходи"
    assert {precedent.hit.kind for precedent in report.cases} == {"appeal", "transcript"}
    first_case = report.cases[0]
    assert first_case.hit.citation.startswith("Звернення № A-2025-001")
    assert "автобус" in first_case.reason and "спільні слова" in first_case.reason
    doc_ids = [precedent.hit.doc_id for precedent in report.cases]
    assert len(doc_ids) == len(set(doc_ids))
    assert [precedent.hit.rank for precedent in report.cases] == list(range(1, len(doc_ids) + 1))


def test_filters_narrow_proposals_and_cases_but_not_the_law(finder: PrecedentFinder) -> None:
    everywhere = finder.find(SCHOOL_BUS, k=10)
    poltava = finder.find(SCHOOL_BUS, k=10, filters=SearchFilters(region="Полтавська"))
    recent = finder.find(SCHOOL_BUS, k=10, filters=SearchFilters(since="2025-03-01"))

    assert poltava.cases and all("Полтавська" in (p.hit.region or "") for p in poltava.cases)
    assert len(poltava.cases) < len(everywhere.cases)
    assert recent.cases and all((p.hit.date or "") >= "2025-03-01" for p in recent.cases)
    narrowed = SearchFilters(region="Полтавська", since="2025-03-01")
    law = [p.hit.chunk_id for p in finder.find(PARTICIPATION, filters=narrowed).legislation]
    assert law and law == [p.hit.chunk_id for p in finder.find(PARTICIPATION).legislation]
    with pytest.raises(InvalidQueryError, match="kind"):
        finder.find(SCHOOL_BUS, filters=SearchFilters(kind="appeal"))


def test_a_problem_without_precedent_gets_empty_lists(finder: PrecedentFinder) -> None:
    report = finder.find(OFF_TOPIC)

    assert report.to_dict() == {"legislation": [], "proposals": [], "cases": []}


def test_unusable_requests_are_refused_with_the_field_named(finder: PrecedentFinder) -> None:
    with pytest.raises(InvalidQueryError, match="empty"):
        finder.find("   ")
    with pytest.raises(InvalidQueryError, match="k must be"):
        finder.find(SCHOOL_BUS, k=0)


# ---------------------------------------------------------------- partners


def test_partners_of_a_hromada_are_nearby_first_with_evidence(partners: PartnerFinder) -> None:
    own, suggestions = partners.for_hromada("Хотинська міська територіальна громада", k=4)

    assert own.hromada_type == "urban"
    assert own.hromada not in {suggestion.hromada for suggestion in suggestions}
    proximities = [suggestion.proximity for suggestion in suggestions]
    assert proximities == sorted(proximities, key=("raion", "oblast", "farther").index)
    assert proximities[0] == "raion"
    rural = [s for s in suggestions if s.hromada_type == "rural"]
    assert rural and all(s.complementary for s in rural)
    for suggestion in suggestions:
        [evidence] = suggestion.evidence
        assert evidence.own and evidence.partner and evidence.shared_words


def test_partners_for_a_problem_show_the_matching_item(partners: PartnerFinder) -> None:
    [first, *_] = partners.for_problem("Безробіття, немає великих підприємств", k=2)

    assert first.hromada == "Лохвицька міська територіальна громада"
    assert first.match == "same_problem" and first.proximity == "unknown"
    assert first.evidence[0].partner == "Безробіття через відсутність великих підприємств"
    assert "безробіття" in first.evidence[0].shared_words


def test_an_unknown_or_ambiguous_hromada_is_an_error(partners: PartnerFinder) -> None:
    with pytest.raises(UnknownHromadaError, match="Ніжинська"):
        partners.for_hromada("Ніжинська")
    with pytest.raises(UnknownHromadaError, match="fits 2 hromadas"):
        partners.for_hromada("сільська")


# ---------------------------------------------------------------- command line and HTTP


def test_cli_prints_three_lists_of_hits_with_reasons(
    indexed: Hromada, cli: Command, capfd: pytest.CaptureFixture[str]
) -> None:
    status = cli(["precedents", SCHOOL_BUS, "-k", "2", "--store", str(indexed.settings.store), "--json"])

    out, err = capfd.readouterr()
    assert status == 0, err
    body = json.loads(out)
    assert set(body) == {"legislation", "proposals", "cases"}
    for hit in body["legislation"] + body["proposals"] + body["cases"]:
        assert set(hit) >= HIT_FIELDS and hit["reason"]
    assert len(body["cases"]) == 2


def test_cli_needs_text_or_a_known_problem(
    indexed: Hromada, cli: Command, capfd: pytest.CaptureFixture[str]
) -> None:
    store = str(indexed.settings.store)
    assert cli(["precedents", "--store", store]) == 2
    assert "TEXT" in capfd.readouterr().err
    assert cli(["precedents", "--problem", "no-such-problem", "--store", store, "--json"]) == 2
    unknown = capfd.readouterr()
    assert unknown.out == "" and "no-such-problem" in unknown.err


def test_cli_partners_of_a_hromada(
    strategies: Hromada, cli: Command, capfd: pytest.CaptureFixture[str]
) -> None:
    store = str(strategies.settings.store)
    status = cli(["partners", "--hromada", "Рукшинська", "-k", "2", "--store", store, "--json"])

    out, err = capfd.readouterr()
    assert status == 0, err
    body = json.loads(out)
    assert body["hromada"] == "Рукшинська сільська територіальна громада"
    assert len(body["partners"]) == 2
    assert {"hromada", "region", "raion", "hromada_type", "population", "evidence"} <= set(
        body["partners"][0]
    )


def test_http_precedents_and_partners(indexed: Hromada, strategies: Hromada, tmp_path: Path) -> None:
    client = TestClient(create_app(indexed))
    response = client.post("/precedents", json={"text": SCHOOL_BUS, "k": 2, "region": "Полтавська"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"legislation", "proposals", "cases"}
    assert body["cases"] and all(set(hit) >= HIT_FIELDS | {"reason", "details"} for hit in body["cases"])
    assert client.post("/precedents", json={"k": 2}).status_code == 422
    missing = client.post("/precedents", json={"problem_id": "no-such-problem"})
    assert 400 <= missing.status_code < 500 and "no-such-problem" in missing.json()["detail"]
    assert client.post("/precedents", json={"text": OFF_TOPIC}).json()["legislation"] == []

    store = tmp_path / "strategies"
    strategies.store().snapshot(store)
    partners_client = TestClient(
        create_app(Hromada(Settings(store=store), strategies.embedder, strategies.pipeline))
    )
    found = partners_client.post("/partners", json={"hromada": "Лохвицька", "k": 3})
    assert found.status_code == 200 and found.json()["hromada"] == "Лохвицька міська територіальна громада"
    assert partners_client.post("/partners", json={"hromada": "Київська"}).status_code == 422


# ---------------------------------------------------------------- the sample corpus, as README's first command indexes it

SAMPLE = Path(__file__).resolve().parents[1] / "sample-corpus"
README_EXAMPLE = "немає шкільного автобуса"
SHARED_LANDFILL = "Дві громади мають одне сміттєзвалище на межі і не можуть домовитися, хто його утримує"
NO_STAROSTA = "У нашому селі немає старости, нікому видати довідку"


@pytest.fixture(scope="module")
@marks_tests("slow")
def sample(
    tmp_path_factory: pytest.TempPathFactory, embedder: Embedder, ukrainian_pipeline: UkrainianPipeline
) -> Hromada:
    """A store of the whole sample corpus, as ``bash scripts/demo.sh`` builds it."""
    hromada = Hromada(
        Settings(store=tmp_path_factory.mktemp("sample") / "store"),
        embedder=embedder,
        pipeline=ukrainian_pipeline,
    )
    report = hromada.index([SAMPLE / part for part in ("laws", "transcripts", "proposals", "notes", "appeals")])
    assert not report.failed, report.failed
    return hromada


def sample_precedents(sample: Hromada, text: str) -> dict[str, list[dict[str, object]]]:
    result = hromada_command("precedents", text, "--store", sample.settings.store, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def articles_of(hits: list[dict[str, object]]) -> list[tuple[object, object]]:
    return [(hit["details"]["act"], hit["details"]["article"]) for hit in hits]  # type: ignore[index]


def test_readme_example_finds_the_school_bus_proposal_and_the_article_on_school_transport(
    sample: Hromada,
) -> None:
    body = sample_precedents(sample, README_EXAMPLE)

    assert body["proposals"][0]["title"] == "Проєктна пропозиція: «Безпечна дорога до школи»"
    education = [hit for hit in body["legislation"] if hit["details"]["act"] == "2145-19"]
    assert any("підвез" in hit["text"] for hit in education), articles_of(body["legislation"])
    # What a specialist cites first for school transport: art. 13 of the law on education (підвезення).
    first_five = articles_of(body["legislation"])[:5]
    assert ("2145-19", "13") in first_five, first_five


def test_a_landfill_shared_by_two_hromadas_gets_the_law_on_their_cooperation(sample: Hromada) -> None:
    acts = [act for act, _ in articles_of(sample_precedents(sample, SHARED_LANDFILL)["legislation"])]

    assert "1508-18" in acts


def test_a_village_without_a_starosta_gets_the_article_on_the_starosta(sample: Hromada) -> None:
    assert ("280/97-ВР", "54-1") in articles_of(sample_precedents(sample, NO_STAROSTA)["legislation"])


# Problems on the sample's subjects, in words of their own; and questions of the UNLP 2026 sports-rules set.
ON_TOPIC = (
    README_EXAMPLE,
    SHARED_LANDFILL,
    NO_STAROSTA,
    "У школі немає укриття, під час тривоги діти сидять у коридорі",
    "Ліхтарі на нашій вулиці не горять, ввечері страшно йти від зупинки",
    "Водогін постійно рветься, село тижнями сидить без води",
)
OFF_TOPIC_QUESTIONS = (
    OFF_TOPIC,
    "Які типи змагань проводяться з боротьби самбо?",
    "Яка мінімальна вага човна класу С1 (каное-одиночка) у кілограмах?",
)


def test_only_off_topic_questions_get_empty_lists_over_http(sample: Hromada) -> None:
    client = TestClient(create_app(sample))

    for question in OFF_TOPIC_QUESTIONS:
        body = client.post("/precedents", json={"text": question}).json()
        assert body == {"legislation": [], "proposals": [], "cases": []}, question
    for problem in ON_TOPIC:
        body = client.post("/precedents", json={"text": problem}).json()
        assert body["legislation"] and body["proposals"] and body["cases"], problem


def test_a_plain_problem_finds_the_strategy_by_the_line_that_states_it(strategies: Hromada) -> None:
    report = precedent_finder(strategies).find("У місті немає роботи, бо великі заводи позакривалися", k=3)

    first = report.proposals[0]
    assert first.details["hromada"] == "Лохвицька міська територіальна громада"
    # The hit is the one challenge that matches, not the whole section of the strategy.
    assert first.hit.section == "Виклики"
    assert first.hit.text == "- Безробіття через відсутність великих підприємств"
