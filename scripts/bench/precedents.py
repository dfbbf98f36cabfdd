"""Precedent benchmark: do the precedents of a problem name the articles that govern it and the projects
that answer it?

``scripts/bench/precedent_pairs.jsonl`` holds real problem statements (Kyiv 1551 appeals and challenges
from hromada strategies) each paired by hand, with the reasoning, with the articles that govern it
(act number + article). It was written before the system was first run on them.

``scripts/bench/proposal_pairs.jsonl`` holds plain problems, each written by hand (in other words than the
project's) for one project of a hromada strategy in the store, with the reasoning, before the system was run
on them; the proposals list is right when that hromada's strategy is among its first five documents.

The bench builds a store (re-used when its files are unchanged) with the key laws that the pairs cite (not
the Land Code: one of 116 paired articles, and most of the build's embedding), a seeded sample of 60 hromada
strategies and a sample of appeals, then for every pair compares two article rankings over the same store:

- ``precedents``: ``PrecedentFinder`` (article-level reranking: passage, heading, lexical, competence prior),
  with its calibrated similarity bar (a problem under it gets an empty list), and ``precedents-ungated``,
  the same ranking without the bar;
- ``hybrid``: plain hybrid search restricted to legislation, one hit per article (the searcher's dedup).

For proposals it compares the precedents' proposals list with plain hybrid search restricted to proposals
(one entry per document), by Recall@5 (= Hit@5: one paired document). It prints Recall@1/5/10 (the share of a pair's articles found in the top k), Hit@5 (any of them in the
top 5) and MRR (first right article). With ``--calibrate`` it also measures the cosine similarity of the
best passage for on-topic problems (appeals and strategy challenges not in the pairs) and off-topic
questions (the UNLP sports-rules questions), prints the bar that separates them best (Youden's J): that is
how ``Settings.precedent_min_similarity`` and ``precedent_min_document_similarity`` were chosen; and the share
of each set whose lists the subject decision (``service/precedents/subject_evidence.py``) empties.

    PYTHONPATH=. .venv/bin/python scripts/bench/precedents.py [--data DIR] [--store DIR] [--calibrate] [--json]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from indexing.indexer import IndexOptions
from indexing.store import ChunkFilter
from service.hromada import Hromada
from service.precedents.precedent_finder import CASE_KINDS, LEGISLATION_KINDS, PROPOSAL_KINDS
from service.precedents.precedent_service import precedent_finder
from service.search_types import SearchFilters
from service.searcher import MAX_QUERY_CHARS
from service.settings import Settings

REPO = Path(__file__).resolve().parents[2]
DATA = REPO.parent / "shared" / "data"
PAIRS = Path(__file__).with_name("precedent_pairs.jsonl")
PROPOSAL_PAIRS = Path(__file__).with_name("proposal_pairs.jsonl")
BENCH_LAWS = (
    "00001-ua-law-254-96.json",
    "07163-ua-law-280-97.json",
    "02848-ua-law-1508-18.json",
    "05025-ua-law-2807-15.json",
    "07300-ua-law-393-96.json",
    "00010-ua-law-2456-17.json",
)
"""Files of ``legislation/key-laws``: the Constitution and the acts the pairs cite, but the Land Code."""
APPEALS_IN_STORE = 100
STRATEGIES_IN_STORE = 60
"""Hromadas of the strategies release in the store: enough proposals to rank, few enough to index in minutes."""
CALIBRATION_ON_TOPIC = 100
SEED = 2026
DEPTH = 10
Article = tuple[str, str]
"""(act number, article number): («280/97-ВР», «30»)."""


@dataclass
class Pair:
    id: str
    source: str
    """«kyiv1551/…jsonl#<appeal id>» or «hromada-strategies/…json#<hromada>:Challenges»."""
    text: str
    articles: set[Article]


@dataclass(frozen=True)
class DataPaths:
    """The benchmark's inputs under the shared data folder (``--data``)."""

    data: Path

    @property
    def key_laws(self) -> list[Path]:
        return [self.data / "legislation" / "key-laws" / name for name in BENCH_LAWS]

    @property
    def strategies(self) -> Path:
        return self.data / "hromada-strategies" / "data" / "releases" / "hromadas.json"

    @property
    def appeals(self) -> Path:
        return self.data / "kyiv1551" / "requests-2013-04_2015-06.jsonl.gz"

    @property
    def sport_questions(self) -> Path:
        return self.data / "unlp2026-sport" / "questions.csv"


@dataclass
class ProposalPair:
    id: str
    hromada: str
    """The ``Name`` of the hromada in the strategies release whose strategy holds the answering project."""
    text: str


def read_proposal_pairs(path: Path) -> list[ProposalPair]:
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return [ProposalPair(record["id"], record["hromada"], record["text"]) for record in records]


def read_pairs(path: Path) -> list[Pair]:
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        articles = {(item["act"], item["article"]) for item in record["articles"]}
        pairs.append(Pair(record["id"], record["source"], record["text"], articles))
    return pairs


def appeals_sample(paths: DataPaths, excluded: set[str]) -> tuple[list[dict[str, str]], list[str]]:
    """Ukrainian appeals of at least 60 characters: a sample for the store and others for calibration."""
    with gzip.open(paths.appeals, "rt", encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle]
    seen: set[str] = set()
    usable = []
    for record in records:
        text = " ".join(record["text"].split())
        if record["id"] in excluded or record["id"] in seen or len(text) < 60 or not _ukrainian(text):
            continue
        seen.add(record["id"])
        usable.append(
            {"id": record["id"], "date": record["date"], "category": record["category"], "text": text}
        )
    chosen = random.Random(SEED).sample(usable, APPEALS_IN_STORE + CALIBRATION_ON_TOPIC)
    return chosen[:APPEALS_IN_STORE], [record["text"] for record in chosen[APPEALS_IN_STORE:]]


def _ukrainian(text: str) -> bool:
    return any(letter in text for letter in "іїєґІЇЄҐ") and not any(letter in text for letter in "ыэъЫЭЪ")


def strategies_sample(paths: DataPaths) -> list[dict[str, object]]:
    """Hromada records of the strategies release that carry a strategy, a seeded sample."""
    records = json.loads(paths.strategies.read_text(encoding="utf-8"))
    with_strategy = [record for record in records if record.get("Challenges") and record.get("Goals")]
    return random.Random(SEED).sample(with_strategy, STRATEGIES_IN_STORE)


def build_store(store: Path, paths: DataPaths, appeals: list[dict[str, str]]) -> Hromada:
    """The bench store: key laws, strategies and the appeal sample (unchanged files are not re-indexed)."""
    store.mkdir(parents=True, exist_ok=True)
    appeals_file = store.parent / f"{store.name}-appeals.jsonl"
    appeals_file.write_text(
        "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in appeals), encoding="utf-8"
    )
    strategies_file = store.parent / f"{store.name}-hromadas.json"
    strategies_file.write_text(json.dumps(strategies_sample(paths), ensure_ascii=False), encoding="utf-8")
    hromada = Hromada(Settings(store=store))
    started = time.perf_counter()
    report = hromada.index([*paths.key_laws, strategies_file, appeals_file], IndexOptions(show_progress=True))
    print(
        f"store: {len(report.indexed)} files indexed, {len(report.unchanged)} unchanged, "
        f"{report.chunks} new chunks in {time.perf_counter() - started:.0f} s; {hromada.stats()['kinds']}",
        file=sys.stderr,
    )
    if report.failed:
        raise SystemExit(f"indexing failed: {report.failed}")
    return hromada


def precedent_articles(hromada: Hromada, gated: bool = True) -> Callable[[str], list[Article]]:
    """The precedent ranking; ``gated=False`` drops the similarity bar, to compare rankings with hybrid."""
    if not gated:
        settings = hromada.settings.model_copy(update={"precedent_min_similarity": 0.0})
        hromada = Hromada(settings, hromada.embedder, hromada.pipeline)
    finder = precedent_finder(hromada)

    def ranking(text: str) -> list[Article]:
        ranked = finder.ranked_articles(text)
        return [
            (ranked_article.article.act or "", ranked_article.article.number) for ranked_article in ranked
        ]

    return ranking


def hybrid_articles(hromada: Hromada) -> Callable[[str], list[Article]]:
    acts: dict[int, str] = {}

    def act_of(doc_id: int) -> str:
        if doc_id not in acts:
            acts[doc_id] = str(hromada.document(doc_id).metadata.get("short_name", ""))
        return acts[doc_id]

    def ranking(text: str) -> list[Article]:
        hits = hromada.search(text, DEPTH, SearchFilters(kind="legislation"))
        articles: list[Article] = []
        for hit in hits:
            article = (act_of(hit.doc_id), (hit.section or "").split(",")[0].removeprefix("ст. ").strip())
            if article not in articles:
                articles.append(article)
        return articles

    return ranking


def precedent_proposals(hromada: Hromada) -> Callable[[str], list[str]]:
    """The hromadas of the precedents' proposals list, best first."""
    finder = precedent_finder(hromada)

    def ranking(text: str) -> list[str]:
        return [str(precedent.details.get("hromada", "")) for precedent in finder.find(text, k=5).proposals]

    return ranking


def hybrid_proposals(hromada: Hromada) -> Callable[[str], list[str]]:
    """The hromadas of plain hybrid search restricted to proposals, one entry per document."""

    def ranking(text: str) -> list[str]:
        doc_ids = list(
            dict.fromkeys(hit.doc_id for hit in hromada.search(text, 50, SearchFilters(kind="proposal")))
        )
        return [str(hromada.document(doc_id).metadata.get("hromada", "")) for doc_id in doc_ids[:5]]

    return ranking


def proposal_scores(pairs: Sequence[ProposalPair], ranking: Callable[[str], list[str]]) -> dict[str, float]:
    """Recall@1 and Recall@5 of the paired hromada's strategy, and how many lists came back empty."""
    ranked = [ranking(pair.text) for pair in pairs]
    return {
        "recall@1": statistics.mean(
            pair.hromada in names[:1] for pair, names in zip(pairs, ranked, strict=True)
        ),
        "recall@5": statistics.mean(
            pair.hromada in names[:5] for pair, names in zip(pairs, ranked, strict=True)
        ),
        "empty_lists": sum(not names for names in ranked),
    }


def scores(pairs: Sequence[Pair], ranking: Callable[[str], list[Article]]) -> dict[str, float]:
    recalls: dict[int, list[float]] = {1: [], 5: [], 10: []}
    hits_at_5, reciprocal_ranks, seconds, empty = [], [], [], 0
    for pair in pairs:
        started = time.perf_counter()
        ranked = ranking(pair.text)[:DEPTH]
        seconds.append(time.perf_counter() - started)
        empty += not ranked
        for k, values in recalls.items():
            values.append(len(pair.articles & set(ranked[:k])) / len(pair.articles))
        hits_at_5.append(float(bool(pair.articles & set(ranked[:5]))))
        first = next((rank for rank, article in enumerate(ranked, 1) if article in pair.articles), None)
        reciprocal_ranks.append(1 / first if first else 0.0)
    return {
        "recall@1": statistics.mean(recalls[1]),
        "recall@5": statistics.mean(recalls[5]),
        "recall@10": statistics.mean(recalls[10]),
        "hit@5": statistics.mean(hits_at_5),
        "mrr@10": statistics.mean(reciprocal_ranks),
        "seconds_per_query": statistics.mean(seconds),
        "empty_lists": empty,
    }


def calibrate(hromada: Hromada, paths: DataPaths, on_topic: list[str]) -> dict[str, dict[str, float]]:
    """The similarity bar per list that best separates on-topic problems from off-topic questions."""
    with open(paths.sport_questions, encoding="utf-8") as handle:
        off_topic = [row["Question"] for row in csv.DictReader(handle)]
    store = hromada.store(with_model=True)
    results = {}
    for name, kinds in (("legislation", LEGISLATION_KINDS), ("documents", PROPOSAL_KINDS + CASE_KINDS)):
        chunk_filter = ChunkFilter(kinds=kinds)

        def best(texts: list[str], chunk_filter: ChunkFilter = chunk_filter) -> np.ndarray:
            vectors = hromada.embedder.embed_queries(texts)
            return np.array([store.dense_search(vector, 1, chunk_filter)[0][1] for vector in vectors])

        positives, negatives = best(on_topic), best(off_topic)
        results[name] = _youden(positives, negatives)
    results["lists_emptied"] = emptied(hromada, on_topic, off_topic)
    return results


def emptied(hromada: Hromada, on_topic: list[str], off_topic: list[str]) -> dict[str, float]:
    """How often the subject decision empties the precedent lists, for on-topic and off-topic texts."""
    finder = precedent_finder(hromada)
    bars = finder.bars.subject

    def share_off_subject(texts: list[str]) -> float:
        return float(
            np.mean([not finder.evidence(text[:MAX_QUERY_CHARS]).is_on_subject(bars) for text in texts])
        )

    return {
        "on_topic": round(share_off_subject(on_topic), 3),
        "off_topic": round(share_off_subject(off_topic), 3),
    }


def _youden(positives: np.ndarray, negatives: np.ndarray) -> dict[str, float]:
    """The bar of best Youden's J, in the middle of the gap below the lowest value reaching it.

    Every bar between two adjacent observed values separates the sets alike; the top of a tie would be the
    strictest of equally good bars, and on-topic texts unlike the calibration's sit just under it.
    """
    candidates = np.unique(np.concatenate([positives, negatives]))
    j = np.array([np.mean(positives >= bar) - np.mean(negatives >= bar) for bar in candidates])
    lowest = int(np.argmax(j))
    best_j = j[lowest]
    bar = (candidates[lowest] + candidates[lowest - 1]) / 2 if lowest > 0 else candidates[0]
    return {
        "bar": round(float(bar), 4),
        "youden_j": round(float(best_j), 3),
        "on_topic_kept": round(float(np.mean(positives >= bar)), 3),
        "off_topic_kept": round(float(np.mean(negatives >= bar)), 3),
        "on_topic_median": round(float(np.median(positives)), 4),
        "off_topic_median": round(float(np.median(negatives)), 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--store", type=Path, default=Path("/tmp/hromada-bench-precedents/store"))
    parser.add_argument("--data", type=Path, default=DATA, help="the shared data folder")
    parser.add_argument("--pairs", type=Path, default=PAIRS)
    parser.add_argument("--proposal-pairs", type=Path, default=PROPOSAL_PAIRS)
    parser.add_argument("--calibrate", action="store_true", help="also measure the similarity bars")
    parser.add_argument("--build-only", action="store_true", help="build the store and stop")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    paths = DataPaths(args.data)
    pairs = read_pairs(args.pairs)
    proposal_pairs = read_proposal_pairs(args.proposal_pairs)
    paired_appeals = {pair.source.split("#", 1)[1] for pair in pairs if pair.source.startswith("kyiv1551")}
    appeals, calibration_appeals = appeals_sample(paths, paired_appeals)
    hromada = build_store(args.store, paths, appeals)
    if args.build_only:
        return
    results: dict[str, object] = {
        "pairs": len(pairs),
        "articles": sum(len(pair.articles) for pair in pairs),
        "precedents": scores(pairs, precedent_articles(hromada)),
        "precedents-ungated": scores(pairs, precedent_articles(hromada, gated=False)),
        "hybrid": scores(pairs, hybrid_articles(hromada)),
        "proposal_pairs": len(proposal_pairs),
        "proposals-precedents": proposal_scores(proposal_pairs, precedent_proposals(hromada)),
        "proposals-hybrid": proposal_scores(proposal_pairs, hybrid_proposals(hromada)),
    }
    if args.calibrate:
        results["calibration"] = calibrate(hromada, paths, calibration_appeals)
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
        return
    print(f"{results['pairs']} problems, {results['articles']} hand-paired articles")
    columns = ("R@1", "R@5", "R@10", "Hit@5", "MRR@10", "s/query", "empty")
    print(f"{'ranking':<20}" + "".join(f"{name:>10}" for name in columns))
    for name in ("precedents", "precedents-ungated", "hybrid"):
        figures = results[name]
        assert isinstance(figures, dict)
        print(f"{name:<20}" + "".join(f"{value:>10.3f}" for value in figures.values()))
    print(f"\n{results['proposal_pairs']} problems, each paired with one hromada strategy")
    print(f"{'proposals':<20}" + "".join(f"{name:>10}" for name in ("R@1", "R@5", "empty")))
    for name in ("proposals-precedents", "proposals-hybrid"):
        figures = results[name]
        assert isinstance(figures, dict)
        print(f"{name:<20}" + "".join(f"{value:>10.3f}" for value in figures.values()))
    if args.calibrate:
        print(json.dumps(results["calibration"], indent=2))


if __name__ == "__main__":
    main()
