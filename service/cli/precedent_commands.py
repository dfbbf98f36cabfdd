"""``hromada precedents`` and ``hromada partners``: precedents of a problem, partners for cooperation."""

from __future__ import annotations

import argparse

from service.cli.commands import EXIT_OK, UsageError, print_json, say
from service.hromada import Hromada
from service.precedents import PartnerSuggestion, Precedent, PrecedentReport
from service.precedents.precedent_service import partner_finder, precedent_finder, problem_text
from service.search_types import SearchFilters

_LIST_TITLES = {
    "legislation": "Законодавство",
    "proposals": "Проєкти інших громад",
    "cases": "Попередні випадки",
}


def add_precedent_commands(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    precedents = sub.add_parser(
        "precedents",
        parents=[common],
        help="law articles, projects of other communities and earlier cases for a problem",
    )
    precedents.add_argument("text", nargs="?", metavar="TEXT", help="the problem, in Ukrainian or Russian")
    precedents.add_argument(
        "--problem", metavar="ID", help="a problem saved by `hromada cluster`, instead of TEXT"
    )
    precedents.add_argument("-k", type=int, default=5, help="entries per list (default 5)")
    precedents.add_argument("--sector", help="only passages tagged with this sector (all three lists)")
    precedents.add_argument("--region", help="only proposals and cases of this region")
    precedents.add_argument("--since", metavar="DATE", help="proposals and cases from YYYY-MM-DD")
    precedents.add_argument("--until", metavar="DATE", help="proposals and cases up to YYYY-MM-DD")
    precedents.set_defaults(handler=find_precedents)

    partners = sub.add_parser(
        "partners", parents=[common], help="hromadas with the same problem or goals, for cooperation"
    )
    partners.add_argument("text", nargs="?", metavar="TEXT", help="a problem, instead of --hromada")
    partners.add_argument("--hromada", metavar="NAME", help="the hromada looking for partners")
    partners.add_argument("-k", type=int, default=5, help="how many partners (default 5)")
    partners.set_defaults(handler=find_partners)


def find_precedents(app: Hromada, args: argparse.Namespace) -> int:
    if (args.text is None) == (args.problem is None):
        raise UsageError("give either a problem TEXT or --problem ID")
    text = args.text if args.text is not None else problem_text(app, args.problem)
    filters = SearchFilters(sector=args.sector, region=args.region, since=args.since, until=args.until)
    report = precedent_finder(app).find(text, args.k, filters)
    if args.json:
        print_json(report.to_dict())
    else:
        _print_report(report)
    return EXIT_OK


def find_partners(app: Hromada, args: argparse.Namespace) -> int:
    if (args.text is None) == (args.hromada is None):
        raise UsageError("give either a problem TEXT or --hromada NAME")
    finder = partner_finder(app)
    if args.hromada is not None:
        own, suggestions = finder.for_hromada(args.hromada, args.k)
        asking: str | None = own.hromada
    else:
        suggestions, asking = finder.for_problem(args.text, args.k), None
    if args.json:
        print_json({"hromada": asking, "partners": [suggestion.to_dict() for suggestion in suggestions]})
    else:
        _print_partners(suggestions)
    return EXIT_OK


def _print_report(report: PrecedentReport) -> None:
    for name, title in _LIST_TITLES.items():
        precedents: list[Precedent] = getattr(report, name)
        print(f"\n## {title}")
        if not precedents:
            print("Нічого достатньо схожого.")
        for precedent in precedents:
            print(f"{precedent.hit.rank}. {precedent.hit.citation}")
            print(f"   {precedent.reason}")


def _print_partners(suggestions: list[PartnerSuggestion]) -> None:
    if not suggestions:
        say("no hromada strategy in the store matches")
    for number, suggestion in enumerate(suggestions, start=1):
        place = ", ".join(part for part in (suggestion.raion, suggestion.region) if part)
        print(f"{number}. {suggestion.hromada} ({place}; {suggestion.hromada_type}, {suggestion.population})")
        for evidence in suggestion.evidence:
            if evidence.own:
                print(f"   у вас: {evidence.own}")
            print(f"   у них: {evidence.partner}")
            print(f"   спільні слова: {', '.join(evidence.shared_words)}")
