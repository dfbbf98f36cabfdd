"""The strategies reader on three real records of the hromada strategies release."""

import json
from pathlib import Path

import pytest

from indexing.errors import UnreadableFileError
from indexing.readers.strategies_reader import looks_like_strategies, read_strategies

FIXTURE = Path(__file__).parent / "fixtures" / "strategies" / "hromadas-sample.json"


@pytest.fixture(scope="module")
def documents():
    return read_strategies(FIXTURE, source="data/hromadas.json")


def test_one_proposal_per_hromada_with_strategy_content(documents):
    assert [document.title for document in documents] == [
        "Ніжинська міська територіальна громада: стратегія розвитку",
        "Литовезька сільська територіальна громада: стратегія розвитку",
    ]
    assert {document.kind for document in documents} == {"proposal"}
    assert {document.source for document in documents} == {"data/hromadas.json"}


def test_sections_are_headings_on_their_own_lines_followed_by_items_as_a_list(documents):
    lines = documents[0].pages[0].splitlines()
    challenges = lines.index("Виклики")
    goals = lines.index("Стратегічні цілі")
    projects = lines.index("Проєкти")
    assert challenges < goals < projects
    assert lines[challenges + 1] == "- Близькість до країни-агресора відлякує інвесторів"
    # Items the release did not mark are marked, so that the proposal chunker cuts every section item by item.
    assert lines[goals + 1].startswith("- Стратегічна ціль 1. Створення сприятливих умов для розвитку бізнесу")
    assert lines[projects + 1].startswith("- Створення логістичного центру")


def test_metadata_carries_region_type_population_and_code(documents):
    rural = documents[1]
    assert rural.record_id == "UA07020090000019505"
    assert rural.metadata["region"] == "Волинська область"
    assert rural.metadata["raion"] == "Володимир-Волинський район"
    assert rural.metadata["hromada_type"] == "rural"
    assert rural.metadata["population"] == 3522
    assert rural.metadata["katottg"] == "UA07020090000019505"
    assert rural.metadata["strategy_year"] == 2025
    assert documents[0].metadata["hromada_type"] == "urban"


def test_the_release_is_recognised_by_its_content_and_record_files_are_not():
    assert looks_like_strategies(json.loads(FIXTURE.read_text(encoding="utf-8")))
    appeals = [
        {"id": "Г-17788", "date": "2014-11-17", "category": "Відсутність опалення", "text": "Нет отопления"}
    ]
    assert not looks_like_strategies(appeals)
    assert not looks_like_strategies({"Name": "Ніжинська", "Katottg": "UA74040250000063494", "Oblast": "x"})
    assert not looks_like_strategies([])


def test_a_file_that_is_not_the_release_is_an_unreadable_file(tmp_path):
    path = tmp_path / "appeals.json"
    path.write_text('[{"id": "1", "text": "Немає гарячої води"}]', encoding="utf-8")
    with pytest.raises(UnreadableFileError, match=r"appeals\.json"):
        read_strategies(path, source=str(path))
