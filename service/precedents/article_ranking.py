"""Legislation precedents: passages grouped into articles, and articles ranked by three kinds of evidence.

Plain hybrid search ranks passages, so one long article can fill the list with its parts while the article
that names the problem in its heading stays below. Here every article is scored once from:

- the best cosine similarity of the problem to any of its retrieved passages (what the text says),
- the cosine similarity of the problem to the article's heading («Стаття 30. Повноваження в галузі
  житлово-комунального господарства …»: what the article is about), with the same weight, because the two
  are two views of one article on the same scale,
- a small lexical term, the best BM25 of its passages relative to the best BM25 among all candidates, so
  that an article sharing the problem's own words wins a near-tie,
- the competence prior of ``competence_prior``, which also lifts the act of the article closest to the
  problem by passage and heading (the sector's own law).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from service.precedents.candidate_retrieval import Candidate
from service.precedents.competence_prior import competence_prior

PASSAGE_WEIGHT = 0.5
HEADING_WEIGHT = 0.5
LEXICAL_WEIGHT = 0.02
"""At most a fifth of the gap between a governing and a related article (see ``competence_prior``)."""

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
class RankedArticle:
    """An article with its score and the parts of the score, for the reason line and for inspection."""

    article: Article
    score: float
    heading_similarity: float
    prior: float


def group_articles(candidates: Iterable[Candidate]) -> list[Article]:
    """The articles of the candidates (passages outside any article, such as preambles, are left out)."""
    articles: dict[tuple[int, str], Article] = {}
    for candidate in candidates:
        key = article_key(candidate)
        if key is None:
            continue
        if key not in articles:
            act = candidate.chunk.metadata.get("short_name")
            articles[key] = Article(key[0], key[1], act, _heading_of(candidate), [])
        articles[key].passages.append(candidate)
    for article in articles.values():
        article.passages.sort(key=lambda candidate: -candidate.similarity)
    return list(articles.values())


def article_key(candidate: Candidate) -> tuple[int, str] | None:
    """(document id, article number) of a law passage; None for a passage outside any article."""
    match = _ARTICLE_SECTION.match(candidate.chunk.section or "")
    return None if match is None else (candidate.chunk.doc_id, match["number"])


def rank_articles(
    articles: Sequence[Article],
    embed_headings: Callable[[Sequence[str]], np.ndarray],
    query_vector: np.ndarray,
) -> list[RankedArticle]:
    """Articles ordered by the combined score, best first; ``embed_headings`` gives passage vectors."""
    if not articles:
        return []
    headings = [article.heading or "" for article in articles]
    heading_similarities = embed_headings(headings) @ query_vector
    similarities = [
        PASSAGE_WEIGHT * article.best.similarity
        + HEADING_WEIGHT * (heading_similarity if article.heading else article.best.similarity)
        for article, heading_similarity in zip(articles, heading_similarities.tolist(), strict=True)
    ]
    sector_act = articles[int(np.argmax(similarities))].act
    best_lexical = max(candidate.lexical for article in articles for candidate in article.passages)
    ranked = []
    for article, similarity, heading_similarity in zip(
        articles, similarities, heading_similarities.tolist(), strict=True
    ):
        lexical = max(candidate.lexical for candidate in article.passages)
        prior = competence_prior(article.act, article.heading, sector_act)
        score = similarity + LEXICAL_WEIGHT * (lexical / best_lexical if best_lexical > 0 else 0.0) + prior
        ranked.append(RankedArticle(article, score, heading_similarity, prior))
    return sorted(ranked, key=lambda item: (-item.score, item.article.doc_id, item.article.number))


def _heading_of(candidate: Candidate) -> str | None:
    """The chunk's article heading, or its first line when the chunk opens the article itself."""
    if candidate.chunk.heading:
        return candidate.chunk.heading
    first_line = _HEADING_LINE.match(candidate.chunk.text)
    return first_line.group(0).strip() if first_line else None
