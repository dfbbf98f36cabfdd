"""Precedents of a problem: the articles that govern it, the projects of other communities, the earlier cases.

One query vector and one lemma list serve the three lists. Each list retrieves only its kinds of document
(legislation; proposals; transcripts and appeals), so that a list is never crowded out by another kind.
Whether the lists may be filled at all is decided once, from the evidence of the whole store
(``subject_evidence``): a problem on no subject of the store gets three empty lists. A problem on a subject
gets each list filled to ``k`` by rank: articles by ``article_ranking``, proposals and cases by their best
passage's fused score (``document_grouping``). No list has a floor of its own, so none is emptied while
another is filled.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from indexing.store import ChunkFilter, Store
from models.ukrainian_pipeline import UkrainianPipeline
from service.precedents.article_ranking import (
    Article,
    ArticleWeights,
    RankedArticle,
    group_articles,
    rank_articles,
)
from service.precedents.candidate_retrieval import Candidate, CandidateRetriever
from service.precedents.document_grouping import DocumentMatch, group_by_document
from service.precedents.precedent_types import Precedent, PrecedentReport
from service.precedents.shared_words import reason_line, shared_keywords
from service.precedents.subject_evidence import SubjectBars, SubjectEvidence, subject_evidence
from service.search_types import InvalidQueryError, SearchFilters
from service.searcher import MAX_QUERY_CHARS, hit_from_chunk

if TYPE_CHECKING:
    from models.embedder import Embedder

MAX_PRECEDENTS = 50
LEGISLATION_KINDS = ("legislation",)
PROPOSAL_KINDS = ("proposal",)
CASE_KINDS = ("transcript", "appeal")
STRATEGY_DETAILS = ("hromada", "raion", "hromada_type", "population", "katottg")
"""Metadata of a strategy document (``indexing.readers.strategies_reader``) shown with a proposal."""


@dataclass
class _Candidates:
    """The retrieved passages of each list for one problem."""

    legislation: list[Candidate]
    proposals: list[Candidate]
    cases: list[Candidate]

    def evidence(self) -> SubjectEvidence:
        return subject_evidence(self.legislation, self.proposals + self.cases)


@dataclass(frozen=True)
class _Query:
    text: str
    vector: np.ndarray
    lemmas: list[str]
    keywords: list[str]


class PrecedentFinder:
    """Finds the three kinds of precedent in one store with one embedder and one language pipeline."""

    def __init__(
        self,
        store: Store,
        embedder: Embedder,
        pipeline: UkrainianPipeline,
        bars: SubjectBars,
        weights: ArticleWeights,
        candidates: int = 100,
        rrf_k: int = 60,
    ) -> None:
        self.embedder = embedder
        self.pipeline = pipeline
        self.bars = bars
        self.weights = weights
        self._retriever = CandidateRetriever(store, candidates, rrf_k)

    def find(self, text: str, k: int = 5, filters: SearchFilters | None = None) -> PrecedentReport:
        """The ``k`` best precedents of each kind for the problem ``text``.

        ``filters``: ``sector`` applies to all three lists; ``region``, ``since`` and ``until`` to proposals
        and cases only (a law's date is its date of issue, not of a case). ``kind`` is refused: each list
        has its own kinds.
        """
        query = self._query(text, k, filters)
        filters = filters or SearchFilters()
        candidates = self._candidates(query, filters)
        if not self._evidence(query, filters, candidates).is_on_subject(self.bars):
            return PrecedentReport(legislation=[], proposals=[], cases=[])
        return PrecedentReport(
            legislation=[
                self._article_precedent(query, ranked, rank)
                for rank, ranked in enumerate(self._rank(candidates.legislation)[:k], start=1)
            ],
            proposals=self._documents(query, k, candidates.proposals),
            cases=self._documents(query, k, candidates.cases),
        )

    def ranked_articles(self, text: str, filters: SearchFilters | None = None) -> list[RankedArticle]:
        """The candidate articles, best first (the legislation list before it is cut to k); none off-subject."""
        return rank_articles(self.candidate_articles(text, filters), self.weights)

    def candidate_articles(self, text: str, filters: SearchFilters | None = None) -> list[Article]:
        """The articles of the retrieved law passages, unranked (for choosing the weights); none off-subject."""
        query = self._query(text, 1, filters)
        filters = filters or SearchFilters()
        candidates = self._candidates(query, filters)
        if not self._evidence(query, filters, candidates).is_on_subject(self.bars):
            return []
        return group_articles(candidates.legislation)

    def evidence(self, text: str, filters: SearchFilters | None = None) -> SubjectEvidence:
        """What the store holds on the subject of ``text`` (for calibration and inspection)."""
        query = self._query(text, 1, filters)
        filters = filters or SearchFilters()
        return self._evidence(query, filters, self._candidates(query, filters))

    def _evidence(self, query: _Query, filters: SearchFilters, candidates: _Candidates) -> SubjectEvidence:
        """The subject evidence of the whole store: filters narrow the lists, not what counts as indexed."""
        if filters.to_chunk_filter().is_empty():
            return candidates.evidence()
        return self._candidates(query, SearchFilters()).evidence()

    def _candidates(self, query: _Query, filters: SearchFilters) -> _Candidates:
        law_filter = ChunkFilter(kinds=LEGISLATION_KINDS, sector=filters.sector or None)
        return _Candidates(
            legislation=self._retrieve(query, law_filter),
            proposals=self._retrieve(query, _chunk_filter(PROPOSAL_KINDS, filters)),
            cases=self._retrieve(query, _chunk_filter(CASE_KINDS, filters)),
        )

    def _retrieve(self, query: _Query, chunk_filter: ChunkFilter) -> list[Candidate]:
        return self._retriever.retrieve(query.vector, query.lemmas, chunk_filter)

    def _rank(self, law: list[Candidate]) -> list[RankedArticle]:
        return rank_articles(group_articles(law), self.weights)

    def _documents(self, query: _Query, k: int, candidates: list[Candidate]) -> list[Precedent]:
        documents = group_by_document(candidates)[:k]
        return [self._document_precedent(query, document, rank) for rank, document in enumerate(documents, 1)]

    def _article_precedent(self, query: _Query, ranked: RankedArticle, rank: int) -> Precedent:
        article = ranked.article
        best = article.best
        heading = article.heading or ""
        shared = shared_keywords(query.keywords, f"{heading}\n{best.chunk.text}", self.pipeline)
        return Precedent(
            hit=hit_from_chunk(best.chunk, rank, ranked.score),
            reason=reason_line(shared, heading=heading or None, similarity=best.similarity),
            details={
                "act": article.act,
                "article": article.number,
                "similarity": round(best.similarity, 4),
                "competence": ranked.competence,
                "passages": len(article.passages),
            },
        )

    def _document_precedent(self, query: _Query, document: DocumentMatch, rank: int) -> Precedent:
        best = document.best
        shared = shared_keywords(query.keywords, best.chunk.text, self.pipeline)
        strategy = {key: best.chunk.metadata[key] for key in STRATEGY_DETAILS if key in best.chunk.metadata}
        return Precedent(
            hit=hit_from_chunk(best.chunk, rank, best.similarity),
            reason=reason_line(shared, similarity=best.similarity),
            details={
                "similarity": round(best.similarity, 4),
                "passages": len(document.passages),
                **strategy,
            },
        )

    def _query(self, text: str, k: int, filters: SearchFilters | None) -> _Query:
        text = (text or "").strip()
        if not text:
            raise InvalidQueryError("the problem text is empty")
        if len(text) > MAX_QUERY_CHARS:
            raise InvalidQueryError(f"the problem text is longer than {MAX_QUERY_CHARS} characters")
        if not 1 <= k <= MAX_PRECEDENTS:
            raise InvalidQueryError(f"k must be between 1 and {MAX_PRECEDENTS}, not {k}")
        if filters is not None and filters.kind:
            raise InvalidQueryError("kind cannot be chosen for precedents: each list has its own kinds")
        return _Query(
            text=text,
            vector=self.embedder.embed_queries([text])[0],
            lemmas=self.pipeline.lemmas(text),
            keywords=self.pipeline.keyword_lemmas(text),
        )


def _chunk_filter(kinds: tuple[str, ...], filters: SearchFilters) -> ChunkFilter:
    return ChunkFilter(
        kinds=kinds,
        sector=filters.sector or None,
        region=filters.region or None,
        since=filters.since or None,
        until=filters.until or None,
    )
