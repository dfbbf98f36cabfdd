"""Language detection on real citizens' requests (Kyiv 1551), labelled by hand, and on edge cases."""

import json
from pathlib import Path

import pytest

from models.language_detector import detect_language

FIXTURES = Path(__file__).parent / "fixtures"
REQUESTS = [
    json.loads(line)
    for line in (FIXTURES / "appeals" / "kyiv1551-languages.jsonl").read_text(encoding="utf-8").splitlines()
]


@pytest.mark.parametrize("request_record", REQUESTS, ids=[record["id"] for record in REQUESTS])
def test_real_requests_get_the_language_read_by_hand(request_record: dict) -> None:
    assert detect_language(request_record["text"]) == request_record["language"]


def test_latin_i_typed_for_the_ukrainian_letter_counts_as_ukrainian() -> None:
    assert detect_language("освiтлення мiж поверхами не вiдновлене, прошу поновити освiтлення") == "uk"


def test_short_russian_text_without_telling_letters_is_read_by_its_endings() -> None:
    assert detect_language("Отсутствует наружное освещение парадного.") == "ru"


def test_one_quoted_russian_word_does_not_make_a_ukrainian_text_mixed() -> None:
    text = "Мешканці будинку просять відремонтувати дах, який протікає вже третій рік, пишуть «ещё»."
    assert detect_language(text) == "uk"


def test_ukrainian_and_russian_paragraphs_together_are_mixed() -> None:
    text = (
        "Прошу відремонтувати дорогу біля школи, бо діти ходять по калюжах і це небезпечно.\n"
        "Уже второй год никто ничего не делает, и жильцы очень недовольны этим."
    )
    assert detect_language(text) == "mixed"


@pytest.mark.parametrize(
    ("text", "language"),
    [("Please repair the road near the school.", "other"), ("", "unknown"), ("12 34 56", "unknown")],
)
def test_text_without_cyrillic_evidence(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_a_long_text_is_judged_on_a_sample_of_it() -> None:
    paragraph = "Рада затверджує програму розвитку громади. Що буде з бюджетом, вирішить сесія. "
    assert detect_language(paragraph * 5000) == "uk"
