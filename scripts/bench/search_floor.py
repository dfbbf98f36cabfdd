"""Calibrates the relevance floor of search: below it, «nothing matches closely».

Over a store of municipal documents (default: the sample corpus, indexed once into a cache folder) each query's
closest passage is found by meaning, and its cosine similarity is the score. On-topic queries are real citizens'
appeals to Kyiv's 1551 line (``kyiv1551/bench-uk-top20x150.jsonl``, every 20th, first 300 characters); off-topic
ones are the sports-rules questions of ``unlp2026-sport/questions.csv`` and nonsense strings made by a seeded
generator. The floor is chosen by Youden's J on the even-numbered queries and reported on the odd-numbered ones,
against two baselines run here: no floor (today's ten confident hits for anything), and «no word of the query
is in the store» (the lexical total is 0).

    .venv/bin/python -m scripts.bench.search_floor [--store DIR] [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score

from indexing.indexer import IndexOptions
from service.hromada import Hromada
from service.searcher import TOTAL_CAP
from service.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data"
APPEALS = "kyiv1551/bench-uk-top20x150.jsonl"
SPORT_QUESTIONS = "unlp2026-sport/questions.csv"
DEFAULT_STORE = Path.home() / ".cache" / "hromada" / "bench-search-floor-store"
CACHE = Path.home() / ".cache" / "hromada" / "bench-search-floor"
NONSENSE_COUNT = 60
APPEAL_STEP = 20


@dataclass(frozen=True)
class Scored:
    """One query: whether it is on topic, its closest passage's cosine, and its lexical total."""

    on_topic: bool
    similarity: float
    lexical_total: int


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--store", type=Path, default=DEFAULT_STORE)
    parser.add_argument("--data", type=Path, default=DATA, help="the shared data folder")
    parser.add_argument("--cache", type=Path, default=CACHE, help="where the query vectors are kept")
    args = parser.parse_args()
    hromada = Hromada(Settings(store=args.store))
    if not (args.store / "hromada.sqlite").exists():
        hromada.index([ROOT / "sample-corpus"], IndexOptions(show_progress=sys.stderr.isatty()))
    municipal = municipal_queries(args.data / APPEALS)
    off_topic = off_topic_queries(args.data / SPORT_QUESTIONS, len(municipal))
    queries = [(True, text) for text in municipal] + [(False, text) for text in off_topic]
    scored = score(hromada, queries, args.cache)
    calibration, held_out = scored[::2], scored[1::2]
    floor = youden_floor(calibration)
    print(f"store: {args.store} ({hromada.stats()['chunks']} chunks)")
    print(
        f"queries: {sum(s.on_topic for s in scored)} municipal, {sum(not s.on_topic for s in scored)} off-topic"
    )
    print(f"ROC AUC of the closest cosine (all queries): {auc(scored):.3f}")
    print(f"floor chosen on the even half by Youden's J: {floor:.3f}")
    print(
        "held-out half (odd queries): kept = municipal queries answered normally, flagged = off-topic noticed"
    )
    report("floor (closest cosine >= floor)", held_out, lambda s: s.similarity >= floor)
    report("baseline: no floor", held_out, lambda s: True)
    report("baseline: some word of the query in the store", held_out, lambda s: s.lexical_total > 0)
    return 0


def municipal_queries(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()[::APPEAL_STEP]
    return [json.loads(line)["text"][:300] for line in lines]


def off_topic_queries(path: Path, count: int) -> list[str]:
    with path.open(encoding="utf-8") as handle:
        questions = [row["Question"] for row in csv.DictReader(handle)]
    return questions[:count] + nonsense(NONSENSE_COUNT)


def nonsense(count: int) -> list[str]:
    """Strings of random letters (Cyrillic, Latin or both), as a person mashing the keyboard types them."""
    rng = random.Random(12)
    alphabets = ["абвгґдеєжзиіїйклмнопрстуфхцчшщьюя", "abcdefghijklmnopqrstuvwxyz"]
    strings = []
    for _ in range(count):
        words = [
            "".join(rng.choice(rng.choice(alphabets)) * rng.randint(1, 3) for _ in range(rng.randint(2, 4)))
            for _ in range(rng.randint(1, 3))
        ]
        strings.append(" ".join(words))
    return strings


def score(hromada: Hromada, queries: list[tuple[bool, str]], cache: Path) -> list[Scored]:
    """Each query's closest passage by meaning (what the searcher compares with the floor) and lexical total."""
    texts = [text for _, text in queries]
    vectors = cached_vectors(hromada, texts, cache)
    store = hromada.store()
    scored = []
    for (on_topic, text), vector in zip(queries, vectors, strict=True):
        closest = store.dense_search(vector, 1)
        lexical_total = len(store.lexical_search(hromada.pipeline.lemmas(text), TOTAL_CAP + 1))
        scored.append(Scored(on_topic, closest[0][1] if closest else 0.0, lexical_total))
    return scored


def cached_vectors(hromada: Hromada, texts: list[str], cache: Path) -> np.ndarray:
    """The query vectors, embedded once in a batch and kept on disk by the texts' digest."""
    digest = hashlib.sha256("\n".join(texts).encode("utf-8")).hexdigest()[:16]
    path = cache / f"queries-{digest}.npy"
    if path.exists():
        return np.load(path)
    vectors = hromada.embedder.embed_queries(texts)
    cache.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors


def youden_floor(scored: list[Scored]) -> float:
    """The cosine that best separates municipal from off-topic queries (max true positive - false positive rate)."""
    candidates = sorted({s.similarity for s in scored})
    on = np.array([s.similarity for s in scored if s.on_topic])
    off = np.array([s.similarity for s in scored if not s.on_topic])
    return max(candidates, key=lambda floor: (on >= floor).mean() - (off >= floor).mean())


def auc(scored: list[Scored]) -> float:
    return float(roc_auc_score([s.on_topic for s in scored], [s.similarity for s in scored]))


def report(name: str, scored: list[Scored], answered: Callable[[Scored], bool]) -> None:
    on = [answered(s) for s in scored if s.on_topic]
    off = [not answered(s) for s in scored if not s.on_topic]
    print(f"  {name:<48} municipal kept {np.mean(on):6.1%}   off-topic flagged {np.mean(off):6.1%}")


if __name__ == "__main__":
    sys.exit(main())
