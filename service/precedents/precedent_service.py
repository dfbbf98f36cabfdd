"""Precedents and partners over a ``Hromada``: the finders built from its store, models and settings,
and a known problem turned into the text its precedents are looked for with."""

from __future__ import annotations

from service.hromada import Hromada
from service.precedents.article_ranking import ArticleWeights
from service.precedents.partner_finder import PartnerFinder
from service.precedents.precedent_finder import PrecedentFinder
from service.precedents.strategy_profiles import load_profiles
from service.precedents.subject_evidence import SubjectBars
from service.searcher import MAX_QUERY_CHARS

PROBLEM_EXAMPLES = 3
"""Typical statements added to a problem's label: a label alone is a few keywords, too thin to match."""


def precedent_finder(app: Hromada) -> PrecedentFinder:
    settings = app.settings
    bars = SubjectBars(settings.precedent_min_similarity, settings.precedent_min_document_similarity)
    return PrecedentFinder(
        app.store(with_model=True),
        app.embedder,
        app.pipeline,
        bars,
        ArticleWeights(settings.precedent_lexical_weight, settings.precedent_competence_lift),
        settings.candidates,
        settings.rrf_k,
    )


def partner_finder(app: Hromada) -> PartnerFinder:
    return PartnerFinder(load_profiles(app.store(with_model=True)), app.embedder, app.pipeline)


def problem_text(app: Hromada, problem_id: str) -> str:
    """A saved problem as a text: its label and its most typical statements, within the query limit.

    ``ProblemNotFoundError`` when the store has no problem with that id.
    """
    problem = app.problem(problem_id)
    parts = [problem.label, *(example.item.text for example in problem.examples[:PROBLEM_EXAMPLES])]
    return "\n".join(part.strip() for part in parts if part.strip())[:MAX_QUERY_CHARS]
