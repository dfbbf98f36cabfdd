"""Kind detection on a real law, a real parliament transcript, a real request and texts written for tests."""

import json
from pathlib import Path

from indexing.kind_detector import detect_kind

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parents[1]


def law_text() -> str:
    """Law 280/97-ВР rendered as the legislation reader renders acts: a title line, then each article."""
    act = json.loads((FIXTURES / "legislation" / "law-280-97-five-articles.json").read_text(encoding="utf-8"))
    articles = [f"{provision['title']}\n{provision['content']}" for provision in act["provisions"]]
    return "\n\n".join([act["title"], *articles])


def test_a_law_is_legislation_and_the_reason_counts_its_articles() -> None:
    guess = detect_kind(law_text(), title="Про місцеве самоврядування в Україні")
    assert guess.kind == "legislation"
    assert "5 article headings" in guess.reason


def test_a_parlamint_sitting_is_a_transcript() -> None:
    text = (FIXTURES / "parlamint" / "ParlaMint-UA_2016-01-26-m1.txt").read_text(encoding="utf-8")
    guess = detect_kind(text)
    assert guess.kind == "transcript"
    assert "4 speaker turns" in guess.reason


def test_council_minutes_with_speaker_lines_are_a_transcript() -> None:
    text = (FIXTURES / "written" / "transcript-village-council.txt").read_text(encoding="utf-8")
    assert detect_kind(text).kind == "transcript"


def test_a_proposal_is_recognised_by_its_section_headings() -> None:
    text = (FIXTURES / "written" / "proposal-bike-paths.txt").read_text(encoding="utf-8")
    guess = detect_kind(text)
    assert guess.kind == "proposal"
    assert "«опис проблеми»" in guess.reason


def test_a_short_request_is_an_appeal() -> None:
    record = json.loads(
        (FIXTURES / "appeals" / "kyiv1551-languages.jsonl").read_text(encoding="utf-8").splitlines()[3]
    )
    assert record["id"] == "Г-9754"
    assert detect_kind(record["text"]).kind == "appeal"


def test_a_one_line_complaint_without_a_subject_is_an_appeal() -> None:
    assert detect_kind("Не працює пасажирський ліфт у третьому під'їзді").kind == "appeal"


def test_a_report_in_the_third_person_is_a_note() -> None:
    text = (
        "Звіт про виконання бюджету громади за перше півріччя. Доходи загального фонду склали 48 мільйонів "
        "гривень, що на 6 відсотків більше, ніж торік. Видатки на освіту зросли через підвищення заробітної "
        "плати вчителям. "
    ) * 40
    guess = detect_kind(text)
    assert guess.kind == "note"
    assert guess.reason


def test_one_article_quoted_in_a_letter_does_not_make_it_a_law() -> None:
    text = "Прошу роз'яснити, як застосовується\nСтаття 26. Виключна компетенція сільських, селищних рад"
    assert detect_kind(text).kind == "appeal"


def test_an_analytical_note_that_names_a_lack_is_still_a_note() -> None:
    text = (REPO / "sample-corpus" / "notes" / "note-ukryttia-osvita-2025.md").read_text(encoding="utf-8")
    guess = detect_kind(text)
    assert guess.kind == "note", guess.reason
    assert "аналітична записка" in guess.reason.lower()


def test_a_text_laid_out_in_headed_sections_is_a_note_not_an_appeal() -> None:
    text = "## Стан справ\nУ нас немає укриття в школі.\n\n## Висновки\nПотрібні кошти.\n"
    assert detect_kind(text).kind == "note"
    assert detect_kind("У нас немає укриття в школі. Просимо допомогти.").kind == "appeal"


def test_a_request_that_asks_for_a_report_is_still_an_appeal() -> None:
    assert detect_kind("Прошу надати звіт про ремонт даху нашого будинку.").kind == "appeal"
