"""``hromada cluster``: recurring problems of the corpus, or a batch of new submissions sorted into them."""

from __future__ import annotations

import argparse
from pathlib import Path

from indexing.document import KINDS
from service.cli.commands import EXIT_OK, print_json, say
from service.hromada import Hromada
from service.problems import (
    Problem,
    ProblemReport,
    read_batch,
    write_assignments_csv,
    write_chart,
    write_problems_csv,
)
from service.search_types import SearchFilters


def add_problem_commands(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    cluster = sub.add_parser(
        "cluster",
        parents=[common],
        help="find recurring problems, or sort a batch of submissions into them",
        description="Without --input: cluster the problem statements of the indexed corpus. With --input "
        "(JSONL or CSV with id, text, optional date and region): assign each item to a known problem or form "
        "new ones, and save them. Sending the same items again counts nothing twice.",
    )
    cluster.add_argument("--input", type=Path, metavar="FILE", help="a batch of new submissions")
    cluster.add_argument("--kind", choices=KINDS, help="only statements from documents of this kind")
    cluster.add_argument("--region", help="only statements from this region (listing)")
    cluster.add_argument("--since", metavar="DATE", help="only statements from YYYY-MM-DD on")
    cluster.add_argument("--until", metavar="DATE", help="only statements up to YYYY-MM-DD")
    cluster.add_argument("--min-size", type=int, default=2, metavar="N", help="list problems of N or more")
    cluster.add_argument(
        "--csv", type=Path, metavar="FILE", help="also write the problems (or assignments) as CSV"
    )
    cluster.add_argument(
        "--chart", type=Path, metavar="FILE", help="a PNG or SVG of the largest problems over time"
    )
    cluster.set_defaults(handler=cluster_problems)


def cluster_problems(app: Hromada, args: argparse.Namespace) -> int:
    filters = SearchFilters(kind=args.kind, region=args.region, since=args.since, until=args.until)
    if args.input is not None:
        report = app.assign_batch(read_batch(args.input))
        problems = report.problems
    else:
        report = app.cluster_corpus(filters)
        problems = app.problems(filters, args.min_size)
    _write_files(args, report, problems)
    if args.json:
        print_json({**report.to_json(), "problems": [problem.to_json() for problem in problems]})
    else:
        _print_problems(problems, report)
    return EXIT_OK


def _write_files(args: argparse.Namespace, report: ProblemReport, problems: list[Problem]) -> None:
    if args.csv is not None:
        if args.input is not None:
            write_assignments_csv(report.assignments, problems, args.csv)
        else:
            write_problems_csv(problems, args.csv)
        say(f"wrote {args.csv}")
    if args.chart is not None:
        write_chart(problems, args.chart)
        say(f"wrote {args.chart}")


def _print_problems(problems: list[Problem], report: ProblemReport) -> None:
    assigned = sum(1 for assignment in report.assignments if assignment.problem_id is not None)
    print(
        f"{len(report.assignments)} statements, {assigned} in a problem, "
        f"{len(report.new_problem_ids)} new problems, {report.already_seen} seen before"
    )
    for problem in problems:
        recurrence = problem.recurrence
        period = f"{recurrence.first_seen or '?'} – {recurrence.last_seen or '?'}"
        regions = ", ".join(recurrence.regions[:3])
        print(f"\n{problem.id}  {problem.label}  ({recurrence.size}; {period}; {recurrence.trend.direction})")
        if regions:
            print(f"   регіони: {regions}")
        for example in problem.examples[:2]:
            print(f"   — {' '.join(example.item.text.split())[:160]}")
