"""What a problem's brief says, gathered from the store: the problem, its most typical statements, the articles
that govern it, similar proposals, earlier cases and partner hromadas, each quoted passage an exact ``Excerpt``.

The problem is counted over the statements that pass the filters (as ``GET /problems/{id}``); its precedents and
partners are looked for with its label and typical statements, unfiltered, as the problem's page does.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from indexing.store import Store
from service.excerpts import Excerpt, excerpts_from_hits, span_excerpt
from service.hromada import Hromada
from service.precedents import PartnerSuggestion, Precedent
from service.precedents.precedent_service import partner_finder, precedent_finder, problem_text
from service.problems import Example, Problem
from service.problems.problem_export import monthly_chart_png
from service.search_types import SearchFilters

BRIEF_PRECEDENTS = 3
"""Entries of each list of precedents (laws, proposals, cases) in a brief."""
BRIEF_PARTNERS = 3


@dataclass
class PartnerQuote:
    """A suggested partner hromada and the item of its strategy that shows why, quoted."""

    suggestion: PartnerSuggestion
    excerpt: Excerpt


@dataclass
class ProblemBrief:
    """The contents of a brief; excerpts are numbered in the order the brief quotes them (its footnotes)."""

    problem: Problem
    filters: SearchFilters
    statements: list[Excerpt]
    unsourced: list[Example]
    """Typical statements that came in a batch, not from an indexed document: shown with their record id."""
    legislation: list[Excerpt]
    proposals: list[Excerpt]
    cases: list[Excerpt]
    partners: list[PartnerQuote]
    chart: bytes | None = field(default=None, repr=False)
    """The statements per month as PNG; None when they carry no dates."""

    def quoted(self) -> list[Excerpt]:
        """Every excerpt in the order the brief quotes them: statements, laws, proposals, cases, partners."""
        partners = [quote.excerpt for quote in self.partners]
        return [*self.statements, *self.legislation, *self.proposals, *self.cases, *partners]

    def to_json(self) -> dict[str, Any]:
        filters = {name: value for name, value in asdict(self.filters).items() if value}
        return {
            "problem": self.problem.to_json(),
            "filters": filters,
            "statements": [excerpt.to_dict() for excerpt in self.statements],
            "unsourced_statements": [example.to_json() for example in self.unsourced],
            "legislation": [excerpt.to_dict() for excerpt in self.legislation],
            "proposals": [excerpt.to_dict() for excerpt in self.proposals],
            "cases": [excerpt.to_dict() for excerpt in self.cases],
            "partners": [
                {**quote.suggestion.to_dict(), "excerpt": quote.excerpt.to_dict()} for quote in self.partners
            ],
        }


def build_brief(app: Hromada, problem_id: str, filters: SearchFilters | None = None) -> ProblemBrief:
    """The brief of a saved problem; ``ProblemNotFoundError`` when there is none with that id."""
    filters = filters or SearchFilters()
    problem = app.problem(problem_id, filters)
    store = app.store(with_model=True)
    sourced = [example for example in problem.examples if example.item.chunk_id is not None]
    statements = [_statement_excerpt(store, example) for example in sourced]
    statements = [excerpt for excerpt in statements if excerpt is not None]
    text = problem_text(app, problem_id)
    quoted = {excerpt.chunk_id for excerpt in statements}
    # A problem's own statements are its closest cases: asked for beyond them, so that none is quoted twice.
    found = precedent_finder(app).find(text, BRIEF_PRECEDENTS + len(quoted), SearchFilters())
    cases = [precedent for precedent in found.cases if precedent.hit.chunk_id not in quoted]
    partners = [
        PartnerQuote(suggestion, excerpt)
        for suggestion in partner_finder(app).for_problem(text, BRIEF_PARTNERS)
        if (excerpt := _partner_excerpt(store, suggestion)) is not None
    ]
    brief = ProblemBrief(
        problem=problem,
        filters=filters,
        statements=statements,
        unsourced=[example for example in problem.examples if example.item.chunk_id is None],
        legislation=_excerpts(found.legislation[:BRIEF_PRECEDENTS]),
        proposals=_excerpts(found.proposals[:BRIEF_PRECEDENTS]),
        cases=_excerpts(cases[:BRIEF_PRECEDENTS]),
        partners=partners,
        chart=monthly_chart_png(problem),
    )
    for number, excerpt in enumerate(brief.quoted(), start=1):
        excerpt.number = number
    return brief


def _excerpts(precedents: list[Precedent]) -> list[Excerpt]:
    return excerpts_from_hits([precedent.hit for precedent in precedents])


def _statement_excerpt(store: Store, example: Example) -> Excerpt | None:
    """A statement quoted from its document; None when the document was deleted since it was clustered."""
    item = example.item
    chunks = store.chunks([item.chunk_id]) if item.chunk_id is not None else []
    document = store.document(item.doc_id) if item.doc_id is not None else None
    if not chunks or document is None or item.start is None or item.end is None:
        return None
    return span_excerpt(chunks[0], item.start, item.end, document.text[item.start : item.end])


def _partner_excerpt(store: Store, suggestion: PartnerSuggestion) -> Excerpt | None:
    """The partner's strategy item that matched, quoted; None when its document was deleted meanwhile."""
    evidence = suggestion.evidence[0]
    chunks = store.chunks([evidence.partner_chunk_id])
    document = store.document(suggestion.doc_id)
    if not chunks or document is None:
        return None
    text = document.text[evidence.partner_start : evidence.partner_end]
    return span_excerpt(chunks[0], evidence.partner_start, evidence.partner_end, text)
