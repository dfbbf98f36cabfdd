"""Whether anything on a problem's subject is indexed: the one decision that may empty the precedent lists.

A cosine floor per list cut lists a specialist would fill. Law is formal text, close to any formal question: a
sports-rules question comes within 0.85 of some article of the law on local self-government, while «у школі
немає укриття» is 0.80 from the closest article. What separates them is evidence from the whole store, any of
which suffices:

- a proposal or a case (appeal, transcript turn) within ``SubjectBars.documents`` of the problem: these are
  people's problems and plans, close to problems and far from sports rules;
- a law passage within ``SubjectBars.legislation`` (a strict bar, above every off-topic calibration question).

(The dense and the lemma rankings of the law naming the same article first was once evidence too; on the
calibration problems it let 11 of 198 sports questions through, 16 of 198 over the sample corpus, and no
on-topic problem of 509 needed it.)

When there is such evidence, the problem is on a subject of the store and every list is filled by rank; when
there is none, every list is empty. The bars are calibrated by ``scripts/bench/precedents.py --calibrate``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from service.precedents.candidate_retrieval import Candidate


@dataclass(frozen=True)
class SubjectBars:
    """The least cosine similarity to the problem that counts as evidence of its subject, per kind of passage."""

    legislation: float
    documents: float


@dataclass(frozen=True)
class SubjectEvidence:
    """The best evidence found for the problem's subject, for the gate and for inspection."""

    best_law: float
    """Cosine of the closest law passage (0 when the store holds no law)."""
    best_document: float
    """Cosine of the closest proposal or case passage (0 when there is none)."""

    def is_on_subject(self, bars: SubjectBars) -> bool:
        return self.best_document >= bars.documents or self.best_law >= bars.legislation


def subject_evidence(law: Sequence[Candidate], documents: Sequence[Candidate]) -> SubjectEvidence:
    """The evidence in the retrieved law passages and proposal/case passages of one problem."""
    return SubjectEvidence(
        best_law=max((candidate.similarity for candidate in law), default=0.0),
        best_document=max((candidate.similarity for candidate in documents), default=0.0),
    )
