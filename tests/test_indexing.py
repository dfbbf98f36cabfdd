"""Indexing through the Python API: offsets, pages, kinds, incremental runs, deletion and bad input.

None of it depends on what the vectors mean: the stores hold the fake encoder's vectors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from indexing.indexer import IndexOptions
from service.hromada import DocumentNotFoundError, Hromada


def all_chunks(hromada: Hromada) -> list:
    return list(hromada.store().iter_chunks())


def test_every_chunk_is_the_exact_span_of_its_document(fake_indexed: Hromada) -> None:
    chunks = all_chunks(fake_indexed)
    assert len(chunks) > 20
    for chunk in chunks:
        document = fake_indexed.document(chunk.doc_id)
        assert document.text[chunk.start : chunk.end] == chunk.text


def test_pdf_chunks_carry_the_page_they_come_from(fake_indexed: Hromada, corpus: Path) -> None:
    pdf_chunks = [chunk for chunk in all_chunks(fake_indexed) if chunk.source.endswith("sport-rules.pdf")]
    assert {chunk.page for chunk in pdf_chunks} == {1, 2, 3}
    pages = PdfReader(corpus / "sport-rules.pdf").pages
    for chunk in pdf_chunks:
        document = fake_indexed.document(chunk.doc_id)
        page_start, page_end = _page_span(document.page_starts, chunk.page, len(document.text))
        assert page_start <= chunk.start < chunk.end <= page_end, "a chunk never spans two pages"
        # The chunk's first words are on that page of the PDF itself (look-alike letters aside).
        first_word = max(chunk.text.split()[:6], key=len)
        assert first_word[:4].lower() in _cyrillic(pages[chunk.page - 1].extract_text()).lower()


def _page_span(page_starts: list[int], page: int, length: int) -> tuple[int, int]:
    end = page_starts[page] if page < len(page_starts) else length
    return page_starts[page - 1], end


def _cyrillic(text: str) -> str:
    return text.translate(str.maketrans("iopaceyxIOPACEYXTHKBM", "іорасеухІОРАСЕУХТНКВМ"))


def test_kinds_are_detected_and_recorded(fake_indexed: Hromada) -> None:
    kinds = {
        Path(chunk.source).parent.name or Path(chunk.source).name: chunk.kind
        for chunk in all_chunks(fake_indexed)
    }
    assert kinds["transcripts"] == "transcript"
    assert kinds["proposals"] == "proposal"
    assert kinds["appeals"] == "appeal"
    legislation = [chunk for chunk in all_chunks(fake_indexed) if chunk.kind == "legislation"]
    assert any(chunk.section and chunk.section.startswith("ст. 26") for chunk in legislation)


def test_languages_are_recorded_per_document(fake_indexed: Hromada) -> None:
    appeals = [chunk for chunk in all_chunks(fake_indexed) if chunk.kind == "appeal"]
    languages = {chunk.record_id: fake_indexed.document(chunk.doc_id).language for chunk in appeals}
    assert languages["A-2025-001"] == "uk"
    assert languages["A-2025-004"] == "ru"


def test_unchanged_files_are_skipped_and_changed_files_replaced(
    fake_fresh: Hromada, corpus: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "docs"
    shutil.copytree(corpus / "proposals", folder)
    proposals = len(list(folder.iterdir()))
    first = fake_fresh.index([folder])
    assert len(first.indexed) == proposals and first.chunks > 0
    second = fake_fresh.index([folder])
    assert second.indexed == [] and len(second.unchanged) == proposals

    proposal = next(folder.glob("*vodohin*"))
    proposal.write_text(
        proposal.read_text(encoding="utf-8") + "\n## Ризики\nЗростання цін на труби.\n", "utf-8"
    )
    third = fake_fresh.index([folder])
    assert third.indexed == [str(proposal)]
    texts = [chunk.text for chunk in all_chunks(fake_fresh) if chunk.source == str(proposal)]
    assert any("Зростання цін на труби" in text for text in texts)
    assert fake_fresh.stats()["documents"] == proposals, "the old version's document is gone"
    assert fake_fresh.check() == []


def test_delete_removes_a_document_and_indexing_again_restores_it(fake_fresh: Hromada, corpus: Path) -> None:
    appeals = corpus / "appeals"
    fake_fresh.index([appeals])
    before = fake_fresh.stats()
    victim = next(chunk for chunk in all_chunks(fake_fresh) if chunk.record_id == "A-2025-003")
    fake_fresh.delete(victim.doc_id)
    assert fake_fresh.stats()["documents"] == before["documents"] - 1
    with pytest.raises(DocumentNotFoundError):
        fake_fresh.document(victim.doc_id)
    assert all(hit.doc_id != victim.doc_id for hit in fake_fresh.search("немає води водогін", k=10))
    with pytest.raises(DocumentNotFoundError):
        fake_fresh.delete(victim.doc_id)

    again = fake_fresh.index([appeals])
    assert again.documents == 1, "only the deleted record is indexed again"
    assert fake_fresh.stats()["documents"] == before["documents"]
    assert fake_fresh.check() == []


def test_bad_files_are_reported_and_the_rest_indexed(
    fake_fresh: Hromada, corpus: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "mixed"
    shutil.copytree(corpus / "proposals", folder)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 40)
    (folder / "fake.pdf").write_text("це не PDF, а звичайний текст", encoding="utf-8")
    (folder / "broken.jsonl").write_text(
        '{"id": 1, "text": "Прошу відремонтувати дах"}\n{"id": 2, "text": \n', "utf-8"
    )
    report = fake_fresh.index([folder])
    failed = {Path(failure.path).name: failure.error for failure in report.failed}
    assert set(failed) == {"empty.txt", "binary.txt", "fake.pdf", "broken.jsonl"}
    assert "line 2" in failed["broken.jsonl"]
    assert len(report.indexed) == len(list((corpus / "proposals").iterdir()))
    assert fake_fresh.check() == []


def test_a_failed_run_leaves_what_was_indexed_untouched(
    fake_fresh: Hromada, corpus: Path, tmp_path: Path
) -> None:
    fake_fresh.index([corpus / "appeals"])
    before = (fake_fresh.stats(), [chunk.text for chunk in all_chunks(fake_fresh)])
    bad = tmp_path / "bad.csv"
    bad.write_text("id;body\n1;немає тексту\n", encoding="utf-8")
    report = fake_fresh.index([bad])
    assert report.failed and "text" in report.failed[0].error
    assert (fake_fresh.stats(), [chunk.text for chunk in all_chunks(fake_fresh)]) == before


def test_forced_kind_and_metadata_apply_to_every_document(fake_fresh: Hromada, corpus: Path) -> None:
    options = IndexOptions(kind="note", metadata={"region": "Полтавська область", "date": "2025-03-14"})
    report = fake_fresh.index([corpus / "transcripts"], options)
    assert {choice.kind for choice in report.kinds} == {"note"}
    chunks = all_chunks(fake_fresh)
    assert {chunk.kind for chunk in chunks} == {"note"}
    assert {chunk.region for chunk in chunks} == {"Полтавська область"}


def test_only_selects_records_of_a_large_file(fake_fresh: Hromada, corpus: Path) -> None:
    report = fake_fresh.index([corpus / "appeals"], IndexOptions(only=("A-2025-00",)))
    assert report.documents == 9  # A-2025-001 … 009, not 010
    records = {chunk.record_id for chunk in all_chunks(fake_fresh)}
    assert "A-2025-010" not in records and "A-2025-001" in records


def test_a_subset_leaves_the_file_open_for_more_records(fake_fresh: Hromada, corpus: Path) -> None:
    appeals = corpus / "appeals"
    first = fake_fresh.index([appeals], IndexOptions(only=("A-2025-001", "A-2025-002")))
    more = fake_fresh.index([appeals], IndexOptions(only=("A-2025-00",)))
    again = fake_fresh.index([appeals], IndexOptions(only=("A-2025-00",)))
    rest = fake_fresh.index([appeals])

    # A-2025-001..009 match "A-2025-00"; the rest of the 32 appeals come with the last run.
    assert (first.documents, more.documents, rest.documents) == (2, 7, 23)
    assert again.documents == 0 and again.unchanged == [str(appeals / "appeals-2025.jsonl")]
    assert fake_fresh.index([appeals]).unchanged == [str(appeals / "appeals-2025.jsonl")]


def test_document_metadata_comes_from_records(fake_indexed: Hromada) -> None:
    appeal = next(chunk for chunk in all_chunks(fake_indexed) if chunk.record_id == "A-2025-007")
    assert appeal.region == "Київська область"
    assert appeal.date and appeal.date.startswith("2025-03-09")
    assert json.dumps(fake_indexed.document(appeal.doc_id).metadata, ensure_ascii=False)
