"""``hromada cluster``: recurring problems of the corpus, or a batch of new submissions sorted into them."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from indexing.document import KINDS
from service.briefs import BRIEF_FORMATS, brief_report, brief_title, build_brief
from service.cli.commands import EXIT_OK, UsageError, print_json, say
from service.hromada import Hromada
from service.problems import (
    Assignment,
    Problem,
    ProblemReport,
    read_batch,
    write_assignments_csv,
    write_chart,
    write_problems_csv,
)
from service.report_document import Figure, ReportTitle
from service.report_docx import report_docx
from service.report_markdown import report_markdown
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
    _add_listing_options(cluster, csv_help="also write the problems (or assignments) as CSV")
    cluster.set_defaults(handler=cluster_problems)

    problems = sub.add_parser(
        "problems",
        parents=[common],
        help="the saved problems, counted over the statements that pass the filters; or one problem",
        description="Reads what `hromada cluster` saved; changes nothing.",
    )
    problems.add_argument("problem_id", nargs="?", metavar="ID", help="show this problem only")
    _add_listing_options(problems, csv_help="also write the problems as CSV")
    problems.set_defaults(handler=show_problems)

    brief = sub.add_parser(
        "brief",
        parents=[common],
        help="a problem's brief: recurrence, typical statements, law, proposals, cases, partners, cited",
        description="The start of an analytical note about a saved problem, in Ukrainian, every quotation "
        "cited in a footnote. Markdown written with -o gets its chart as a PNG beside it "
        "(FILE-chart.png); printed, the chart is inside the text as a data: URI.",
    )
    brief.add_argument("problem_id", metavar="ID", help="a problem saved by `hromada cluster`")
    brief.add_argument("--format", default="markdown", choices=BRIEF_FORMATS)
    brief.add_argument("-o", "--output", type=Path, help="write to this file (needed for docx)")
    _add_filter_options(brief)
    brief.set_defaults(handler=write_brief)


def _add_filter_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--kind", choices=KINDS, help="only statements from documents of this kind")
    parser.add_argument("--region", help="only statements from this region")
    parser.add_argument("--since", metavar="DATE", help="only statements from YYYY-MM-DD on")
    parser.add_argument("--until", metavar="DATE", help="only statements up to YYYY-MM-DD")


def _add_listing_options(parser: argparse.ArgumentParser, csv_help: str) -> None:
    _add_filter_options(parser)
    parser.add_argument("--min-size", type=int, default=2, metavar="N", help="list problems of N or more")
    parser.add_argument("--csv", type=Path, metavar="FILE", help=csv_help)
    parser.add_argument(
        "--chart", type=Path, metavar="FILE", help="a PNG or SVG of the largest problems over time"
    )


def cluster_problems(app: Hromada, args: argparse.Namespace) -> int:
    filters = _filters(args)
    # Bars only on a terminal, as for index: in a file or a pipe they would leave escape codes.
    progress = sys.stderr.isatty()
    if args.input is not None:
        report = app.assign_batch(read_batch(args.input), show_progress=progress)
        problems = report.problems
    else:
        report = app.cluster_corpus(filters, show_progress=progress)
        problems = app.problems(filters, args.min_size)
    _write_files(args, problems, report.assignments if args.input is not None else None)
    if args.json:
        print_json({**report.to_json(), "problems": [problem.to_json() for problem in problems]})
    else:
        _print_problems(problems, report)
    return EXIT_OK


def show_problems(app: Hromada, args: argparse.Namespace) -> int:
    filters = _filters(args)
    if args.problem_id is not None:
        problems = [app.problem(args.problem_id, filters)]
    else:
        problems = app.problems(filters, args.min_size)
    _write_files(args, problems, assignments=None)
    if args.json:
        print_json({"problems": [problem.to_json() for problem in problems]})
    else:
        for problem in problems:
            _print_problem(problem)
            if args.problem_id is not None:
                _print_trend(problem)
    return EXIT_OK


def write_brief(app: Hromada, args: argparse.Namespace) -> int:
    if args.format == "docx" and args.output is None:
        raise UsageError("--format docx needs -o FILE")
    brief = build_brief(app, args.problem_id, _filters(args))
    if args.format == "json" or args.json:
        if args.output is None:
            print_json(brief.to_json())
            return EXIT_OK
        args.output.write_text(json.dumps(brief.to_json(), ensure_ascii=False), encoding="utf-8")
    else:
        report = brief_report(brief, ReportTitle(brief_title(brief), app.settings.report_author))
        if args.format == "docx":
            args.output.write_bytes(report_docx(report))
        elif args.output is None:
            print(report_markdown(report), end="")
            return EXIT_OK
        else:
            output: Path = args.output
            output.write_text(
                report_markdown(report, lambda figure: _beside(output, figure)), encoding="utf-8"
            )
    say(f"wrote the brief of {args.problem_id} ({len(brief.quoted())} cited excerpts) to {args.output}")
    return EXIT_OK


def _beside(text_file: Path, figure: Figure) -> str:
    """Writes ``figure`` beside ``text_file`` (``brief.md`` → ``brief-chart.png``); returns its relative link."""
    path = text_file.with_name(f"{text_file.stem}-{figure.name}")
    path.write_bytes(figure.png)
    return path.name


def _filters(args: argparse.Namespace) -> SearchFilters:
    return SearchFilters(kind=args.kind, region=args.region, since=args.since, until=args.until)


def _write_files(
    args: argparse.Namespace, problems: list[Problem], assignments: list[Assignment] | None
) -> None:
    """The ``--csv`` (assignments when a batch was sorted, else problems) and ``--chart`` files asked for."""
    if args.csv is not None:
        if assignments is not None:
            write_assignments_csv(assignments, problems, args.csv)
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
        _print_problem(problem)


def _print_problem(problem: Problem) -> None:
    recurrence = problem.recurrence
    period = f"{recurrence.first_seen or '?'} – {recurrence.last_seen or '?'}"
    regions = ", ".join(recurrence.regions[:3])
    print(f"\n{problem.id}  {problem.label}  ({recurrence.size}; {period}; {recurrence.trend.word})")
    if problem.keywords:
        print(f"   ключові слова: {', '.join(problem.keywords)}")
    if regions:
        print(f"   регіони: {regions}")
    for example in problem.examples[:2]:
        print(f"   — {' '.join(example.item.text.split())[:160]}")


def _print_trend(problem: Problem) -> None:
    """The months the trend rests on, and the test that decided it."""
    trend = problem.recurrence.trend
    if not trend.months:
        print("   динаміка: без дат")
        return
    p_value = "" if trend.p_value is None else f", p = {trend.p_value:.3f}"
    print(f"   динаміка: {trend.word} ({trend.test}{p_value}; перший місяць не перевіряється)")
    print("   місяць    згадок  усіх висловлювань")
    for month in trend.months:
        print(f"   {month.month}  {month.count:>6}  {month.total:>17}")
