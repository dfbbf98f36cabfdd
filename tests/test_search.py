"""Search and cited excerpts through the Python API, on a real indexed corpus."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime

import pytest
from docx import Document

from service.excerpt_export import ReportTitle, query_title, to_docx, to_markdown
from service.hromada import Hromada
from service.rank_fusion import reciprocal_rank_fusion
from service.search_types import InvalidQueryError, SearchFilters
from service.searcher import MAX_QUERY_CHARS
from tests.word_footnotes import cited_paragraphs, footnotes


@pytest.mark.parametrize("mode", ["hybrid", "dense", "lexical"])
def test_each_mode_finds_the_appeal_about_school_transport(indexed: Hromada, mode: str) -> None:
    hits = indexed.search("шкільний автобус не приїжджає, діти ходять пішки", k=5, mode=mode)
    assert [hit.rank for hit in hits] == list(range(1, len(hits) + 1))
    assert any("Лобачі" in hit.text for hit in hits[:3])


def test_dense_search_finds_meaning_without_shared_words(indexed: Hromada) -> None:
    # No word of the query is in the appeal about an elderly mother, but the meaning is.
    hits = indexed.search("догляд за самотньою літньою людиною", k=3, mode="dense")
    assert any("соціального працівника" in hit.text for hit in hits)


def test_a_russian_query_finds_ukrainian_documents(indexed: Hromada) -> None:
    hits = indexed.search("нет воды, старый водопровод прорвало", k=5)
    assert any(hit.kind in {"appeal", "proposal", "transcript"} and "вод" in hit.text.lower() for hit in hits)
    assert any("Шевченка" in hit.text or "водогін" in hit.text.lower() for hit in hits)


def test_kind_filter_returns_only_that_kind_and_a_full_list(indexed: Hromada) -> None:
    hits = indexed.search("повноваження сільської ради", k=4, filters=SearchFilters(kind="legislation"))
    assert len(hits) == 4
    assert {hit.kind for hit in hits} == {"legislation"}


def test_region_and_date_filters(indexed: Hromada) -> None:
    filters = SearchFilters(kind="appeal", region="житомирська", since="2025-02-10", until="2025-03-31")
    hits = indexed.search("проблема у селі", k=10, filters=filters)
    assert hits, "two Zhytomyr appeals fall in that period"
    for hit in hits:
        assert hit.region == "Житомирська область"
        assert "2025-02-10" <= hit.date[:10] <= "2025-03-31"
    assert {hit.doc_id for hit in hits} == {hit.doc_id for hit in hits if hit.kind == "appeal"}


def test_hits_are_one_per_page_and_one_per_article(indexed: Hromada) -> None:
    hits = indexed.search("правила змагань з танцювального спорту", k=10)
    pages = [(hit.doc_id, hit.page) for hit in hits if hit.page is not None]
    assert len(pages) == len(set(pages))
    law = indexed.search("виключна компетенція ради", k=10, filters=SearchFilters(kind="legislation"))
    articles = [(hit.doc_id, hit.section.split(",")[0]) for hit in law]
    assert len(articles) == len(set(articles))


def test_law_hits_are_cited_as_a_ukrainian_reader_expects(indexed: Hromada) -> None:
    hits = indexed.search(
        "виключна компетенція сільських, селищних, міських рад",
        k=3,
        filters=SearchFilters(kind="legislation"),
    )
    assert hits[0].citation.startswith("Закон України «Про місцеве самоврядування в Україні», ст. 26")


def test_transcript_and_pdf_citations_name_speaker_time_and_page(indexed: Hromada) -> None:
    turn = indexed.search("службове житло для вчителів", k=1, filters=SearchFilters(kind="transcript"))[0]
    assert turn.speaker and "Сидоренко" in turn.speaker
    assert "Сидоренко" in turn.citation and "10:11" in turn.citation
    page = indexed.search("вимоги до костюмів танцюристів", k=1, filters=SearchFilters(kind="note"))[0]
    assert page.page in {1, 2, 3} and page.citation.endswith(f"с. {page.page}")


def test_excerpts_are_exact_spans_with_numbered_citations(indexed: Hromada) -> None:
    excerpts = indexed.excerpts("аварійний водогін", k=3)
    assert [excerpt.number for excerpt in excerpts] == [1, 2, 3]
    for excerpt in excerpts:
        assert indexed.document(excerpt.doc_id).text[excerpt.start : excerpt.end] == excerpt.text
    report = ReportTitle(query_title("аварійний водогін"), "Аналітичний відділ асоціації")
    markdown = to_markdown(excerpts, report)
    assert "[^1]:" in markdown and "[^3]:" in markdown and excerpts[0].citation in markdown
    docx = Document(io.BytesIO(to_docx(excerpts, report)))
    assert footnotes(docx) == {excerpt.number: f"{excerpt.citation}." for excerpt in excerpts}
    assert [number for _, number in cited_paragraphs(docx)] == [1, 2, 3]


def test_a_docx_report_is_ukrainian_with_its_own_properties_and_footnotes(indexed: Hromada) -> None:
    excerpts = indexed.excerpts("мета проєкту водогону", k=3, filters=SearchFilters(kind="proposal"))
    made_at = datetime(2026, 3, 4, 10, 30, tzinfo=UTC)
    report = ReportTitle(query_title("мета проєкту водогону"), "Аналітичний відділ асоціації", made_at)
    blob = to_docx(excerpts, report)
    docx = Document(io.BytesIO(blob))
    properties = docx.core_properties
    assert properties.title == "Витяги: «мета проєкту водогону» — 4 березня 2026 р."
    assert properties.author == "Аналітичний відділ асоціації" and properties.created == made_at
    assert properties.language == "uk-UA"
    assert docx.paragraphs[0].text == properties.title and docx.paragraphs[0].style.name == "Heading 1"
    with zipfile.ZipFile(io.BytesIO(blob)) as package:
        styles = package.read("word/styles.xml").decode()
        assert 'w:val="uk-UA"' in styles and "en-US" not in styles
        assert "word/footnotes.xml" in package.namelist()
    cited = cited_paragraphs(docx)
    assert len(cited) == len(excerpts) and all(text.endswith("»") for text, _ in cited)
    # A source's Markdown heading is shown as a bold heading line, never with its «##».
    body = "\n".join(paragraph.text for paragraph in docx.paragraphs)
    assert "#" not in body and any(excerpt.text.lstrip().startswith("#") for excerpt in excerpts)
    assert '"' not in body + "".join(footnotes(docx).values())


def test_invalid_queries_are_refused_with_the_field_named(indexed: Hromada) -> None:
    with pytest.raises(InvalidQueryError, match="empty"):
        indexed.search("   ")
    with pytest.raises(InvalidQueryError, match="k must be"):
        indexed.search("школа", k=0)
    with pytest.raises(InvalidQueryError, match="mode"):
        indexed.search("школа", mode="fuzzy")
    with pytest.raises(InvalidQueryError, match="since"):
        SearchFilters(since="14.03.2025")
    with pytest.raises(InvalidQueryError, match="kind"):
        SearchFilters(kind="poem")


def test_reciprocal_rank_fusion_matches_its_definition() -> None:
    fused = reciprocal_rank_fusion([[1, 2, 3], [3, 1]], k=60)
    expected = {1: 1 / 61 + 1 / 62, 2: 1 / 62, 3: 1 / 63 + 1 / 61}
    assert [item for item, _ in fused] == sorted(expected, key=lambda item: -expected[item])
    assert all(abs(score - expected[item]) < 1e-12 for item, score in fused)


def test_highlights_mark_the_query_lemmas_not_shared_prefixes(indexed: Hromada) -> None:
    # By lemmas, so that what is found does not hang on near-ties of the hybrid ranking: this test is about
    # what is marked in a hit. «статут» alone finds the passage that names it; with «громада» beside it, the
    # hits also hold «Стаття» and «статті», which share «стат» with «статут» and must stay unmarked.
    legislation = SearchFilters(kind="legislation")
    for query in ("статут", "статут територіальної громади"):
        hits = indexed.search(query, k=20, filters=legislation, mode="lexical")
        marked = [hit.text[start:end].casefold() for hit in hits for start, end in hit.highlights]
        assert not any(word.startswith("стат") and not word.startswith("статут") for word in marked), query
        if query == "статут":
            assert hits and any(word.startswith("статут") for word in marked)
        else:
            unmarked = {word for hit in hits for word in re.findall(r"стат\w*", hit.text.casefold())}
            assert unmarked - {word for word in unmarked if word.startswith("статут")}, "a hit says «Стаття»"


def test_an_answer_counts_its_matches_and_says_when_nothing_is_close(indexed: Hromada) -> None:
    municipal = indexed.search_answer("аварійний водогін у селі", k=3)
    assert municipal.close_match is True and municipal.total and not municipal.cut
    assert all(hit.relevance and 0 < hit.relevance.similarity <= 1 for hit in municipal.hits)
    nonsense = indexed.search_answer("ккккккк zzzqqq", k=3)
    assert nonsense.close_match is False and nonsense.total == 0 and nonsense.hits
    assert indexed.search_answer("аварійний водогін", k=3, mode="dense").total is None


def test_a_query_past_the_limit_is_cut_at_a_word_and_says_so(indexed: Hromada) -> None:
    long_query = "ремонт водогону в громаді " * 120
    answer = indexed.search_answer(long_query, k=2)
    assert answer.cut and len(answer.query) <= MAX_QUERY_CHARS and long_query.startswith(answer.query)
    assert answer.query.endswith(("ремонт", "водогону", "в", "громаді")) and answer.hits
