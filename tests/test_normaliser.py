"""Normalisation of real Ukrainian text: what is repaired, what is kept, and where each page starts."""

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from indexing.normaliser import normalise, normalise_with_stats

# Text from the rules of sports dance competitions (unlp2026-sport), as pypdf extracts it: Latin «p» and «i»
# inside Cyrillic words, the page number as the first line, spaces before line ends.
SPORT_RULES_PAGE = (
    "15 \n \n \n5) не має пpава змінити умови пpоведення спортивних змагань, \n"
    "встановлених Регламентом та цими Правилами; \n"
    "6) оголошує iнфоpмацiю щодо pезультатів тiльки тих танцювальних \n"
    "7) підписує пiдсумковий пpотокол спортивних змагань i pезультати \n"
)
LAW_ARTICLE_2 = (
    "Стаття 2. Поняття місцевого самоврядування\n"
    "1. Місцеве самоврядування в Україні - це гарантоване державою право та реальна здатність "
    "територіальної громади вирішувати питання місцевого значення в межах Конституції і законів України.\n"
    "2. Місцеве самоврядування здійснюється територіальними громадами сіл, селищ, міст як безпосередньо, "
    "так і через сільські, селищні, міські ради та їх виконавчі органи."
)


def test_latin_lookalikes_inside_cyrillic_words_become_cyrillic() -> None:
    text, stats = normalise_with_stats([SPORT_RULES_PAGE])

    assert "не має права змінити умови проведення" in text.text
    assert "оголошує інформацію щодо результатів тільки" in text.text
    assert "підсумковий протокол спортивних змагань і результати" in text.text
    assert not any("a" <= char.lower() <= "z" for char in text.text)
    assert stats.lookalike_letters_fixed == 11


def test_real_latin_words_and_roman_numerals_are_left_alone() -> None:
    page = "Змагання JJIF за ІV системою; вправа Shield for distance; Wi-Fi у залі суддiв."

    text = normalise([page]).text

    assert text == "Змагання JJIF за ІV системою; вправа Shield for distance; Wi-Fi у залі суддів."


def test_unicode_is_composed_and_invisible_characters_dropped() -> None:
    decomposed = unicodedata.normalize("NFD", "Київ, район, її")
    page = f"{decomposed}\u200b, соціаль\u00adний\ue000 захист\x07"

    text = normalise([page]).text

    assert text == "Київ, район, її, соціальний захист"


def test_whitespace_is_collapsed_but_lines_and_paragraphs_are_kept() -> None:
    page = "  Стаття 3.\tПраво громадян  на участь \n\n \n\n1. Громадяни\u00a0України мають право\r\n2. Будь "

    text = normalise([page]).text

    assert text == "Стаття 3. Право громадян на участь\n\n1. Громадяни України мають право\n2. Будь"


def test_word_broken_at_line_end_is_joined() -> None:
    page = "Органи місцевого самоврядування вживають заходів щодо забезпе-\nчення прав громадян."

    text, stats = normalise_with_stats([page])

    assert text.text == "Органи місцевого самоврядування вживають заходів щодо забезпечення прав громадян."
    assert stats.hyphenations_joined == 1


def test_compound_the_document_writes_with_a_hyphen_keeps_its_hyphen() -> None:
    page = (
        "Програма соціально-економічного розвитку громади.\n"
        "Рада затверджує програму соціально-\nекономічного розвитку та звіт про її виконання."
    )

    text, stats = normalise_with_stats([page])

    assert "програму соціально-економічного розвитку" in text.text
    assert stats.hyphenated_compounds_kept == 1
    assert stats.hyphenations_joined == 0


def test_compound_of_two_words_of_the_document_keeps_its_hyphen() -> None:
    page = (
        "До складу колегії входять судді та інформатор.\n"
        "Рішення оголошує головний суддя; протокол передають судді-\nінформатору після кожного туру."
    )

    assert "передають судді-інформатору після" in normalise([page]).text


def test_compound_adjective_after_an_adverb_stem_keeps_its_hyphen() -> None:
    page = "Вимоги до медико-санітарного забезпечення та санітарно-\nгігієнічного стану місць змагань."

    assert "та санітарно-гігієнічного стану" in normalise([page]).text


def test_line_end_hyphen_before_a_capital_letter_is_not_joined() -> None:
    page = "Змагання в місті Івано-\nФранківськ тривали два дні."

    assert normalise([page]).text == page


def test_soft_hyphen_at_line_end_joins_the_word() -> None:
    assert normalise(["виконавчих орга\u00ad\nнів ради"]).text == "виконавчих органів ради"


def test_page_numbers_and_running_titles_repeating_on_most_pages_are_removed() -> None:
    body = [
        "Стаття 4. Основні принципи",
        "Стаття 5. Система місцевого самоврядування",
        "Стаття 6.",
        "Кінець.",
    ]
    pages = [
        f"Закон про місцеве самоврядування\n{body[number]}\nТекст сторінки {number + 1}.\n{number + 1}"
        for number in range(4)
    ]

    text, stats = normalise_with_stats(pages)

    for number, start in enumerate(text.page_starts):
        assert text.text[start:].startswith(body[number])
    assert "Закон про місцеве самоврядування" not in text.text
    assert stats.running_lines_removed == 8


def test_two_pages_keep_their_first_lines() -> None:
    pages = ["Рішення сесії\nПро бюджет громади", "Рішення сесії\nПро благоустрій"]

    assert normalise(pages).text == "Рішення сесії\nПро бюджет громади\n\nРішення сесії\nПро благоустрій"


def test_pages_are_joined_with_a_paragraph_break_and_their_starts_recorded() -> None:
    pages = [LAW_ARTICLE_2, "", "  Стаття 3. Право громадян на участь у місцевому самоврядуванні  "]

    text = normalise(pages)

    assert len(text.page_starts) == 3
    assert text.text[text.page_starts[1] - 2 : text.page_starts[1]] == "\n\n"
    assert text.text[slice(*text.page_span(2))] == "\n\n"  # the empty page keeps its place
    assert text.text[text.page_starts[2] :] == "Стаття 3. Право громадян на участь у місцевому самоврядуванні"
    assert text.page_at(text.page_starts[2]) == 3


def test_no_pages_give_an_empty_text() -> None:
    assert normalise([]).text == ""


_PAGE_TEXT = st.text(
    alphabet=st.sampled_from(
        list("абвгґдеєжзиіїйклмнопрстуфхцчшщьюяАБІЇ aipcoTX0123456789.,-\n\t \u00a0\u00ad\ue001")
    ),
    max_size=200,
)


@given(st.lists(_PAGE_TEXT, max_size=6))
def test_every_page_lies_between_its_page_starts(pages: list[str]) -> None:
    text = normalise(pages)

    assert len(text.page_starts) == max(1, len(pages))
    segments = [text.text[slice(*text.page_span(number))] for number in range(1, len(pages) + 1)]
    assert "".join(segments) == text.text
    for segment in segments[:-1]:
        assert segment.endswith("\n\n")
    for segment in segments:
        page = segment.removesuffix("\n\n")
        assert page == page.strip()
        assert "\n\n\n" not in page


@given(st.lists(_PAGE_TEXT, min_size=1, max_size=2))
def test_a_page_normalises_the_same_alone_or_among_others(pages: list[str]) -> None:
    """Without running lines (fewer than three pages), pages are independent of each other.

    (A hyphenated line end may differ: the other page is part of the dictionary that decides it.)
    """
    hyphen_free = [page.replace("-", " ") for page in pages]
    text = normalise(hyphen_free)

    for number, page in enumerate(hyphen_free, start=1):
        assert text.text[slice(*text.page_span(number))].removesuffix("\n\n") == normalise([page]).text
