"""Legislation precedents: passages grouped into articles, and articles ranked by evidence and a prior.

Plain hybrid search ranks passages, so one long article can fill the list with its parts. Here every article
is scored once, on the scale of cosine similarity, so that a prior can be sized against real differences of
meaning (a fused rank score has no such scale: near its top, neighbouring ranks differ by less than a
thousandth however far apart their meanings are):

- the best cosine similarity of the problem to any of its passages (passages carry the article's heading,
  ``indexing.chunk_context``, so what the article is about counts here);
- ``ArticleWeights.lexical`` times its best BM25 relative to the best BM25 among all candidates, so that an
  article sharing the problem's own words wins a near-tie;
- ``ArticleWeights.competence`` per reason of ``competence_prior``: a specialist cites first the article that
  says whose task the problem is, and the sector's own act.

A separate term for the heading alone (once half of the score) was dropped: on the benchmark it lowered
Recall@5 at every weight tried. The lexical weight is chosen by ``scripts/bench/precedents.py
--choose-weights``; the competence lift keeps the size set by reasoning (0.01 a reason).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from service.precedents.candidate_retrieval import Candidate
from service.precedents.competence_prior import competence_reasons

_ARTICLE_SECTION = re.compile(r"^ст\.\s*(?P<number>\d[\w\-]*)")
_HEADING_LINE = re.compile(r"^\s*Стаття\s+\d[\w\-]*\.?.*")


@dataclass
class Article:
    """An article of an act with the retrieved passages of it."""

    doc_id: int
    number: str
    """As the act writes it: «26», «6-1»."""
    act: str | None
    """The act's number (``short_name`` in the legislation export): «280/97-ВР»."""
    heading: str | None
    """The article's heading line: «Стаття 26. Виключна компетенція сільських, селищних, міських рад»."""
    passages: list[Candidate]
    """Retrieved passages of this article, the best (highest cosine) first."""

    @property
    def best(self) -> Candidate:
        return self.passages[0]


@dataclass(frozen=True)
class ArticleWeights:
    """What the lexical evidence and each reason of competence add to an article's cosine similarity."""

    lexical: float
    competence: float


@dataclass(frozen=True)
class RankedArticle:
    """An article with its score and the parts of the score, for the reason line and for inspection."""

    article: Article
    score: float
    competence: int
    """How many reasons of ``competence_prior`` lifted it (0, 1 or 2)."""


def group_articles(candidates: Iterable[Candidate]) -> list[Article]:
    """The articles of the candidates (passages outside any article, such as preambles, are left out)."""
    articles: dict[tuple[int, str], Article] = {}
    for candidate in candidates:
        key = _article_key(candidate)
        if key is None:
            continue
        if key not in articles:
            act = candidate.chunk.metadata.get("short_name")
            articles[key] = Article(key[0], key[1], act, _heading_of(candidate), [])
        articles[key].passages.append(candidate)
    for article in articles.values():
        article.passages.sort(key=lambda candidate: (-candidate.similarity, candidate.chunk.id))
    return list(articles.values())


def _article_key(candidate: Candidate) -> tuple[int, str] | None:
    """(document id, article number) of a law passage; None for a passage outside any article."""
    match = _ARTICLE_SECTION.match(candidate.chunk.section or "")
    return None if match is None else (candidate.chunk.doc_id, match["number"])


def rank_articles(articles: Sequence[Article], weights: ArticleWeights) -> list[RankedArticle]:
    """Articles ordered by the combined score, best first (see the module's description).

    The sector's act is the act of the article closest to the problem by meaning.
    """
    if not articles:
        return []
    sector_act = max(articles, key=lambda article: article.best.similarity).act
    best_lexical = max(candidate.lexical for article in articles for candidate in article.passages)
    ranked = []
    for article in articles:
        lexical = max(candidate.lexical for candidate in article.passages)
        reasons = competence_reasons(article.act, article.heading, sector_act)
        score = (
            article.best.similarity
            + weights.lexical * (lexical / best_lexical if best_lexical > 0 else 0.0)
            + weights.competence * reasons
        )
        ranked.append(RankedArticle(article, score, reasons))
    return sorted(ranked, key=lambda item: (-item.score, item.article.doc_id, item.article.number))


def _heading_of(candidate: Candidate) -> str | None:
    """The chunk's article heading, or its first line when the chunk opens the article itself."""
    if candidate.chunk.heading:
        return candidate.chunk.heading
    first_line = _HEADING_LINE.match(candidate.chunk.text)
    return first_line.group(0).strip() if first_line else None
