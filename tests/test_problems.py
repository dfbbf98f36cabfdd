"""Recurring problems on real Kyiv 1551 appeals (Ukrainian and Russian) with the real embedder."""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from indexing.store import ItemFilter, Store, open_store
from indexing.store.problem_item import ProblemItem
from models.embedder import Embedder
from models.language_detector import detect_language
from models.ukrainian_pipeline import UkrainianPipeline
from service.problems import (
    BatchInputError,
    ProblemAnalysis,
    ProblemNotFoundError,
    ProblemService,
    get_problem,
    list_problems,
    read_batch,
    write_chart,
    write_problems_csv,
)

FIXTURE = Path(__file__).parent / "fixtures" / "problems" / "kyiv1551-appeals-100.jsonl"


@pytest.fixture(scope="module")
def records() -> list[dict]:
    """100 appeals: 5 categories, 14 Ukrainian and 6 Russian each (the category is never given to clustering)."""
    return [json.loads(line) for line in FIXTURE.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def items(records: list[dict]) -> list[ProblemItem]:
    return [ProblemItem(id=r["id"], text=r["text"], date=r["date"], kind="appeal") for r in records]


@pytest.fixture(scope="module")
def embeddings(embedder: Embedder, items: list[ProblemItem]) -> np.ndarray:
    """The statements' vectors as the service computes them: e5's "query: " prompt."""
    return embedder.embed_queries([item.text for item in items])


@pytest.fixture(scope="module")
def service(embedder: Embedder, ukrainian_pipeline: UkrainianPipeline) -> ProblemService:
    return ProblemService(embedder, ukrainian_pipeline, detect_language)


@pytest.fixture
def store(tmp_path: Path, embedder: Embedder) -> Store:
    """An empty store of the test's own: where saved problems live."""
    return open_store(tmp_path / "store", embedder.name, embedder.dimension)


def saved_problems(store: Store) -> list:
    with store.read() as reading:
        return list_problems(reading)


def _members(report_assignments: list) -> dict[str, set[str]]:
    groups: dict[str, set[str]] = {}
    for assignment in report_assignments:
        if assignment.problem_id is not None:
            groups.setdefault(assignment.problem_id, set()).add(assignment.item_id)
    return groups


def test_shuffled_input_gives_the_same_problems_and_ids(
    service: ProblemService, items: list[ProblemItem], embeddings: np.ndarray
) -> None:
    first = service.cluster_items(items, embeddings)
    order = list(range(len(items)))
    random.Random(5).shuffle(order)
    second = service.cluster_items([items[i] for i in order], embeddings[order])

    assert first.report.problems, "the fixture's categories should form problems"
    assert [p.to_json() for p in first.report.problems] == [p.to_json() for p in second.report.problems]
    assert _members(first.report.assignments) == _members(second.report.assignments)


def test_statements_are_embedded_with_the_query_prompt(
    service: ProblemService, embedder: Embedder, items: list[ProblemItem], embeddings: np.ndarray
) -> None:
    computed = _similarities(service.cluster_items(items))
    as_queries = _similarities(service.cluster_items(items, embeddings))
    as_passages = _similarities(
        service.cluster_items(items, embedder.embed_passages([item.text for item in items]))
    )

    assert np.allclose(computed, as_queries, atol=1e-4)
    assert not np.allclose(computed, as_passages, atol=1e-2)


def _similarities(analysis: ProblemAnalysis) -> np.ndarray:
    """Each item's similarity to its problem's centre, 0 when unassigned."""
    return np.array([a.similarity or 0.0 for a in analysis.report.assignments])


def test_problems_follow_the_categories_and_mix_languages(
    service: ProblemService, records: list[dict], items: list[ProblemItem], embeddings: np.ndarray
) -> None:
    analysis = service.cluster_items(items, embeddings)
    category = {r["id"]: r["category"] for r in records}
    language = {r["id"]: r["language"] for r in records}

    for problem_id, members in _members(analysis.report.assignments).items():
        top_share = Counter(category[i] for i in members).most_common(1)[0][1] / len(members)
        assert top_share >= 0.8, f"problem {problem_id} mixes categories"
    mixed = [
        members
        for members in _members(analysis.report.assignments).values()
        if {language[i] for i in members} == {"uk", "ru"}
    ]
    assert mixed, "Ukrainian and Russian appeals of the same problem should share a problem"


def test_labels_are_ukrainian(
    service: ProblemService, items: list[ProblemItem], embeddings: np.ndarray
) -> None:
    problems = service.cluster_items(items, embeddings).report.problems

    for problem in problems:
        assert problem.keywords
        assert detect_language(" ".join(problem.keywords)) in ("uk", "unknown"), problem.keywords
        assert not set("ыэъё") & set(problem.label.lower())
    labels = " ".join(problem.label.lower() for problem in problems)
    assert "ліфт" in labels


def test_examples_cite_members_closest_to_the_centre(
    service: ProblemService, items: list[ProblemItem], embeddings: np.ndarray
) -> None:
    problem = service.cluster_items(items, embeddings).report.problems[0]

    similarities = [example.similarity for example in problem.examples]
    assert len(problem.examples) == 3
    assert similarities == sorted(similarities, reverse=True)
    assert {example.item.id for example in problem.examples} <= {item.id for item in items}


def test_batches_keep_ids_and_a_resent_batch_counts_nothing_twice(
    service: ProblemService, items: list[ProblemItem], embeddings: np.ndarray, store: Store
) -> None:
    first = service.assign_batch(store, items[::2], embeddings[::2])
    sizes_before = {p.id: p.recurrence.size for p in saved_problems(store)}
    second = service.assign_batch(store, items[1::2], embeddings[1::2])
    sizes_after = {p.id: p.recurrence.size for p in saved_problems(store)}
    again = service.assign_batch(store, items[1::2], embeddings[1::2])

    assert set(first.new_problem_ids) <= set(sizes_after)
    assert all(sizes_after[i] >= sizes_before[i] for i in sizes_before)
    assigned_to_known = [a for a in second.assignments if a.problem_id in set(first.new_problem_ids)]
    assert len(assigned_to_known) >= len(second.assignments) / 2
    assert again.already_seen == len(items[1::2])
    assert again.new_problem_ids == []
    assert [a.to_json() for a in again.assignments] == [a.to_json() for a in second.assignments]
    assert {p.id: p.recurrence.size for p in saved_problems(store)} == sizes_after


def test_an_item_that_fits_no_problem_stays_unassigned(
    service: ProblemService, items: list[ProblemItem], embeddings: np.ndarray, store: Store
) -> None:
    service.assign_batch(store, items, embeddings)
    stranger = ProblemItem(id="x-1", text="Рецепт борщу: буряк, капуста, картопля, квасоля і трохи часнику.")
    report = service.assign_batch(store, [stranger])

    assert report.assignments[0].problem_id is None
    assert report.new_problem_ids == []


def test_recurrence_is_counted_by_month_and_region_and_filters_apply(
    service: ProblemService, items: list[ProblemItem], embeddings: np.ndarray, store: Store
) -> None:
    regional = [
        ProblemItem(
            id=i.id, text=i.text, date=i.date, region=("Поділ" if n % 2 else "Оболонь"), kind="appeal"
        )
        for n, i in enumerate(items)
    ]
    service.assign_batch(store, regional, embeddings)
    problem = saved_problems(store)[0]
    recurrence = problem.recurrence

    assert sum(recurrence.monthly_counts.values()) == recurrence.size
    assert set(recurrence.regions) == {"Поділ", "Оболонь"}
    assert recurrence.first_seen <= recurrence.last_seen
    assert recurrence.trend.direction in ("growing", "shrinking", "stable", "unknown")
    middle_day = sorted(example.item.date for example in problem.examples)[1]
    with store.read() as reading:
        later = get_problem(reading, problem.id, ItemFilter(since=middle_day))
        before = get_problem(reading, problem.id, ItemFilter(until="2013-01-01"))
        with pytest.raises(ProblemNotFoundError):
            get_problem(reading, "P-none")
    assert 0 < later.recurrence.size <= recurrence.size
    assert later.recurrence.first_seen >= middle_day
    assert before.recurrence.size == 0


@pytest.mark.parametrize(
    ("name", "content", "line", "field"),
    [
        ("wrong-columns.csv", "number,body\n1,Не працює ліфт\n", 1, "text"),
        ("empty-text.jsonl", '{"id": "a", "text": "Не працює ліфт"}\n{"id": "b", "text": "  "}\n', 2, "text"),
        (
            "broken.jsonl",
            '{"id": "a", "text": "Немає води"}\n{"id": "b", "text": "x"}\n{"id": "c", "te\n',
            3,
            "JSON",
        ),
        ("no-id.jsonl", '{"text": "Немає гарячої води"}\n', 1, "id"),
    ],
)
def test_a_bad_batch_file_is_refused_naming_the_line(
    tmp_path: Path, name: str, content: str, line: int, field: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")

    with pytest.raises(BatchInputError) as refused:
        read_batch(path)

    assert refused.value.line == line
    assert f"line {line}" in str(refused.value) and field in str(refused.value)


def test_a_rejected_batch_saves_nothing(
    service: ProblemService, items: list[ProblemItem], embeddings: np.ndarray, tmp_path: Path, store: Store
) -> None:
    service.assign_batch(store, items[:40], embeddings[:40])
    with store.read() as reading:
        before = reading.problem_counts()
    batch = tmp_path / "batch.jsonl"
    batch.write_text(
        json.dumps({"id": "n-1", "text": "Не працює ліфт"}, ensure_ascii=False)
        + "\n"
        + '{"id": "n-2", "text": ""}\n',
        encoding="utf-8",
    )

    with pytest.raises(BatchInputError):
        service.assign_batch(store, read_batch(batch))

    with store.read() as reading:
        assert reading.problem_counts() == before


def test_a_valid_csv_batch_is_read(tmp_path: Path) -> None:
    path = tmp_path / "batch.csv"
    path.write_text(
        "id,text,date,region\n1,Не працює ліфт,2015-03-02,Поділ\n2,Немає гарячої води,,\n", "utf-8"
    )

    items = read_batch(path)

    assert [(i.id, i.date, i.region) for i in items] == [("1", "2015-03-02", "Поділ"), ("2", None, None)]


def test_chart_and_csv_are_written(
    service: ProblemService, items: list[ProblemItem], embeddings: np.ndarray, tmp_path: Path
) -> None:
    problems = service.cluster_items(items, embeddings).report.problems
    write_chart(problems, tmp_path / "problems.png")
    write_chart(problems, tmp_path / "problems.svg")
    write_problems_csv(problems, tmp_path / "problems.csv")

    assert (tmp_path / "problems.png").read_bytes().startswith(b"\x89PNG")
    assert "<svg" in (tmp_path / "problems.svg").read_text(encoding="utf-8")
    rows = (tmp_path / "problems.csv").read_text(encoding="utf-8").splitlines()
    assert rows[0].startswith("id,label,keywords,size") and len(rows) == len(problems) + 1
