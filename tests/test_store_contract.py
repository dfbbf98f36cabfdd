"""What every store backend must do, run against each of them (in the spirit of txtai's ``testann``).

The ``address`` fixture yields the address of a fresh, empty store of each backend: a folder (SQLite + FAISS,
lemma keys ranked by BM25 in memory), a folder ranking them with SQLite's FTS5, and a database of a real
PostgreSQL 16 with pgvector (``postgres_server`` in conftest). Documents are
real Ukrainian texts of the sample corpus, read, chunked and lemmatised by hromada's own indexer; their vectors
come from a tiny deterministic encoder, since the contract needs vectors but not their meaning.
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from indexing.document import ChunkSpan
from indexing.errors import IncompatibleStoreError, StoreBusyError, StoreError
from indexing.indexer import Indexer, IndexOptions
from indexing.store import (
    ChunkFilter,
    ItemFilter,
    NewChunk,
    NewDocument,
    ProblemSetChangedError,
    Store,
    open_store,
    store_exists,
)
from indexing.store.problem_item import ProblemItem, StoredProblem
from indexing.store.problem_types import BatchRecord, BatchWrite, ItemPlacement
from models.ukrainian_pipeline import UkrainianPipeline
from service.problems import list_problems
from service.search_types import SearchFilters
from tests.hashing_encoder import HashingEncoder

SAMPLE = Path(__file__).resolve().parents[1] / "sample-corpus"
ENCODER = HashingEncoder()
BACKENDS = [
    pytest.param("folder", id="sqlite"),
    pytest.param("folder-fts5", id="sqlite-fts5"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]


def new_address(kind: str, request: pytest.FixtureRequest, folder: Path) -> str:
    """The address of a store that does not exist yet, of the backend ``kind``."""
    if kind.startswith("folder"):
        return str(folder / kind)
    return request.getfixturevalue("postgres_server").new_database()


def open_backend(address: str, *args: object, **options: object) -> Store:
    """``open_store``, with FTS5's ranking for a folder made for the ``folder-fts5`` backend."""
    lexical_index = "fts5" if address.endswith("folder-fts5") else "bm25"
    return open_store(address, *args, lexical_index=lexical_index, **options)  # type: ignore[arg-type]


@pytest.fixture(params=BACKENDS)
def address(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return new_address(request.param, request, tmp_path)


@pytest.fixture
def store(address: str) -> Iterator[Store]:
    with open_backend(address, ENCODER.name, ENCODER.dimension, busy_timeout=2) as opened:
        yield opened


def build_sample(folder: Path) -> Path:
    """The sample's appeals, transcripts, note and proposals, and its law on education (5 articles)."""
    for part in ("appeals", "transcripts", "proposals", "notes"):
        shutil.copytree(SAMPLE / part, folder / part)
    shutil.copy(SAMPLE / "laws/ua-law-2145-19.json", folder)
    return folder


def index_sample(store: Store, pipeline: UkrainianPipeline, folder: Path) -> None:
    """Index the sample; proposals are tagged ``education`` and the note ``health,education`` (sector tags
    come from the classifier in real runs, which needs the real model)."""
    indexer = Indexer(store, ENCODER, pipeline)  # type: ignore[arg-type]
    quiet = {"show_progress": False}
    for part, metadata in (
        ("appeals", {}),
        ("transcripts", {}),
        ("ua-law-2145-19.json", {}),
        ("proposals", {"sector": "education"}),
        ("notes", {"sector": "health,education"}),
    ):
        report = indexer.index([folder / part], IndexOptions(metadata=metadata, **quiet))
        assert not report.failed and report.indexed, report


@pytest.fixture(scope="module", params=BACKENDS)
def sample_store(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    ukrainian_pipeline: UkrainianPipeline,
) -> Iterator[Store]:
    """One store of each backend holding the sample, shared by the tests that only read."""
    folder = tmp_path_factory.mktemp("contract")
    address = new_address(request.param, request, folder)
    with open_backend(address, ENCODER.name, ENCODER.dimension) as store:
        index_sample(store, ukrainian_pipeline, build_sample(folder / "sample"))
        yield store


def lemma_document(text: str, pipeline: UkrainianPipeline, **fields: object) -> NewDocument:
    """A one-chunk document written straight to the store."""
    span = ChunkSpan(0, len(text), text)
    chunk = NewChunk(span, pipeline.lemma_text(text), ENCODER.embed([text])[0])
    return NewDocument(title=text[:30], kind="appeal", text=text, chunks=[chunk], **fields)  # type: ignore[arg-type]


def state(store: Store) -> tuple[dict[str, int], list[tuple[int, str]], list[tuple[int, float]]]:
    """What a reader sees: counts, every chunk, and a lexical and a dense ranking."""
    return (
        store.counts(),
        [(chunk.id, chunk.text) for chunk in store.iter_chunks()],
        store.lexical_search(["вода", "школа", "автобус"], 50)
        + store.dense_search(ENCODER.embed(["вода в школі"])[0], 50),
    )


# ---------------------------------------------------------------- opening


def test_a_store_is_made_only_when_a_model_is_given_and_another_model_is_refused(address: str) -> None:
    assert not store_exists(address)
    with pytest.raises(StoreError, match="no store here"):
        open_backend(address)
    open_backend(address, ENCODER.name, ENCODER.dimension).close()
    assert store_exists(address)
    with open_backend(address) as reopened:
        assert (reopened.model, reopened.dimension) == (ENCODER.name, ENCODER.dimension)
        assert reopened.counts() == {"sources": 0, "documents": 0, "chunks": 0}
        assert reopened.check() == []
    with pytest.raises(IncompatibleStoreError, match=f"built with the model {ENCODER.name}"):
        open_backend(address, "another-model", ENCODER.dimension)
    with pytest.raises(IncompatibleStoreError, match="dimensions"):
        open_backend(address, ENCODER.name, 2 * ENCODER.dimension)


# ---------------------------------------------------------------- indexing and citations


def test_indexed_documents_are_all_there_and_every_citation_holds(sample_store: Store) -> None:
    counts = sample_store.counts()
    kinds = sample_store.kind_counts()
    assert kinds == {"appeal": 32, "transcript": 4, "legislation": 1, "proposal": 4, "note": 1}
    assert counts["documents"] == sum(kinds.values()) and counts["sources"] == 11
    chunks = list(sample_store.iter_chunks(batch_size=7))
    assert len(chunks) == counts["chunks"] > 80
    assert [chunk.id for chunk in chunks] == sorted(chunk.id for chunk in chunks)
    texts = {}
    for chunk in chunks:
        if chunk.doc_id not in texts:
            document = sample_store.document(chunk.doc_id)
            assert document is not None
            texts[chunk.doc_id] = document.text
        assert chunk.text == texts[chunk.doc_id][chunk.start : chunk.end]
    assert sample_store.check() == []


def test_documents_and_chunks_read_back_as_written(sample_store: Store) -> None:
    listed = sample_store.documents(limit=5)
    assert [entry["id"] for entry in listed] == sorted((entry["id"] for entry in listed), reverse=True)
    law = next(d for d in sample_store.documents(limit=100) if d["kind"] == "legislation")
    document = sample_store.document(int(law["id"]))  # type: ignore[call-overload]
    assert document is not None and document.title == law["title"] == "Про освіту"
    assert document.chunk_count == law["chunks"] >= 5, "five articles, the long ones cut by part"
    assert document.source.endswith("ua-law-2145-19.json") and document.metadata
    assert sample_store.document(10**9) is None
    chunks = [chunk for chunk in sample_store.iter_chunks() if chunk.doc_id == document.id]
    wanted = [chunks[2].id, 10**9, chunks[0].id]
    assert [chunk.id for chunk in sample_store.chunks(wanted)] == [chunks[2].id, chunks[0].id]
    vectors = sample_store.vectors([chunks[1].id, chunks[0].id])
    assert vectors.dtype == np.float32 and vectors.shape == (2, ENCODER.dimension)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    assert sample_store.backends == [ENCODER.backend]


def test_an_unchanged_file_is_not_written_again_and_a_changed_one_replaces_its_chunks(
    store: Store, ukrainian_pipeline: UkrainianPipeline, tmp_path: Path
) -> None:
    indexer = Indexer(store, ENCODER, ukrainian_pipeline)  # type: ignore[arg-type]
    note = tmp_path / "note.md"
    note.write_text(
        "Полтавська область, 14 березня 2025 року\n\nУ селі немає питної води.\n", encoding="utf-8"
    )
    first = indexer.index([note], IndexOptions(show_progress=False))
    old_ids = [chunk.id for chunk in store.iter_chunks()]
    assert first.indexed == [str(note)] and old_ids
    assert indexer.index([note], IndexOptions(show_progress=False)).unchanged == [str(note)]
    note.write_text(
        "Житомирська обл., 2 квітня 2025 року\n\nНе працює вуличне освітлення.\n", encoding="utf-8"
    )
    assert indexer.index([note], IndexOptions(show_progress=False)).indexed == [str(note)]
    chunks = list(store.iter_chunks())
    assert store.counts() == {"sources": 1, "documents": 1, "chunks": len(chunks)}
    assert not {chunk.id for chunk in chunks} & set(old_ids), "the old version's chunks are gone"
    assert {chunk.region for chunk in chunks} == {"Житомирська область"}
    assert store.lexical_search(["вода"], 10) == []
    assert [i for i, _ in store.lexical_search(["освітлення"], 10)] == [chunk.id for chunk in chunks]
    assert store.dense_search(ENCODER.embed(["питна вода"])[0], 10)[0][0] in {chunk.id for chunk in chunks}
    assert store.check() == []


def test_a_large_file_in_several_writes_is_incomplete_until_its_last(
    store: Store, ukrainian_pipeline: UkrainianPipeline
) -> None:
    texts = ["Немає води в будинку.", "Не працює ліфт.", "Розбита дорога до школи."]
    documents = [
        lemma_document(text, ukrainian_pipeline, record_id=f"r{number}") for number, text in enumerate(texts)
    ]
    with store.write() as writer:
        writer.add_documents("/records.jsonl", "records.jsonl", "sha", 3, documents[:2], complete=False)
    state_after_first = store.source_state("/records.jsonl")
    assert state_after_first is not None and not state_after_first.complete
    assert state_after_first.record_ids == {"r0", "r1"}
    with store.write() as writer:
        writer.add_documents("/records.jsonl", "records.jsonl", "sha", 3, documents[2:], complete=True)
    final = store.source_state("/records.jsonl")
    assert final is not None and final.complete and final.record_ids == {"r0", "r1", "r2"}
    assert store.source_state("/never-indexed.txt") is None


# ---------------------------------------------------------------- deleting


def test_a_deleted_document_leaves_rows_and_both_indexes_and_comes_back_when_indexed_again(
    store: Store, ukrainian_pipeline: UkrainianPipeline
) -> None:
    texts = [
        "Немає води в будинку на вулиці Шкільній.",
        "Не працює ліфт у під'їзді.",
        "Немає шкільного автобуса.",
    ]
    documents = [lemma_document(t, ukrainian_pipeline, record_id=f"r{n}") for n, t in enumerate(texts)]
    with store.write() as writer:
        doc_ids = writer.add_documents("/a.jsonl", "a.jsonl", "sha-a", 3, documents)
    gone = store.chunks([c.id for c in store.iter_chunks() if c.doc_id == doc_ids[0]])
    with store.write() as writer:
        assert writer.delete_document(doc_ids[0])
        assert not writer.delete_document(10**9)
    assert store.document(doc_ids[0]) is None and store.chunks([gone[0].id]) == []
    assert gone[0].id not in {i for i, _ in store.lexical_search(["вода"], 10)}
    assert gone[0].id not in {i for i, _ in store.dense_search(ENCODER.embed([texts[0]])[0], 10)}
    state_after = store.source_state("/a.jsonl")
    assert state_after is not None and not state_after.complete and state_after.record_ids == {"r1", "r2"}
    with store.write() as writer:
        for doc_id in doc_ids[1:]:
            writer.delete_document(doc_id)
    assert store.source_state("/a.jsonl") is None, "a source with no documents left is forgotten"
    assert store.counts() == {"sources": 0, "documents": 0, "chunks": 0}
    assert store.check() == []


# ---------------------------------------------------------------- filters


def passes(chunk: object, chunk_filter: ChunkFilter) -> bool:
    """The filter's meaning, written out: what every backend's SQL must agree with."""
    date = (chunk.date or "")[:10]  # type: ignore[attr-defined]
    return (
        (not chunk_filter.kinds or chunk.kind in chunk_filter.kinds)  # type: ignore[attr-defined]
        and (not chunk_filter.sector or chunk_filter.sector in (chunk.sector or "").split(","))  # type: ignore[attr-defined]
        and (not chunk_filter.region or chunk.region == chunk_filter.region)  # type: ignore[attr-defined]
        and (not chunk_filter.since or (bool(date) and date >= chunk_filter.since))
        and (not chunk_filter.until or (bool(date) and date <= chunk_filter.until))
        and (not chunk_filter.doc_ids or chunk.doc_id in chunk_filter.doc_ids)  # type: ignore[attr-defined]
    )


def stored_day(store: Store, share: float) -> str:
    """A day some chunks carry, ``share`` of the way through the sorted days: bounds must include their own day."""
    days = sorted({chunk.date[:10] for chunk in store.iter_chunks() if chunk.date})
    return days[int(share * (len(days) - 1))]


FILTERS: list[Callable[[Store], ChunkFilter]] = [
    lambda _: SearchFilters(kind="appeal").to_chunk_filter(),
    lambda _: ChunkFilter(kinds=("transcript", "proposal")),
    lambda _: SearchFilters(sector="education").to_chunk_filter(),
    lambda _: SearchFilters(sector="health").to_chunk_filter(),
    # Any name of a place means its oblast, as the gazetteer stores it.
    lambda _: SearchFilters(region="Полтавщина").to_chunk_filter(),
    lambda _: SearchFilters(region="Решетилівська громада").to_chunk_filter(),
    lambda _: SearchFilters(region="м. Житомир", kind="transcript").to_chunk_filter(),
    lambda _: SearchFilters(since="2025-03-01").to_chunk_filter(),
    lambda _: SearchFilters(until="2025-02-15").to_chunk_filter(),
    lambda store: ChunkFilter(since=stored_day(store, 0.5)),
    lambda store: ChunkFilter(until=stored_day(store, 0.3)),
    lambda store: ChunkFilter(since=stored_day(store, 0.4), until=stored_day(store, 0.4)),
    lambda _: SearchFilters(
        since="2025-02-01", until="2025-05-31", region="Полтавська обл."
    ).to_chunk_filter(),
    lambda store: ChunkFilter(doc_ids=tuple(int(d["id"]) for d in store.documents(limit=3))),  # type: ignore[call-overload]
    lambda _: SearchFilters(region="Закарпатська область").to_chunk_filter(),
]


@pytest.mark.parametrize("make_filter", FILTERS)
def test_every_filter_means_the_same_in_listing_lexical_and_dense_search(
    sample_store: Store, make_filter: Callable[[Store], ChunkFilter]
) -> None:
    chunk_filter = make_filter(sample_store)
    everything = list(sample_store.iter_chunks())
    expected = {chunk.id for chunk in everything if passes(chunk, chunk_filter)}
    assert {chunk.id for chunk in sample_store.iter_chunks(chunk_filter)} == expected
    # Applied before ranking: asking for all of them gives all of them, never a list cut short by the filter.
    query = ENCODER.embed(["вода школа автобус"])[0]
    dense = sample_store.dense_search(query, len(everything), chunk_filter)
    assert {chunk_id for chunk_id, _ in dense} == expected
    top = sample_store.dense_search(query, 5, chunk_filter)
    assert len(top) == min(5, len(expected)) and [i for i, _ in top] == [i for i, _ in dense[: len(top)]]
    terms = ["вода", "школа", "рада", "автобус", "освіта"]
    unfiltered = {chunk_id for chunk_id, _ in sample_store.lexical_search(terms, len(everything))}
    lexical = sample_store.lexical_search(terms, len(everything), chunk_filter)
    assert {chunk_id for chunk_id, _ in lexical} == unfiltered & expected
    assert sample_store.lexical_count(terms, len(everything), chunk_filter) == len(lexical)
    assert sample_store.lexical_count(terms, 3, chunk_filter) == min(3, len(lexical))


def test_the_sample_has_something_for_every_filter_to_keep_and_to_drop(sample_store: Store) -> None:
    """The filter test would prove little on a filter that keeps everything or nothing."""
    everything = list(sample_store.iter_chunks())
    kept = [sum(passes(c, make_filter(sample_store)) for c in everything) for make_filter in FILTERS[:-1]]
    assert all(0 < count < len(everything) for count in kept), kept
    assert not any(passes(c, FILTERS[-1](sample_store)) for c in everything)


# ---------------------------------------------------------------- search


def test_lexical_search_matches_any_lemma_and_ranks_the_rarer_word_higher(sample_store: Store) -> None:
    school = {i for i, _ in sample_store.lexical_search(["школа"], 1000)}
    landfill = {i for i, _ in sample_store.lexical_search(["полігон"], 1000)}
    both = sample_store.lexical_search(["школа", "полігон"], 1000)
    assert school and landfill and {i for i, _ in both} == school | landfill
    scores = [score for _, score in both]
    assert scores == sorted(scores, reverse=True)
    assert len(landfill) < len(school) and both[0][0] in landfill, (
        "a rare lemma weighs more than a common one"
    )
    assert sample_store.lexical_search(["неіснуюче-слово"], 10) == []
    assert sample_store.lexical_search([], 10) == [] and sample_store.lexical_search(["школа"], 0) == []
    # Lemmas that look like query syntax are plain words in every backend.
    assert sample_store.lexical_search(['"школа', "OR", "ліфт)", "*", "&|!"], 1000) is not None


def test_dense_search_finds_a_stored_vector_first_with_cosine_one(sample_store: Store) -> None:
    chunks = list(sample_store.iter_chunks())
    vectors = sample_store.vectors([chunk.id for chunk in chunks])
    for number in (0, len(chunks) // 2, len(chunks) - 1):
        found = sample_store.dense_search(vectors[number], 10)
        assert found[0][0] == chunks[number].id and found[0][1] == pytest.approx(1.0, abs=1e-4)
        exact = vectors @ vectors[number]
        assert [score for _, score in found] == pytest.approx(np.sort(exact)[::-1][:10], abs=1e-4)
    assert sample_store.dense_search(vectors[0], 0) == []


# ---------------------------------------------------------------- atomic writes and writers taking turns


def test_a_write_that_fails_half_way_changes_nothing(
    store: Store, ukrainian_pipeline: UkrainianPipeline
) -> None:
    with store.write() as writer:
        writer.add_documents(
            "/a.jsonl", "a.jsonl", "a", 1, [lemma_document("Немає води в школі.", ukrainian_pipeline)]
        )
    before = state(store)
    with pytest.raises(RuntimeError), store.write() as writer:
        writer.add_documents(
            "/b.txt", "b.txt", "b", 1, [lemma_document("Шкільний автобус не їздить.", ukrainian_pipeline)]
        )
        writer.delete_document(int(store.documents()[0]["id"]))  # type: ignore[call-overload]
        writer.record_backend("another-backend")
        raise RuntimeError("a bad file in the middle of the write")
    assert state(store) == before
    assert store.backends == []
    assert store.check() == []


def test_a_second_writer_waits_then_is_told_the_store_is_busy(store: Store, address: str) -> None:
    with store.write(), open_backend(address, busy_timeout=0.3) as other:
        with pytest.raises(StoreBusyError, match="busy"), other.write():
            pass
        assert other.counts()["documents"] == 0, "readers do not wait for the writer"


# ---------------------------------------------------------------- problems


def problem_batch(version: int, batch: str, items: list[ProblemItem], problem_id: str | None) -> BatchWrite:
    """A batch as the problem service computes it: every item into ``problem_id`` (or left waiting)."""
    vector = np.ones(4) / 2
    placement = ItemPlacement(problem_id, 0.9 if problem_id else None)
    return BatchWrite(
        version=version,
        record=BatchRecord(batch, "2025-06-01T00:00:00+00:00", len(items), 0, 0, int(problem_id is not None)),
        items=[(item, placement, vector.astype(np.float32)) for item in items],
        waiting_placements={},
        problems=[
            StoredProblem(problem_id, "Водопостачання", ["вода"], len(items), vector * len(items), batch)
        ]
        if problem_id
        else [],
        added_keyword_counts={problem_id: Counter({"вода": len(items)})} if problem_id else {},
        settings={"assignment_threshold": "0.8"},
    )


ITEMS = [
    ProblemItem("w1", "Немає води", "2025-01-10", "Полтавська область", "appeal"),
    ProblemItem("w2", "Води немає третій день", "2025-02-11", "Житомирська область", "appeal"),
    ProblemItem("w3", "Прорвало водогін", "2025-03-12T10:00:00", "Полтавська область", "transcript"),
]


def test_problems_are_saved_from_a_snapshot_and_a_batch_computed_from_an_old_one_is_refused(
    store: Store,
) -> None:
    with store.read() as reading:
        empty = reading.problem_snapshot(["w1"])
        assert (empty.version, empty.problems, reading.problems()) == (0, [], [])
    with store.write() as writer:
        writer.save_problem_batch(problem_batch(0, "batch-00001", ITEMS[:2], "P1"))
    with store.read() as reading:
        snapshot = reading.problem_snapshot(["w1", "w3"])
        assert snapshot.version == 1 and [p.id for p in snapshot.problems] == ["P1"]
        assert set(snapshot.placements) == {"w1"} and snapshot.placements["w1"].problem_id == "P1"
        assert snapshot.keyword_counts == {"P1": Counter({"вода": 2})} and snapshot.batch_count == 1
        assert [item.id for item, _ in snapshot.central_members["P1"]] == ["w1", "w2"]
        assert snapshot.settings == {"assignment_threshold": "0.8"}
    stale = problem_batch(0, "batch-00002", ITEMS[2:], None)
    with pytest.raises(ProblemSetChangedError), store.write() as writer:
        writer.save_problem_batch(stale)
    with store.read() as reading:
        assert reading.problem_counts() == {"problems": 1, "items": 2, "placed_items": 2, "batches": 1}
    with store.write() as writer:
        writer.save_problem_batch(problem_batch(1, "batch-00002", ITEMS[2:], None))
    with store.read() as reading:
        waiting = reading.problem_snapshot([])
        assert [item.id for item in waiting.waiting] == ["w3"] and waiting.waiting_embeddings is not None
        assert waiting.version == 2


def test_saved_problems_are_listed_with_every_filter(store: Store) -> None:
    with store.write() as writer:
        writer.save_problem_batch(problem_batch(0, "batch-00001", ITEMS, "P1"))
    with store.read() as reading:
        sizes = {
            "all": list_problems(reading)[0].recurrence.size,
            "poltava": list_problems(reading, ItemFilter(region="Полтавська область"))[0].recurrence.size,
            "appeals": list_problems(reading, ItemFilter(kind="appeal"))[0].recurrence.size,
            "since": list_problems(reading, ItemFilter(since="2025-02-11"))[0].recurrence.size,
            "until": list_problems(reading, ItemFilter(until="2025-03-12"))[0].recurrence.size,
        }
        assert list_problems(reading, ItemFilter(region="Закарпатська область")) == []
        assert reading.monthly_totals(ItemFilter()) == {"2025-01": 1, "2025-02": 1, "2025-03": 1}
    assert sizes == {"all": 3, "poltava": 2, "appeals": 2, "since": 2, "until": 3}


def test_a_read_sees_one_state_while_a_batch_is_saved_meanwhile(store: Store) -> None:
    with store.read() as reading:
        assert reading.problem_counts()["items"] == 0
        with store.write() as writer:
            writer.save_problem_batch(problem_batch(0, "batch-00001", ITEMS, "P1"))
        assert reading.problem_counts()["items"] == 0 and reading.problems() == []
    with store.read() as reading:
        assert reading.problem_counts()["items"] == 3


def test_a_filter_gets_its_full_list_from_a_store_larger_than_one_index_probe(store: Store) -> None:
    """Approximate indexes gather a few hundred candidates and filter them afterwards. Half of 1,500 chunks lie far
    from the query and are dated later: asking for those, the list must still be full and in the exact order,
    and so for five of them in one region."""
    rng = np.random.default_rng(7)
    near = ENCODER.embed(["вода"])[0]
    documents = []
    for number in range(1500):
        far_away = number % 2 == 0
        vector = rng.standard_normal(ENCODER.dimension) + (0 if far_away else 6 * near)
        vector = (vector / np.linalg.norm(vector)).astype(np.float32)
        text = f"Звернення номер {number}: немає води."
        documents.append(
            NewDocument(
                title=f"Звернення {number}",
                kind="appeal",
                text=text,
                chunks=[NewChunk(ChunkSpan(0, len(text), text), "звернення номер вода", vector)],
                date="2025-06-01" if far_away else "2025-01-01",
                region="Закарпатська область" if number % 300 == 0 else "Полтавська область",
                record_id=str(number),
            )
        )
    with store.write() as writer:
        writer.add_documents("/many.jsonl", "many.jsonl", "sha", 1, documents)
    chunks = list(store.iter_chunks())
    closeness = store.vectors([chunk.id for chunk in chunks]) @ near
    for chunk_filter in (ChunkFilter(since="2025-06-01"), ChunkFilter(region="Закарпатська область")):
        allowed = [number for number, chunk in enumerate(chunks) if passes(chunk, chunk_filter)]
        exact = [chunks[number].id for number in sorted(allowed, key=lambda number: -closeness[number])]
        for k in (5, 20):
            assert [chunk_id for chunk_id, _ in store.dense_search(near, k, chunk_filter)] == exact[:k]


def test_api_key_records_kept_in_the_store_are_added_and_removed_atomically(store: Store) -> None:
    assert store.api_keys() is None, "no key was ever made: a server is open on loopback"
    record = {
        "id": "k1",
        "name": "аналітик",
        "role": "reader",
        "created": "2025-06-01T00:00:00+00:00",
        "sha256": "ab",
    }
    with store.write() as writer:
        writer.add_api_key(record)
    with pytest.raises(RuntimeError), store.write() as writer:
        writer.add_api_key({**record, "id": "k2"})
        raise RuntimeError("interrupted")
    assert store.api_keys() == [record]
    with store.write() as writer:
        assert writer.remove_api_key("k1") == record
        assert writer.remove_api_key("k1") is None
    assert store.api_keys() == [], "all revoked is not the same as never made"
