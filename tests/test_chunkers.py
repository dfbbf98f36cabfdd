"""Chunkers on real and written Ukrainian documents, and their invariants on generated text."""

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexing.chunkers import chunk_document
from indexing.document import KINDS, ChunkSpan, NormalisedText
from indexing.readers.strategies_reader import read_strategies
from models.ukrainian_pipeline import UkrainianPipeline

FIXTURES = Path(__file__).parent / "fixtures"


def law_text() -> str:
    """Law 280/97-ВР rendered as the legislation reader renders acts: a title line, then each article."""
    act = json.loads((FIXTURES / "legislation" / "law-280-97-five-articles.json").read_text(encoding="utf-8"))
    articles = [f"{provision['title']}\n{provision['content']}" for provision in act["provisions"]]
    return "\n\n".join([act["title"], *articles])


def fixture_text(*parts: str) -> str:
    return FIXTURES.joinpath(*parts).read_text(encoding="utf-8")


def assert_invariants(chunks: list[ChunkSpan], normalised: NormalisedText, paginated: bool) -> None:
    previous_end = 0
    for chunk in chunks:
        assert chunk.start < chunk.end
        assert chunk.text == normalised.text[chunk.start : chunk.end]
        assert chunk.text == chunk.text.strip() != ""
        assert chunk.start >= previous_end, "chunks overlap or are out of order"
        previous_end = chunk.end
        if paginated:
            assert chunk.page == normalised.page_at(chunk.start)
            assert normalised.page_at(chunk.end - 1) == chunk.page, "a chunk crosses a page start"
        else:
            assert chunk.page is None


# Legislation


def test_short_articles_are_one_chunk_each_named_by_article(ukrainian_pipeline: UkrainianPipeline) -> None:
    normalised = NormalisedText(law_text())
    chunks = chunk_document(normalised, "legislation", ukrainian_pipeline, paginated=False)
    by_section = {chunk.section: chunk for chunk in chunks}
    assert by_section["ст. 2"].text.startswith("Стаття 2. Поняття місцевого самоврядування\n1. Місцеве")
    assert by_section["ст. 2"].heading == "Стаття 2. Поняття місцевого самоврядування"
    assert "ст. 6-1" in by_section
    assert_invariants(chunks, normalised, paginated=False)


def test_a_long_article_is_cut_by_parts_and_items(ukrainian_pipeline: UkrainianPipeline) -> None:
    normalised = NormalisedText(law_text())
    chunks = chunk_document(normalised, "legislation", ukrainian_pipeline, paginated=False)
    article_26 = [chunk for chunk in chunks if chunk.section and chunk.section.startswith("ст. 26")]
    sections = [chunk.section for chunk in article_26]
    # Part 1 (59 items) is cut at items, parts 2 and 5 are small enough to go together.
    assert sections[0].startswith("ст. 26, ч. 1, п. 1–")
    assert sections[-1] == "ст. 26, ч. 2–5"
    assert all(
        chunk.heading == "Стаття 26. Виключна компетенція сільських, селищних, міських рад"
        for chunk in article_26
    )
    assert all(len(chunk.text.split()) <= 350 for chunk in article_26)
    assert article_26[0].text.startswith("Стаття 26.")
    assert any(
        chunk.text.startswith("22 -3 ) затвердження") or "22 -3 )" in chunk.text for chunk in article_26
    )


def test_a_law_without_article_headings_falls_back_to_windows(ukrainian_pipeline: UkrainianPipeline) -> None:
    text = "Розпорядження голови громади. " + "Призначити відповідальним за благоустрій парку. " * 120
    normalised = NormalisedText(text)
    chunks = chunk_document(normalised, "legislation", ukrainian_pipeline, paginated=False)
    assert len(chunks) > 1
    assert all(chunk.section is None for chunk in chunks)
    assert_invariants(chunks, normalised, paginated=False)


# Transcripts


def test_parlamint_utterances_are_turns_with_their_ids_and_times(
    ukrainian_pipeline: UkrainianPipeline,
) -> None:
    normalised = NormalisedText(fixture_text("parlamint", "ParlaMint-UA_2016-01-26-m1.txt"))
    chunks = chunk_document(normalised, "transcript", ukrainian_pipeline, paginated=False)
    assert [chunk.section for chunk in chunks][:1] == ["ParlaMint-UA_2016-01-26-m1.u1"]
    assert {chunk.section for chunk in chunks} == {
        "ParlaMint-UA_2016-01-26-m1.u1",
        "ParlaMint-UA_2016-01-26-m1.u2",
        "ParlaMint-UA_2016-01-26-m1.u73",
        "ParlaMint-UA_2016-01-26-m1.u74",
    }
    assert not any(chunk.text.startswith("ParlaMint") for chunk in chunks), "the id is not speech"
    assert chunks[0].timestamp == "16:09:29"  # the first time written in the turn
    assert chunks[-1].timestamp == "17:58:48"  # the last time written before the chunk starts
    assert all(len(chunk.text.split()) <= 250 for chunk in chunks)
    assert_invariants(chunks, normalised, paginated=False)


def test_speaker_lines_give_speakers_and_short_turns_go_together(
    ukrainian_pipeline: UkrainianPipeline,
) -> None:
    normalised = NormalisedText(fixture_text("written", "transcript-village-council.txt"))
    chunks = chunk_document(normalised, "transcript", ukrainian_pipeline, paginated=False)
    assert chunks[0].text.startswith("Стенограма засідання") and chunks[0].speaker is None
    assert chunks[1].speaker == "ГОЛОВУЮЧИЙ"
    assert chunks[2].speaker == "Петренко І.П." and chunks[2].timestamp == "10:05"
    # «Дякую. Чи є запитання?», «Так.», «Будь ласка.», the question, the answer: short turns, one chunk
    # naming all their speakers.
    assert chunks[3].speaker == "ГОЛОВУЮЧИЙ; Іваненко Олена (депутатка); Петренко І.П."
    assert chunks[3].text.startswith("ГОЛОВУЮЧИЙ. Дякую. Чи є запитання?")
    assert chunks[3].text.endswith("Рішення прийнято.") and len(chunks) == 4
    assert chunks[3].timestamp == "10:05"  # the last time written before the chunk starts
    assert_invariants(chunks, normalised, paginated=False)


# Proposals, appeals, notes


def test_a_proposal_is_cut_by_its_section_headings(ukrainian_pipeline: UkrainianPipeline) -> None:
    normalised = NormalisedText(fixture_text("written", "proposal-bike-paths.txt"))
    chunks = chunk_document(normalised, "proposal", ukrainian_pipeline, paginated=False)
    assert [chunk.section for chunk in chunks] == [
        None,
        "Опис проблеми",
        "Мета проєкту",
        "Заходи",
        "Бюджет",
        "Партнери",
        "Очікувані результати",
    ]
    assert chunks[4].text.startswith("4. Бюджет\nЗагальна вартість")
    assert_invariants(chunks, normalised, paginated=False)


def test_a_list_section_is_cut_item_by_item_under_its_heading(ukrainian_pipeline: UkrainianPipeline) -> None:
    text = (
        "Проєктна пропозиція: «Чиста вода»\n\n"
        "Опис проблеми\nТри села не мають водогону, криниці влітку пересихають.\n\n"
        "Заходи\nУ межах проєкту громада проведе:\n"
        "1. Заміна 9 км магістральних мереж\nна поліетиленові труби.\n"
        "2. Буріння нової артезіанської свердловини.\n"
        "3.2.4.Встановлення станції знезалізнення\n"
    )
    normalised = NormalisedText(text)
    chunks = chunk_document(normalised, "proposal", ukrainian_pipeline, paginated=False)

    measures = [chunk for chunk in chunks if chunk.section == "Заходи"]
    assert [chunk.text for chunk in measures] == [
        "Заходи\nУ межах проєкту громада проведе:",  # the text introducing the list, under the heading line
        "1. Заміна 9 км магістральних мереж\nна поліетиленові труби.",  # a wrapped line stays with its item
        "2. Буріння нової артезіанської свердловини.",
        "3.2.4.Встановлення станції знезалізнення",
    ]
    # The items do not hold the heading, so they carry it for the embedder; a paragraph section stays whole.
    assert [chunk.heading for chunk in measures] == [None, "Заходи", "Заходи", "Заходи"]
    [problem] = [chunk for chunk in chunks if chunk.section == "Опис проблеми"]
    assert problem.text.endswith("пересихають.") and problem.heading is None
    assert_invariants(chunks, normalised, paginated=False)


def test_a_strategy_is_cut_into_its_challenges_goals_and_projects(ukrainian_pipeline: UkrainianPipeline) -> None:
    [document, _] = read_strategies(FIXTURES / "strategies" / "hromadas-sample.json", source="hromadas.json")
    normalised = NormalisedText(document.pages[0])
    chunks = chunk_document(normalised, "proposal", ukrainian_pipeline, paginated=False)

    challenges = [chunk.text for chunk in chunks if chunk.section == "Виклики"]
    assert challenges[0] == "- Близькість до країни-агресора відлякує інвесторів"
    assert all(text.count("\n") == 0 for text in challenges)  # one challenge a chunk
    goals = [chunk for chunk in chunks if chunk.section == "Стратегічні цілі"]
    assert goals[0].text.startswith("- Стратегічна ціль 1. Створення сприятливих умов для розвитку бізнесу")
    assert {chunk.heading for chunk in goals} == {"Стратегічні цілі"}
    assert_invariants(chunks, normalised, paginated=False)


def test_an_appeal_is_one_trimmed_chunk(ukrainian_pipeline: UkrainianPipeline) -> None:
    normalised = NormalisedText("\n  Прошу прибрати стихійний смітник за адресою вул. Овруцька, 19.  \n")
    chunks = chunk_document(normalised, "appeal", ukrainian_pipeline, paginated=False)
    assert [chunk.text for chunk in chunks] == [
        "Прошу прибрати стихійний смітник за адресою вул. Овруцька, 19."
    ]


def test_note_windows_end_at_sentences_and_stay_on_their_page(ukrainian_pipeline: UkrainianPipeline) -> None:
    page = "Змагання проводяться відповідно до регламенту федерації. Учасники мають право на апеляцію. "
    pages = [page * 30, page * 5]
    text = "\n\n".join(pages)
    normalised = NormalisedText(text, page_starts=[0, len(pages[0]) + 2])
    chunks = chunk_document(normalised, "note", ukrainian_pipeline, paginated=True)
    assert {chunk.page for chunk in chunks} == {1, 2}
    assert all(chunk.text.endswith(".") for chunk in chunks)
    assert all(len(chunk.text.split()) <= 250 for chunk in chunks)
    assert_invariants(chunks, normalised, paginated=True)


def test_an_article_running_over_a_page_is_cut_there(ukrainian_pipeline: UkrainianPipeline) -> None:
    text = law_text()
    middle_of_article_2 = text.index("2. Місцеве самоврядування здійснюється")
    normalised = NormalisedText(text, page_starts=[0, middle_of_article_2])
    chunks = chunk_document(normalised, "legislation", ukrainian_pipeline, paginated=True)
    article_2 = [chunk for chunk in chunks if chunk.section == "ст. 2"]
    assert [chunk.page for chunk in article_2] == [1, 2]
    assert_invariants(chunks, normalised, paginated=True)


def test_an_unknown_kind_is_refused(ukrainian_pipeline: UkrainianPipeline) -> None:
    with pytest.raises(ValueError, match="minutes"):
        chunk_document(NormalisedText("Текст"), "minutes", ukrainian_pipeline, paginated=False)


# Invariants on generated text: every chunker, structure or none, paginated or not.

FRAGMENTS = [
    "Стаття 26. Виключна компетенція рад\n",
    "Стаття 6-1. Старости\n",
    "1. Виключно на пленарних засіданнях вирішуються такі питання:\n",
    "2) утворення комісій ради;\n",
    "ГОЛОВУЮЧИЙ. ",
    "Петренко І.П.: ",
    "Іваненко Олена (голова громади): ",
    "ParlaMint-UA_2016-01-26-m1.u7\t",
    "[[16:09:29]] ",
    "Мета проєкту\n",
    "2. Бюджет:\n",
    "Прошу відремонтувати дорогу. ",
    "Рада затверджує бюджет громади на наступний рік. ",
    "у т. ч. ст. 26 м. Київ ",
    "слово ",
    "\n",
    "\n\n",
    "   ",
    "!",
]


@st.composite
def documents(draw: st.DrawFn) -> tuple[NormalisedText, bool]:
    text = "".join(draw(st.lists(st.sampled_from(FRAGMENTS), max_size=120)))
    paginated = draw(st.booleans())
    page_starts = [0]
    if paginated and len(text) > 1:
        page_starts += sorted(draw(st.sets(st.integers(1, len(text) - 1), max_size=5)))
    return NormalisedText(text, page_starts=page_starts), paginated


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=documents(), kind=st.sampled_from(KINDS))
def test_chunks_keep_their_invariants(
    ukrainian_pipeline: UkrainianPipeline, document: tuple[NormalisedText, bool], kind: str
) -> None:
    normalised, paginated = document
    chunks = chunk_document(normalised, kind, ukrainian_pipeline, paginated=paginated)
    assert_invariants(chunks, normalised, paginated)
    if "слово" in normalised.text:
        assert chunks, "a text with words of speech gives at least one chunk"
