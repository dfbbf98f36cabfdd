"""BM25 postings in memory: scores equal a plain reference implementation, whatever the history of additions,
removals, merges and saves; and the ranking agrees with SQLite's FTS5 on real lemma keys."""

from __future__ import annotations

import json
import math
import sqlite3
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from indexing.store.bm25_postings import K1, B, Bm25Postings
from models.ukrainian_pipeline import UkrainianPipeline

SAMPLE = Path(__file__).resolve().parents[1] / "sample-corpus"

TEXTS = {
    11: "школа автобус підвезення дитина школа",
    12: "вода водогін аварія вода вода труба",
    13: "дорога ремонт школа",
    14: "освітлення вулиця зупинка автобус",
    15: "староста село посада",
    16: "вода школа",
}


def reference_scores(texts: dict[int, str], terms: list[str]) -> dict[int, float]:
    """Lucene's BM25, written out document by document."""
    documents = {chunk_id: text.split() for chunk_id, text in texts.items()}
    mean_length = sum(len(words) for words in documents.values()) / len(documents)
    scores: dict[int, float] = {}
    for chunk_id, words in documents.items():
        counts = Counter(words)
        score = 0.0
        for term in set(terms):
            holding = sum(term in other for other in documents.values())
            if not counts[term]:
                continue
            idf = math.log(1 + (len(documents) - holding + 0.5) / (holding + 0.5))
            norm = K1 * (1 - B + B * len(words) / mean_length)
            score += idf * counts[term] * (K1 + 1) / (counts[term] + norm)
        if score:
            scores[chunk_id] = score
    return scores


def assert_ranks_like_reference(postings: Bm25Postings, texts: dict[int, str], terms: list[str]) -> None:
    expected = reference_scores(texts, terms)
    found = dict(postings.search(terms, 100))
    assert found.keys() == expected.keys()
    for chunk_id, score in expected.items():
        assert found[chunk_id] == pytest.approx(score, rel=1e-5)
    assert postings.count(terms) == len(expected)


@pytest.mark.parametrize("terms", [["школа"], ["вода", "школа"], ["автобус", "староста", "невідоме"]])
def test_scores_equal_the_reference_after_additions_removals_merges_and_a_save(terms: list[str]) -> None:
    postings = Bm25Postings()
    postings.add([11, 12, 13], [TEXTS[i] for i in (11, 12, 13)])
    postings.add([14], [TEXTS[14]])
    assert_ranks_like_reference(postings, {i: TEXTS[i] for i in (11, 12, 13, 14)}, terms)

    postings.remove(np.array([12, 99]))
    postings.add([15, 16], [TEXTS[15], TEXTS[16]])
    remaining = {i: TEXTS[i] for i in (11, 13, 14, 15, 16)}
    assert_ranks_like_reference(postings, remaining, terms)

    postings.tidy()
    assert_ranks_like_reference(postings, remaining, terms)
    postings.merge()
    assert_ranks_like_reference(postings, remaining, terms)
    restored, generation = Bm25Postings.from_bytes(postings.to_bytes(generation=7))
    assert generation == 7 and restored.ids().tolist() == [11, 13, 14, 15, 16]
    assert_ranks_like_reference(restored, remaining, terms)


def test_the_best_k_filters_and_ties() -> None:
    postings = Bm25Postings()
    postings.add(list(TEXTS), TEXTS.values())
    everything = postings.search(["школа"], 100)
    assert postings.search(["школа"], 2) == everything[:2]
    allowed = np.array([13, 16])
    assert [i for i, _ in postings.search(["школа"], 100, allowed)] == [
        i for i, _ in everything if i in {13, 16}
    ]
    assert postings.count(["школа"], allowed) == 2
    twins = Bm25Postings()
    twins.add([5, 3, 4], ["село", "село", "село"])
    assert [i for i, _ in twins.search(["село"], 3)] == [3, 4, 5], (
        "equal scores in the order of the chunk ids"
    )


def test_nothing_held_or_nothing_matching_finds_nothing() -> None:
    postings = Bm25Postings()
    assert postings.search(["школа"], 10) == [] and postings.count(["школа"]) == 0
    restored, generation = Bm25Postings.from_bytes(postings.to_bytes(generation=0))
    assert len(restored) == 0 and generation == 0
    postings.add([1], ["школа"])
    postings.remove(np.array([1]))
    postings.merge()
    assert postings.search(["школа"], 10) == [] and len(postings) == 0


def test_a_damaged_file_is_an_error_not_postings() -> None:
    with pytest.raises((ValueError, KeyError, OSError)):
        Bm25Postings.from_bytes(b"not an npz file")


def test_the_ranking_agrees_with_sqlite_fts5_on_real_lemma_keys(
    ukrainian_pipeline: UkrainianPipeline,
) -> None:
    """FTS5's bm25() is the reference engine: its idf is ``log((N - n + 0.5) / (n + 0.5))`` where Lucene's adds
    one, so scores differ, but on real appeals the top of the rankings agrees."""
    lines = (SAMPLE / "appeals" / "appeals-2025.jsonl").read_text(encoding="utf-8").splitlines()
    texts = [json.loads(line)["text"] for line in lines if line.strip()]
    lemma_texts = [" ".join(ukrainian_pipeline.lemmas(text)) for text in texts]
    postings = Bm25Postings()
    postings.add(range(1, len(lemma_texts) + 1), lemma_texts)
    database = sqlite3.connect(":memory:")
    database.execute("CREATE VIRTUAL TABLE t USING fts5(lemmas, tokenize = 'unicode61 remove_diacritics 0')")
    database.executemany("INSERT INTO t(rowid, lemmas) VALUES (?, ?)", enumerate(lemma_texts, start=1))
    queries = ["немає гарячої води", "ремонт дороги", "підвезення дітей до школи", "вуличне освітлення"]
    for query in queries:
        terms = sorted(set(ukrainian_pipeline.lemmas(query)))
        match = " OR ".join(f'"{term}"' for term in terms)
        fts5 = [
            row[0]
            for row in database.execute(
                "SELECT rowid FROM t WHERE t MATCH ? ORDER BY bm25(t), rowid", [match]
            )
        ]
        ours = [chunk_id for chunk_id, _ in postings.search(terms, len(lemma_texts))]
        assert set(ours) == set(fts5), f"the same chunks match {query!r}"
        assert ours[:3] == fts5[:3] or len(set(ours[:5]) & set(fts5[:5])) >= 4, query
