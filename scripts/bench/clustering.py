"""Benchmark of recurring-problem clustering on the Kyiv 1551 appeals.

Three modes:

- ``quality`` (default): two benchmarks. (1) The 3,000 Ukrainian appeals of ``bench-uk-top20x150.jsonl`` (the
  20 largest categories, 150 each): the set that the clustering's parameters are chosen on. (2) 3,000 appeals
  of the categories ranked 41–60, 150 each, in any language (about 55 % Ukrainian, 43 % Russian), drawn from
  all months of ``requests-2013-04_2015-06.jsonl.gz``: never used for choosing anything. On each, hromada
  clusters without being told k; k-means with the true k and BERTopic's defaults (several seeds) run on the
  same embeddings; the statements are embedded with the "query: " prompt (the product's) and, for comparison,
  with "passage: ". Prints ARI, NMI and V-measure against the categories (which no method sees), the number of
  problems, the unassigned fraction and the time. Unassigned items count as one more cluster in the scores (as
  BERTopic's outlier topic -1 does); the scores over assigned items only are printed as well.
- ``batch``: problems are learnt from the appeals of 2013–2014 and the appeals of 2015 are assigned as one batch,
  through the saving path (a temporary SQLite file). Prints the share assigned to a known problem, the purity
  of those assignments against the categories, and the number of new problems.
- ``full``: all appeals of ``requests-2013-04_2015-06.jsonl.gz`` end to end (embedding included), with time and
  peak memory, and the clustering step alone.

Run from the repository root: ``.venv/bin/python -m scripts.bench.clustering --mode quality --cache DIR``.
``--cache DIR`` keeps the embeddings between runs (keyed by model, prompt, text length limit and the texts).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import html
import json
import resource
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score, v_measure_score

from indexing.store import open_store
from indexing.store.problem_item import ProblemItem
from models.embedder import Embedder
from models.language_detector import detect_language
from models.ukrainian_pipeline import UkrainianPipeline
from service.problems import ProblemService
from service.problems.clustering import cluster_embeddings
from service.problems.collection_centre import CollectionCentre

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "kyiv1551"
BENCH_FILE = "bench-uk-top20x150.jsonl"
ALL_FILE = "requests-2013-04_2015-06.jsonl.gz"
UNSEEN_RANKS = (41, 60)
"""Categories of the second benchmark, by rank of their number of distinct appeals in ``ALL_FILE``. The 20
largest make the first benchmark and the ranks 21–40 were the development split of earlier sessions: these
twenty were never looked at while choosing anything."""
UNSEEN_PER_CATEGORY = 150
MIN_CHARS = 50
PROMPTS = ("query", "passage")
STATEMENT_PROMPT = "query"
"""The prompt that ``ProblemService`` embeds statements with (``Embedder.embed_queries``)."""


@dataclass(frozen=True)
class Appeal:
    """An appeal with the category that the clustering never sees."""

    item: ProblemItem
    category: str


@dataclass(frozen=True)
class Scores:
    method: str
    ari: float
    nmi: float
    v_measure: float
    problems: int
    unassigned: float
    seconds: float
    nmi_assigned_only: float | None = None

    def line(self) -> str:
        assigned = (
            "" if self.nmi_assigned_only is None else f"  NMI(assigned only) {self.nmi_assigned_only:.3f}"
        )
        return (
            f"{self.method:<22} ARI {self.ari:.3f}  NMI {self.nmi:.3f}  V {self.v_measure:.3f}  "
            f"problems {self.problems:>5}  unassigned {self.unassigned:6.1%}  time {self.seconds:7.1f}s{assigned}"
        )


def main(argv: Sequence[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    embedder = Embedder(max_seq_length=arguments.max_seq_length)
    service = ProblemService(embedder, UkrainianPipeline(), detect_language, show_progress=True)
    modes: dict[str, Callable[[argparse.Namespace, Embedder, ProblemService], None]] = {
        "quality": run_quality,
        "batch": run_batch,
        "full": run_full,
    }
    modes[arguments.mode](arguments, embedder, service)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", choices=("quality", "batch", "full"), default="quality")
    parser.add_argument("--data", type=Path, default=DATA, help="the kyiv1551 folder")
    parser.add_argument("--cache", type=Path, help="folder that keeps embeddings between runs")
    parser.add_argument("--max-seq-length", type=int, default=512, help="tokens embedded per appeal")
    parser.add_argument("--sample", type=int, help="batch mode: use this many appeals of each period at most")
    parser.add_argument(
        "--on-benchmarks",
        action="store_true",
        help="batch mode: only the 6,000 appeals of the two quality benchmarks instead of all (no new embedding)",
    )
    parser.add_argument(
        "--bertopic-runs", type=int, default=3, help="BERTopic runs, seeded 0, 1, ... (its UMAP is random)"
    )
    parser.add_argument(
        "--prompts",
        nargs="+",
        choices=PROMPTS,
        default=list(PROMPTS),
        help="quality mode: the e5 prompts to compare (BERTopic runs on the product's only)",
    )
    return parser


def run_quality(arguments: argparse.Namespace, embedder: Embedder, service: ProblemService) -> None:
    """Both benchmarks: the product's prompt against the other, then k-means and BERTopic on the same vectors."""
    benchmarks = {
        "top 20 categories, Ukrainian (the set the parameters were chosen on)": load_appeals(
            arguments.data / BENCH_FILE
        ),
        f"categories ranked {UNSEEN_RANKS[0]}–{UNSEEN_RANKS[1]}, any language (never used for choosing)": (
            load_unseen_benchmark(arguments.data / ALL_FILE)
        ),
    }
    for title, appeals in benchmarks.items():
        truth = [appeal.category for appeal in appeals]
        languages = Counter(detect_language(appeal.item.text) for appeal in appeals)
        print(f"\n== {title}: {len(appeals)} appeals, {len(set(truth))} categories, languages {dict(languages)}")
        for prompt in arguments.prompts:
            product = prompt == STATEMENT_PROMPT
            print(f"-- {prompt!r} prompt{' (the one ProblemService embeds statements with)' if product else ''}")
            compare_methods(appeals, embed(appeals, embedder, arguments, prompt), service, arguments, product)


def compare_methods(
    appeals: list[Appeal],
    embeddings: np.ndarray,
    service: ProblemService,
    arguments: argparse.Namespace,
    with_bertopic: bool,
) -> None:
    """hromada without k, k-means told the true k, and (with the product's prompt) BERTopic's defaults."""
    truth = [appeal.category for appeal in appeals]
    true_k = len(set(truth))
    started = time.perf_counter()
    analysis = service.cluster_items([appeal.item for appeal in appeals], embeddings)
    hromada = score("hromada (no k)", truth, analysis.labels, time.perf_counter() - started)
    print(hromada.line())
    started = time.perf_counter()
    kmeans = KMeans(n_clusters=true_k, n_init=10, random_state=0).fit_predict(embeddings)
    rivals = [score(f"k-means (true k={true_k})", truth, kmeans, time.perf_counter() - started)]
    print(rivals[0].line())
    if not with_bertopic:
        return
    for seed in range(arguments.bertopic_runs):
        bertopic = run_bertopic([appeal.item.text for appeal in appeals], embeddings, seed)
        if bertopic is None:
            break
        labels, seconds = bertopic
        rivals.append(score(f"BERTopic default seed {seed}", truth, labels, seconds))
        print(rivals[-1].line())
    best = max(rivals, key=lambda rival: rival.nmi)
    print(f"  hromada's NMI margin over the best rival ({best.method}): {hromada.nmi - best.nmi:+.3f}")
    for problem in analysis.report.problems[:8]:
        print(
            f"  {problem.id} {problem.recurrence.size:>4}  {problem.label}  [{', '.join(problem.keywords[:6])}]"
        )


def run_bertopic(texts: list[str], embeddings: np.ndarray, seed: int) -> tuple[np.ndarray, float] | None:
    """BERTopic's defaults (UMAP + HDBSCAN) fed our embeddings, its UMAP seeded (the only random step)."""
    try:
        from bertopic import BERTopic
        from umap import UMAP
    except ImportError as error:
        print(f"BERTopic not run: {error}")
        return None
    # The UMAP that BERTopic builds by default, plus a seed.
    umap_model = UMAP(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", random_state=seed)
    started = time.perf_counter()
    topics, _ = BERTopic(umap_model=umap_model).fit_transform(texts, embeddings=embeddings)
    return np.asarray(topics), time.perf_counter() - started


def run_batch(arguments: argparse.Namespace, embedder: Embedder, service: ProblemService) -> None:
    if arguments.on_benchmarks:
        sets = [load_appeals(arguments.data / BENCH_FILE), load_unseen_benchmark(arguments.data / ALL_FILE)]
        print(f"the {sum(map(len, sets))} appeals of the two quality benchmarks (their embeddings are cached)")
        appeals = [appeal for appeals in sets for appeal in appeals]
        embeddings = np.vstack([embed(appeals, embedder, arguments, STATEMENT_PROMPT) for appeals in sets])
    else:
        # Embedded as in ``full`` mode, so that one cached embedding run serves both modes.
        appeals = load_appeals(arguments.data / ALL_FILE)
        embeddings = embed(appeals, embedder, arguments, STATEMENT_PROMPT)
    learn = [i for i, appeal in enumerate(appeals) if appeal.item.date and appeal.item.date < "2015"]
    later = [i for i, appeal in enumerate(appeals) if appeal.item.date and appeal.item.date >= "2015"]
    if arguments.sample:
        learn, later = _sample(appeals, learn, arguments.sample), _sample(appeals, later, arguments.sample)
        print(f"sampled at most {arguments.sample} appeals of each period (seeded, by content key)")
    print(f"learn from {len(learn)} appeals of 2013–2014, then assign {len(later)} of 2015 as one batch")
    learn_embeddings, later_embeddings = embeddings[learn], embeddings[later]
    learn, later = [appeals[i] for i in learn], [appeals[i] for i in later]
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(Path(folder) / "store", embedder.name, embedder.dimension)
        started = time.perf_counter()
        first = service.assign_batch(store, [a.item for a in learn], learn_embeddings)
        print(f"learnt {len(first.new_problem_ids)} problems in {time.perf_counter() - started:.1f}s")
        known = set(first.new_problem_ids)
        started = time.perf_counter()
        second = service.assign_batch(store, [a.item for a in later], later_embeddings)
        store.close()
        seconds = time.perf_counter() - started
    category_of = {appeal.item.id: appeal.category for appeal in learn + later}
    members: dict[str, list[str]] = {}
    for assignment in first.assignments:
        if assignment.problem_id:
            members.setdefault(assignment.problem_id, []).append(category_of[assignment.item_id])
    majority = {problem: Counter(cats).most_common(1)[0][0] for problem, cats in members.items()}
    to_known = [a for a in second.assignments if a.problem_id in known]
    pure = sum(category_of[a.item_id] == majority[a.problem_id] for a in to_known)
    new = [a for a in second.assignments if a.problem_id and a.problem_id not in known]
    learnt_pure = sum(Counter(cats).most_common(1)[0][1] for cats in members.values())
    print(f"{len({appeal.category for appeal in learn + later})} categories in the sample")
    print(
        f"  purity of the learnt problems themselves (members in their majority category): "
        f"{learnt_pure / max(1, sum(len(cats) for cats in members.values())):.1%}"
    )
    print(f"2015 batch assigned in {seconds:.1f}s")
    print(
        f"  assigned to a known problem: {len(to_known) / len(later):.1%} ({len(to_known)} of {len(later)})"
    )
    print(
        f"  purity of those assignments (category = the problem's majority category in 2013–2014): "
        f"{pure / max(1, len(to_known)):.1%}"
    )
    new_members: dict[str, list[str]] = {}
    for assignment in new:
        new_members.setdefault(str(assignment.problem_id), []).append(category_of[assignment.item_id])
    new_pure = sum(Counter(cats).most_common(1)[0][1] for cats in new_members.values())
    print(
        f"  new problems formed: {len(second.new_problem_ids)} holding {len(new)} appeals "
        f"(purity {new_pure / max(1, len(new)):.1%}); "
        f"unassigned {sum(a.problem_id is None for a in second.assignments) / len(later):.1%}"
    )
    learnt_categories = {appeal.category for appeal in learn}
    unseen = [appeal for appeal in later if appeal.category not in learnt_categories]
    print(
        f"  2015 appeals whose category never occurs in 2013–2014: {len(unseen) / len(later):.1%}; "
        f"of them in new problems: {sum(category_of[a.item_id] not in learnt_categories for a in new)}"
    )


def run_full(arguments: argparse.Namespace, embedder: Embedder, service: ProblemService) -> None:
    started = time.perf_counter()
    appeals = load_appeals(arguments.data / ALL_FILE)
    lines = _count_lines(arguments.data / ALL_FILE)
    print(f"{lines} appeals read, {len(appeals)} distinct (a repeated id or an empty text is counted once)")
    embeddings = embed(appeals, embedder, arguments, STATEMENT_PROMPT)
    embedded = time.perf_counter()
    analysis = service.cluster_items([appeal.item for appeal in appeals], embeddings)
    finished = time.perf_counter()
    truth = [appeal.category for appeal in appeals]
    print(score("hromada (no k)", truth, analysis.labels, finished - embedded).line())
    print(
        f"  embedding {embedded - started:.0f}s, clustering given the embeddings (languages, grouping, threshold, "
        f"labels, recurrence) {finished - embedded:.0f}s, "
        f"total {finished - started:.0f}s, peak RSS {_peak_rss_mb():.0f} MB"
    )
    # The grouping alone, as cluster_items does it: language means removed, then the agglomeration.
    languages = [detect_language(appeal.item.text) for appeal in appeals]
    started = time.perf_counter()
    directions = CollectionCentre.of(embeddings, languages).directions(embeddings, languages)
    clustering = cluster_embeddings(directions, [a.item.content_key for a in appeals], service.parameters)
    print(
        f"  grouping step alone (language means removed, k-means to {service.parameters.max_nodes} groups, "
        f"agglomeration): {time.perf_counter() - started:.1f}s, {clustering.cluster_count} problems"
    )


def load_appeals(path: Path) -> list[Appeal]:
    """Appeals in file order, the first of each repeated id, HTML entities decoded as a reader would."""
    opener = gzip.open if path.suffix == ".gz" else open
    appeals: dict[str, Appeal] = {}
    with opener(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            text = html.unescape(record["text"]).strip()
            if record["id"] in appeals or not text:
                continue
            item = ProblemItem(id=record["id"], text=text, date=record.get("date"), kind="appeal")
            appeals[record["id"]] = Appeal(item=item, category=record["category"])
    return list(appeals.values())


def load_unseen_benchmark(path: Path) -> list[Appeal]:
    """The second benchmark: 150 appeals of at least 50 characters from each category ranked 41–60.

    Any language, as the archive holds them (Ukrainian, Russian, mixed), and all months: a seeded sample in
    content order, so that it does not depend on the file's order.
    """
    appeals = load_appeals(path)
    counts = Counter(appeal.category for appeal in appeals)
    ranked = sorted(counts, key=lambda category: (-counts[category], category))
    chosen = set(ranked[UNSEEN_RANKS[0] - 1 : UNSEEN_RANKS[1]])
    rng = np.random.default_rng(1551)
    sample = []
    for category in sorted(chosen):
        pool = sorted(
            (a for a in appeals if a.category == category and len(a.item.text) >= MIN_CHARS),
            key=lambda appeal: appeal.item.content_key,
        )
        picked = rng.choice(len(pool), size=min(UNSEEN_PER_CATEGORY, len(pool)), replace=False)
        sample.extend(pool[i] for i in sorted(picked))
    return sample


def embed(appeals: list[Appeal], embedder: Embedder, arguments: argparse.Namespace, prompt: str) -> np.ndarray:
    """The appeals' vectors under e5's ``prompt`` ("query" or "passage"), from the cache when it has them."""
    texts = [appeal.item.text for appeal in appeals]
    cache_file = None
    if arguments.cache:
        digest = hashlib.sha1("\x1e".join(texts).encode("utf-8")).hexdigest()[:16]
        name = embedder.name.replace("/", "_")
        cache_file = arguments.cache / f"{name}-{prompt}-{arguments.max_seq_length}-{digest}.npy"
        if cache_file.exists():
            return np.load(cache_file)
    started = time.perf_counter()
    if prompt == "query":
        embeddings = embedder.embed_queries(texts, show_progress=True)
    else:
        embeddings = embedder.embed_passages(texts, show_progress=True)
    print(f"embedded {len(texts)} texts ({prompt}) in {time.perf_counter() - started:.0f}s", file=sys.stderr)
    if cache_file is not None:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        np.save(cache_file, embeddings)
    return embeddings


def score(method: str, truth: list[str], labels: np.ndarray, seconds: float) -> Scores:
    labels = np.asarray(labels)
    assigned = labels >= 0
    assigned_truth = [category for category, keep in zip(truth, assigned, strict=True) if keep]
    return Scores(
        method=method,
        ari=adjusted_rand_score(truth, labels),
        nmi=normalized_mutual_info_score(truth, labels),
        v_measure=v_measure_score(truth, labels),
        problems=len(set(labels[assigned].tolist())),
        unassigned=float(1 - assigned.mean()),
        seconds=seconds,
        nmi_assigned_only=normalized_mutual_info_score(assigned_truth, labels[assigned])
        if assigned.any()
        else None,
    )


def _sample(appeals: list[Appeal], indices: list[int], size: int) -> list[int]:
    """A seeded sample of ``indices`` that does not depend on the file's order."""
    ordered = sorted(indices, key=lambda index: appeals[index].item.content_key)
    rng = np.random.default_rng(1551)
    return [ordered[i] for i in sorted(rng.choice(len(ordered), size=min(size, len(ordered)), replace=False))]


def _count_lines(path: Path) -> int:
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        return sum(1 for line in lines if line.strip())


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    raise SystemExit(main())
