"""Problem labels beside the Kyiv 1551 category names, to be checked by eye.

The 3,000 Ukrainian appeals of ``bench-uk-top20x150.jsonl`` are clustered as ``scripts/bench/clustering.py``
does (the same embeddings and cache); for each problem the script prints its size, its label, its keywords and
the category most of its members carry in 1551 (a human's name for the subject, never seen by the service),
with that category's share of the members. There is no score: whether a label reads like a heading is judged by
reading. It also counts labels that are single words and labels told apart by keywords in brackets.

Run from the repository root: ``.venv/bin/python -m scripts.bench.problem_labels --cache DIR``.
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from models.embedder import Embedder
from models.language_detector import detect_language
from models.ukrainian_pipeline import UkrainianPipeline
from scripts.bench.clustering import BENCH_FILE, DATA, STATEMENT_PROMPT, embed, load_appeals
from service.problems import ProblemService


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA, help="the kyiv1551 folder")
    parser.add_argument("--cache", type=Path, help="folder that keeps embeddings between runs")
    parser.add_argument("--max-seq-length", type=int, default=512, help="tokens embedded per appeal")
    arguments = parser.parse_args(argv)

    embedder = Embedder(max_seq_length=arguments.max_seq_length)
    appeals = load_appeals(arguments.data / BENCH_FILE)
    embeddings = embed(appeals, embedder, arguments, STATEMENT_PROMPT)
    service = ProblemService(embedder, UkrainianPipeline(), detect_language, show_progress=True)
    analysis = service.cluster_items([appeal.item for appeal in appeals], embeddings)

    category_of = {appeal.item.id: appeal.category for appeal in appeals}
    members: dict[str, list[str]] = {}
    for assignment in analysis.report.assignments:
        if assignment.problem_id is not None:
            members.setdefault(assignment.problem_id, []).append(category_of[assignment.item_id])
    problems = analysis.report.problems
    for problem in problems:
        category, count = Counter(members[problem.id]).most_common(1)[0]
        share = count / len(members[problem.id])
        print(f"{problem.recurrence.size:>4}  {problem.label}")
        print(f"      ключові слова: {', '.join(problem.keywords[:6])}")
        print(f"      категорія 1551: {category} ({share:.0%})")
    single = sum(1 for problem in problems if " " not in problem.label)
    bracketed = sum(1 for problem in problems if problem.label.endswith(")"))
    labels = [problem.label for problem in problems]
    print(
        f"\n{len(problems)} problems: {single} one-word labels, {bracketed} told apart by keywords, "
        f"{len(labels) - len(set(labels))} repeated labels"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
