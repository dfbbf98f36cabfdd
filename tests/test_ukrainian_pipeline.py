"""The Ukrainian pipeline: sentence boundaries, lemma keys and keywords on real Ukrainian and Russian text."""

import pytest

from models.ukrainian_pipeline import UkrainianPipeline


def sentences(pipeline: UkrainianPipeline, text: str) -> list[str]:
    return [text[start:end] for start, end in pipeline.sentence_spans(text)]


def test_abbreviations_and_initials_do_not_end_a_sentence(ukrainian_pipeline: UkrainianPipeline) -> None:
    text = (
        "Відповідно до ст. 26 Закону рада вирішує питання бюджету, у т. ч. видатки. "
        "Засідання відбулося в м. Київ, вул. Хрещатик, буд. 36. "
        "Петренко І.П. доповів про виконання п. 1 рішення. Чи є запитання?"
    )
    assert sentences(ukrainian_pipeline, text) == [
        "Відповідно до ст. 26 Закону рада вирішує питання бюджету, у т. ч. видатки.",
        "Засідання відбулося в м. Київ, вул. Хрещатик, буд. 36.",
        "Петренко І.П. доповів про виконання п. 1 рішення.",
        "Чи є запитання?",
    ]


def test_items_of_a_law_are_sentences_of_their_own(ukrainian_pipeline: UkrainianPipeline) -> None:
    text = "вирішуються такі питання:\n1) затвердження регламенту ради;\n2) утворення комісій ради;"
    assert sentences(ukrainian_pipeline, text) == [
        "вирішуються такі питання:",
        "1) затвердження регламенту ради;",
        "2) утворення комісій ради;",
    ]


def test_sentence_spans_are_offsets_into_the_text(ukrainian_pipeline: UkrainianPipeline) -> None:
    text = "  Перше речення.   Друге речення!\n\nТретє  "
    spans = ukrainian_pipeline.sentence_spans(text)
    assert [text[start:end] for start, end in spans] == ["Перше речення.", "Друге речення!", "Третє"]


def test_inflected_forms_share_one_key(ukrainian_pipeline: UkrainianPipeline) -> None:
    assert ukrainian_pipeline.lemmas("громади громаді громадою") == ["громада"] * 3
    assert ukrainian_pipeline.lemmas("дороги доріг дорогою") == ["дорога"] * 3


def test_domain_readings_win_over_the_dictionarys_first(ukrainian_pipeline: UkrainianPipeline) -> None:
    # pymorphy3 reads «ради» as the unit «рад» and «води» as the verb «водити» first.
    assert ukrainian_pipeline.lemmas("сесія міської ради") == ["сесія", "міський", "рада"]
    assert ukrainian_pipeline.lemmas("немає гарячої води") == ["гарячий", "вода"]
    assert ukrainian_pipeline.lemmas("благоустрою") == ukrainian_pipeline.lemmas("благоустрій")


@pytest.mark.parametrize("apostrophe", ["'", "’", "ʼ"])
def test_every_apostrophe_gives_the_same_key(ukrainian_pipeline: UkrainianPipeline, apostrophe: str) -> None:
    assert ukrainian_pipeline.lemmas(f"об{apostrophe}єктів комунальної власності") == [
        "об'єкт",
        "комунальний",
        "власність",
    ]


def test_latin_lookalikes_inside_cyrillic_words_are_repaired(ukrainian_pipeline: UkrainianPipeline) -> None:
    assert ukrainian_pipeline.lemmas("Не працює лiфт") == ukrainian_pipeline.lemmas("Не працює ліфт")


def test_russian_words_are_lemmatised_with_the_russian_dictionary(
    ukrainian_pipeline: UkrainianPipeline,
) -> None:
    assert ukrainian_pipeline.lemmas("Нет горячей воды в подъезде, ещё нет отопления") == [
        "горячий",
        "вода",
        "подъезд",
        "отопление",
    ]


def test_stop_words_go_numbers_stay_hyphenated_words_split(ukrainian_pipeline: UkrainianPipeline) -> None:
    lemmas = ukrainian_pipeline.lemmas("Про це йдеться у ст. 26 щодо соціально-економічного розвитку")
    assert "26" in lemmas
    assert {"про", "це", "у", "щодо"}.isdisjoint(lemmas)
    assert {"соціально", "економічний", "розвиток"} <= set(lemmas)


def test_lemma_text_is_the_same_for_a_document_and_a_query(ukrainian_pipeline: UkrainianPipeline) -> None:
    document = ukrainian_pipeline.lemma_text("Рада затверджує програму ремонту доріг громади.")
    query = ukrainian_pipeline.lemma_text("ремонт дороги")
    assert set(query.split()) <= set(document.split())


def test_keywords_are_nouns_and_adjectives(ukrainian_pipeline: UkrainianPipeline) -> None:
    keywords = ukrainian_pipeline.keyword_lemmas(
        "Просимо терміново відремонтувати зламаний ліфт у нашому будинку"
    )
    assert "ліфт" in keywords
    assert "будинок" in keywords
    assert "просити" not in keywords
    assert "відремонтувати" not in keywords


def test_empty_and_punctuation_only_text(ukrainian_pipeline: UkrainianPipeline) -> None:
    assert ukrainian_pipeline.lemmas("") == []
    assert ukrainian_pipeline.lemma_text(" — ; !") == ""
    assert ukrainian_pipeline.sentence_spans("   \n ") == []
