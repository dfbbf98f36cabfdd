"""Problems that read like problems: noun-phrase labels, the trend rule, and the months a chart spans."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from models.ukrainian_pipeline import UkrainianPipeline
from service.api import create_app
from service.cli import main
from service.hromada import Hromada
from service.problems.problem_labels import name_problems
from service.problems.recurrence import month_range, trend_of

# ---------------------------------------------------------------- noun phrases and labels


def phrases(pipeline: UkrainianPipeline, text: str) -> list[str]:
    return [phrase.text for phrase in pipeline.noun_phrases(text)]


def test_a_noun_phrase_takes_its_genitives_and_a_prepositional_group(
    ukrainian_pipeline: UkrainianPipeline,
) -> None:
    found = phrases(ukrainian_pipeline, "Просимо вирішити питання підвезення учнів до школи.")

    assert "підвезення учнів до школи" in found
    # «питання» frames the request; it never heads a phrase.
    assert not [phrase for phrase in found if phrase.startswith("питання")]


def test_the_head_and_its_adjectives_go_to_the_nominative_and_the_rest_keeps_its_case(
    ukrainian_pipeline: UkrainianPipeline,
) -> None:
    found = phrases(
        ukrainian_pipeline, "Через аварійний стан водогону немає води, а шкільного автобуса досі нема."
    )

    assert "аварійний стан водогону" in found
    assert "шкільний автобус" in found
    assert "відсутності вуличного освітлення" not in phrases(
        ukrainian_pipeline, "Скаржимося на відсутність вуличного освітлення"
    )
    assert "відсутність вуличного освітлення" in phrases(
        ukrainian_pipeline, "Через відсутності вуличного освітлення люди падають"
    )


def test_proper_nouns_keep_their_capitals_and_title_case_does_not(
    ukrainian_pipeline: UkrainianPipeline,
) -> None:
    assert "ремонт доріг у Києві" in phrases(ukrainian_pipeline, "Потрібен ремонт доріг у Києві.")
    assert "Лобачі" in phrases(ukrainian_pipeline, "Автобус не їде в село Лобачі")
    title_case = phrases(ukrainian_pipeline, "Обрив Металевих Листів Покрівлі")
    assert "обрив металевих листів покрівлі" in title_case


def test_two_problems_that_would_share_a_label_are_told_apart_by_keywords(
    ukrainian_pipeline: UkrainianPipeline,
) -> None:
    texts = ["Не працює ліфт у під'їзді.", "Ліфт не працює вже тиждень."]
    counts = [Counter({"ліфт": 9, "кнопка": 4}), Counter({"ліфт": 5, "вантажний": 3, "кабіна": 2})]

    names = name_problems(counts, [texts, texts], ukrainian_pipeline)

    labels = [name.label for name in names]
    assert len(set(labels)) == 2, labels
    assert all(label.startswith("Ліфт") for label in labels)
    assert "вантажний" in labels[1] and names[1].keywords[0] == "вантажний"


def test_a_problem_without_a_ukrainian_statement_is_named_by_a_keyword(
    ukrainian_pipeline: UkrainianPipeline,
) -> None:
    names = name_problems([Counter({"водопостачання": 3, "труба": 2})], [[]], ukrainian_pipeline)

    assert names[0].label == "Водопостачання"
    assert names[0].keywords == ["водопостачання", "труба"]


# ---------------------------------------------------------------- the trend rule


def series(counts: list[int], total: int = 40, start: str = "2024-01", extra_months: int = 0) -> tuple:
    months = month_range(start, "2030-12")[: len(counts) + extra_months]
    monthly = Counter({month: count for month, count in zip(months, counts, strict=False) if count})
    return monthly, Counter({month: total for month in months})


def test_two_three_three_two_is_too_little_data_and_over_more_months_stable() -> None:
    assert trend_of(*series([2, 3, 3, 2])).direction == "unknown"
    steady = trend_of(*series([2, 3, 3, 2, 3, 2, 3, 3, 2, 3]))
    assert steady.direction == "stable" and steady.p_value is not None and steady.p_value >= 0.05
    assert "Mann–Kendall" in (steady.test or "")


def test_a_clear_rise_grows_and_a_clear_fall_shrinks() -> None:
    rise = trend_of(*series([1, 2, 2, 3, 4, 5, 6, 8, 9, 11]))
    assert rise.direction == "growing" and rise.tau is not None and rise.tau > 0 and rise.p_value < 0.05
    fall = trend_of(*series([12, 10, 9, 7, 6, 4, 3, 2, 1, 1]))
    assert fall.direction == "shrinking"


def test_too_few_statements_is_too_little_data_even_over_many_months() -> None:
    assert trend_of(*series([1, 0, 1, 0, 1, 0, 1, 0, 1, 1])).direction == "unknown"


def test_the_trend_months_start_at_the_first_statement_and_run_to_the_collections_end() -> None:
    monthly, totals = series([0, 0, 0, 4, 5, 6], extra_months=2)
    trend = trend_of(monthly, totals)
    assert [month.month for month in trend.months] == month_range("2024-04", "2024-08")
    assert [month.count for month in trend.months] == [4, 5, 6, 0, 0]
    assert all(month.total == 40 for month in trend.months)


# ---------------------------------------------------------------- through the CLI and HTTP on the sample corpus


def listed(store: Path, capsys: pytest.CaptureFixture[str]) -> list[dict]:
    capsys.readouterr()
    assert main(["problems", "--store", str(store), "--json", "--min-size", "1"]) == 0
    return json.loads(capsys.readouterr().out)["problems"]


def test_sample_problems_are_labelled_by_ukrainian_phrases(
    clustered: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    problems = listed(clustered, capsys)

    assert problems
    labels = [problem["label"] for problem in problems]
    assert len(set(labels)) == len(labels), labels
    for problem in problems:
        label = problem["label"]
        heading = re.sub(r" \(.*\)$", "", label)  # keywords that tell two problems apart come in brackets
        assert "," not in heading, f"{label!r} is a list, not a phrase"
        assert label[0].isupper(), label
        assert not set("ыэъё") & set(label.lower()), label
        # Below the first letter, capitals only start proper nouns that the statements capitalise.
        statements = " ".join(example["text"] for example in problem["examples"])
        for word in re.findall(r"\b\w+", heading)[1:]:
            assert word.islower() or word in statements, f"{word!r} of {label!r}"
        assert problem["keywords"] and heading.lower() != ", ".join(problem["keywords"][:3])
    assert any(" " in label for label in labels), "some labels should be phrases of several words"


def test_the_months_of_a_problem_come_from_its_own_statements(
    clustered: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    problems = listed(clustered, capsys)
    dated = [problem for problem in problems if problem["first_seen"]]
    assert dated
    for problem in dated:
        months = [month["month"] for month in problem["trend_months"]]
        assert months[0] == problem["first_seen"][:7] == min(problem["monthly_counts"])
        assert months == month_range(months[0], months[-1])
        assert sum(month["count"] for month in problem["trend_months"]) == sum(
            problem["monthly_counts"].values()
        )
        assert problem["trend"] in ("growing", "shrinking", "stable", "unknown")

    first = dated[0]
    assert main(["problems", first["id"], "--store", str(clustered), "--csv", str(tmp_path / "p.csv")]) == 0
    shown = capsys.readouterr().out
    assert "Mann–Kendall" in shown and first["trend_months"][0]["month"] in shown
    row = (tmp_path / "p.csv").read_text(encoding="utf-8").splitlines()[1]
    assert f"{first['trend_months'][0]['month']}: {first['trend_months'][0]['count']}" in row


def test_the_problem_route_gives_the_trend_months_and_its_test(indexed: Hromada, clustered: Path) -> None:
    copy = Hromada(
        indexed.settings.model_copy(update={"store": clustered}), indexed.embedder, indexed.pipeline
    )
    client = TestClient(create_app(copy))
    problems = client.get("/problems", params={"min_size": 1}).json()["problems"]
    problem = client.get(f"/problems/{problems[0]['id']}").json()

    assert problem["trend_test"].startswith("Mann–Kendall")
    assert problem["trend_months"] and {"month", "count", "total"} <= set(problem["trend_months"][0])
