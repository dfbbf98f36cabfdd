"""Proposal and case precedents: one entry per document, shown by its passage that ranks best for the problem."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from service.precedents.candidate_retrieval import Candidate


@dataclass
class DocumentMatch:
    """A document with the retrieved passages of it, the best (highest fused score) first."""

    passages: list[Candidate]

    @property
    def best(self) -> Candidate:
        return self.passages[0]


def group_by_document(candidates: Iterable[Candidate]) -> list[DocumentMatch]:
    """The candidates' documents, ordered by their best passage's fused score.

    Documents are ranked by fused score, not by cosine alone: a project sharing the problem's rare words
    («гемодіаліз», «ОСББ», a village's name) is found by the lemmas where the cosines of many projects
    differ by thousandths. No similarity floor applies here: whether anything on the subject is indexed is
    decided once for all lists (``subject_evidence``); past that, a list is ranked, not cut.
    """
    documents: dict[int, DocumentMatch] = {}
    for candidate in candidates:
        documents.setdefault(candidate.chunk.doc_id, DocumentMatch([])).passages.append(candidate)
    for document in documents.values():
        document.passages.sort(key=lambda candidate: (-candidate.fused, candidate.chunk.id))
    return sorted(documents.values(), key=lambda document: (-document.best.fused, document.best.chunk.id))
