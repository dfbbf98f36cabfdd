"""The folder store on its own (SQLite + FTS5 + FAISS): atomic writes, crash recovery, refusal of foreign stores,
busy writers, IVF. What every backend must do is in ``test_store_contract.py``."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from indexing.document import ChunkSpan
from indexing.errors import IncompatibleStoreError, StoreBusyError, StoreError
from indexing.store import ChunkFilter, NewChunk, NewDocument, Store, open_store
from indexing.store.bm25_postings import Bm25Postings
from indexing.store.sqlite import faiss_index
from indexing.store.sqlite.faiss_index import FaissIndex
from indexing.store.write_lock import WriteLock

DIMENSION = 8
REPO = Path(__file__).resolve().parents[1]


def unit_vectors(count: int, seed: int = 0) -> np.ndarray:
    vectors = np.random.default_rng(seed).normal(size=(count, DIMENSION)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def document(text: str, vector: np.ndarray, **fields: object) -> NewDocument:
    span = ChunkSpan(0, len(text), text)
    return NewDocument(
        title=text[:20], kind="appeal", text=text, chunks=[NewChunk(span, text.lower(), vector)], **fields
    )


TEXTS = ["Немає води в будинку", "Не працює ліфт", "Розбита дорога до школи", "Не вивозять сміття"]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "store"


@pytest.fixture
def store(folder: Path) -> Store:
    store = open_store(folder, "test-model", DIMENSION)
    vectors = unit_vectors(len(TEXTS))
    with store.write() as writer:
        writer.add_documents(
            "/a.jsonl",
            "a.jsonl",
            "sha-a",
            10,
            [
                document(text, vector, region="Київ", date=f"2024-0{i + 1}-01")
                for i, (text, vector) in enumerate(zip(TEXTS, vectors, strict=True))
            ],
        )
    return store


def snapshot(store: Store) -> tuple[dict[str, int], list[str]]:
    return store.counts(), [chunk.text for chunk in store.iter_chunks()]


def test_a_write_that_fails_changes_nothing(store: Store) -> None:
    before = snapshot(store)
    with pytest.raises(RuntimeError), store.write() as writer:
        writer.add_documents(
            "/b.txt", "b.txt", "sha-b", 1, [document("Новий документ", unit_vectors(1, 5)[0])]
        )
        writer.delete_document(1)
        raise RuntimeError("a bad file in the middle of the write")
    assert snapshot(store) == before
    assert store.check() == []


def test_a_process_killed_before_commit_leaves_the_store_as_it_was(store: Store, folder: Path) -> None:
    before = snapshot(store)
    store.close()
    _run_and_die(folder, commit=False)
    reopened = open_store(folder, "test-model", DIMENSION)
    assert snapshot(reopened) == before
    assert reopened.check() == []


def test_a_process_killed_after_commit_but_before_saving_vectors_is_recovered(
    store: Store, folder: Path
) -> None:
    store.close()
    _run_and_die(folder, commit=True)
    reopened = open_store(folder, "test-model", DIMENSION)
    assert reopened.counts()["chunks"] == len(TEXTS) + 1
    new_id = max(chunk.id for chunk in reopened.iter_chunks())
    assert reopened.dense_search(reopened.vectors([new_id])[0], 1)[0][0] == new_id
    assert [chunk_id for chunk_id, _ in reopened.lexical_search(["t"], 5)] == [new_id]
    assert reopened.check() == []


def _run_and_die(folder: Path, commit: bool) -> None:
    """Open the store in another process, write a document, and die by SIGKILL before or after the commit."""
    script = textwrap.dedent(f"""
        import os, signal, numpy as np
        from indexing.document import ChunkSpan
        from indexing.store import NewChunk, NewDocument, open_store
        store = open_store({str(folder)!r}, "test-model", {DIMENSION})
        vector = np.ones({DIMENSION}, dtype=np.float32) / np.sqrt({DIMENSION})
        text = "Документ, що пишеться під час збою"
        doc = NewDocument(title="t", kind="note", text=text, chunks=[NewChunk(ChunkSpan(0, len(text), text), "t", vector)])
        if {commit}:
            with store.write(persist_indexes=False) as writer:
                writer.add_documents("/c", "c", "sha-c", 1, [doc])
            os.kill(os.getpid(), signal.SIGKILL)
        with store.write() as writer:
            writer.add_documents("/c", "c", "sha-c", 1, [doc])
            os.kill(os.getpid(), signal.SIGKILL)
    """)
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, timeout=120)
    assert result.returncode == -9, result.stderr.decode()


def test_lemma_postings_are_saved_by_the_writer_and_a_damaged_or_foreign_file_is_rebuilt(
    store: Store, folder: Path
) -> None:
    lift = next(chunk.id for chunk in store.iter_chunks() if "ліфт" in chunk.text)
    assert (folder / "lemmas.bm25").exists()
    store.close()
    foreign = Bm25Postings()
    foreign.add([lift + 100], ["ліфт"])
    for content in (b"damaged", foreign.to_bytes(generation=999)):
        (folder / "lemmas.bm25").write_bytes(content)
        reopened = open_store(folder, "test-model", DIMENSION)
        assert [chunk_id for chunk_id, _ in reopened.lexical_search(["ліфт"], 5)] == [lift]
        assert reopened.check() == []
        reopened.close()
    restored, generation = Bm25Postings.from_bytes((folder / "lemmas.bm25").read_bytes())
    assert generation < 999, "the foreign file was replaced"
    assert restored.ids().tolist() == sorted(chunk.id for chunk in open_store(folder).iter_chunks())


def test_a_store_of_a_newer_format_is_refused(store: Store, folder: Path) -> None:
    store.close()
    with sqlite3.connect(folder / "hromada.sqlite") as db:
        db.execute("UPDATE meta SET value = '99' WHERE key = 'format_version'")
    with pytest.raises(IncompatibleStoreError, match="newer"):
        open_store(folder)


def test_a_folder_that_is_not_a_store_is_refused(tmp_path: Path) -> None:
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk/hromada.sqlite").write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="not a usable hromada store"):
        open_store(tmp_path / "junk")


def test_a_second_writer_waits_then_gets_a_busy_error(store: Store, folder: Path) -> None:
    patient_for_a_moment = open_store(folder, busy_timeout=0.3)
    with (
        WriteLock(folder / "write.lock", timeout=1),
        pytest.raises(StoreBusyError, match="busy"),
        patient_for_a_moment.write(),
    ):
        pass


def test_filters_apply_before_ranking(store: Store) -> None:
    query = unit_vectors(1, 9)[0]
    march_on = ChunkFilter(since="2024-03-01")
    hits = store.dense_search(query, 10, march_on)
    assert len(hits) == 2
    assert {chunk.date for chunk in store.chunks([i for i, _ in hits])} == {"2024-03-01", "2024-04-01"}
    assert store.dense_search(query, 10, ChunkFilter(region="Київ")) != []  # regions are compared as stored
    assert store.dense_search(query, 10, ChunkFilter(region="Львів")) == []
    assert [i for i, _ in store.lexical_search(["школи"], 10, ChunkFilter(until="2024-02-15"))] == []


def test_check_finds_a_vector_file_that_disagrees(store: Store, folder: Path) -> None:
    manifest = json.loads((folder / "manifest.json").read_text())
    index = FaissIndex.load(folder / "vectors.faiss", DIMENSION, manifest["index_type"])
    index.remove(np.array([1], dtype=np.int64))
    index.save(folder / "vectors.faiss")
    findings = store.vectors_index._check_vector_file()  # check() itself would first repair the file
    assert any("differ" in finding for finding in findings)


@pytest.mark.parametrize("index_type", ["flat", "ivfsq16"])
def test_vector_index_adds_removes_searches_and_round_trips(index_type: str, tmp_path: Path) -> None:
    vectors = unit_vectors(1000, 3)
    ids = np.arange(100, 1100, dtype=np.int64)

    def exact(chunk_ids: np.ndarray) -> np.ndarray:  # what the database would answer
        return vectors[np.asarray(chunk_ids) - 100]

    index = FaissIndex(DIMENSION, index_type, vectors if index_type != "flat" else None)
    index.add(ids, vectors)
    index.remove(ids[:10])
    assert len(index) == 990
    assert np.array_equal(index.ids(), ids[10:])
    nearest = index.search(vectors[500], 3, exact=exact)
    assert nearest[0][0] == 600 and nearest[0][1] == pytest.approx(1.0, abs=1e-5)
    assert [score for _, score in nearest] == sorted((score for _, score in nearest), reverse=True)
    allowed = index.search(vectors[500], 5, np.array([601, 602, 105]), exact=exact)  # 105 was removed
    assert [i for i, _ in allowed] in ([601, 602], [602, 601])
    index.save(tmp_path / "v.faiss")
    loaded = FaissIndex.load(tmp_path / "v.faiss", DIMENSION, index_type)
    assert np.array_equal(loaded.ids(), ids[10:])
    assert loaded.search(vectors[500], 1, exact=exact)[0][0] == 600


def test_a_store_past_the_exact_limit_finds_the_nearest_after_deletes_filters_and_a_reopen(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The limit is lowered so that 1,500 chunks take the index a store of a million would.
    monkeypatch.setattr(faiss_index, "EXACT_LIMIT", 100)
    vectors = unit_vectors(1500, 11)
    regions = ["Київ", "Львів", "Суми"]
    documents = [document(f"звернення {n}", v, region=regions[n % 3]) for n, v in enumerate(vectors)]
    store = open_store(folder, "test-model", DIMENSION)
    for part, rows in enumerate([slice(0, 50), slice(50, 1500)]):  # the second write crosses the limits
        with store.write() as writer:
            writer.add_documents(f"/many-{part}.jsonl", "many.jsonl", f"sha-{part}", 1, documents[rows])
    wanted = f"ivfsq{int(4 * np.sqrt(1500))}"
    assert store.vectors_index.index_type == wanted
    assert json.loads((folder / "manifest.json").read_text())["index_type"] == wanted
    chunks = sorted(store.iter_chunks(), key=lambda chunk: chunk.id)
    query = vectors[700]
    assert store.dense_search(query, 1)[0][0] == chunks[700].id
    with store.write() as writer:
        writer.delete_document(chunks[700].doc_id)
    kept = np.array([n for n in range(1500) if n != 700])
    store.close()
    store = open_store(folder, "test-model", DIMENSION)

    def found_share(chunk_filter: ChunkFilter, allowed: np.ndarray) -> float:
        hits = store.dense_search(query, 10, chunk_filter)
        exact = allowed[np.argsort(-(vectors[allowed] @ query))[:10]]
        assert [score for _, score in hits] == sorted((score for _, score in hits), reverse=True)
        return len({chunk_id for chunk_id, _ in hits} & {chunks[n].id for n in exact}) / 10

    assert found_share(ChunkFilter(), kept) >= 0.9
    assert found_share(ChunkFilter(region="Суми"), kept[kept % 3 == 2]) >= 0.9
    assert store.check() == []


def test_the_lock_is_released_when_its_holder_dies(tmp_path: Path) -> None:
    lock = tmp_path / "write.lock"
    script = f"import fcntl, os; fd = os.open({str(lock)!r}, os.O_RDWR | os.O_CREAT); fcntl.flock(fd, fcntl.LOCK_EX); os._exit(0)"
    subprocess.run([sys.executable, "-c", script], check=True, timeout=30)
    with WriteLock(lock, timeout=0.5):
        assert os.path.exists(lock)
