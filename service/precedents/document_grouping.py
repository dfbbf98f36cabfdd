"""Proposal and case precedents: one entry per document, shown by its passage closest to the problem."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from service.precedents.candidate_retrieval import Candidate


@dataclass
class DocumentMatch:
    """A document with the retrieved passages of it, the best (highest cosine) first."""

    passages: list[Candidate]
    fused: float
    """The best hybrid-search score (reciprocal-rank fusion) among its passages: the document's rank."""

    @property
    def best(self) -> Candidate:
        return self.passages[0]


def group_by_document(candidates: Iterable[Candidate], min_similarity: float) -> list[DocumentMatch]:
    """Documents with a passage at least ``min_similarity`` to the problem, in the order of hybrid search.

    Only passages over the bar count, so a document is shown by, and counted for, what really matches.
    Documents are ordered by their best fused score, not by cosine alone: a project sharing the problem's
    rare words («гемодіаліз», «ОСББ», a village's name) is found by the lemmas where the cosines of many
    projects differ by thousandths.
    """
    documents: dict[int, DocumentMatch] = {}
    for candidate in candidates:
        if candidate.similarity >= min_similarity:
            document = documents.setdefault(candidate.chunk.doc_id, DocumentMatch([], candidate.fused))
            document.passages.append(candidate)
            document.fused = max(document.fused, candidate.fused)
    for document in documents.values():
        document.passages.sort(key=lambda candidate: (-candidate.similarity, candidate.chunk.id))
    return sorted(documents.values(), key=lambda document: (-document.fused, document.best.chunk.id))
