"""Whether anything on a problem's subject is indexed: the one decision that may empty the precedent lists.

A cosine floor per list cut lists a specialist would fill. «Немає шкільного автобуса» is 0.80 from the article
on school transport (the law says «підвезення», not «автобус»), while a sports-rules question comes within 0.85
of some article of the law on local self-government: law is formal text, close to any formal question, so no
cosine on law passages alone separates the two. What separates them is evidence from the whole store, any
of which suffices:

- a proposal or a case (appeal, transcript turn) within ``SubjectBars.documents`` of the problem: these are
  people's problems, close only to problems (the bar lets no off-topic question of the calibration through);
- a law passage within ``SubjectBars.legislation``;
- the dense and the lemma rankings of the law naming the same article first: two independent views agree on
  what the problem is about («у селі немає старости»: both find «Стаття 54-1. Староста»).

When there is such evidence, the problem is on a subject of the store and the legislation list is always
filled (which articles govern it is the ranking's business); when there is none, every list is empty.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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
    rankings_agree: bool
    """Whether the closest law passage by meaning and the best by lemmas are of the same article."""

    def is_on_subject(self, bars: SubjectBars) -> bool:
        return (
            self.best_document >= bars.documents or self.best_law >= bars.legislation or self.rankings_agree
        )


def subject_evidence(
    law: Sequence[Candidate], documents: Sequence[Candidate], law_article: Callable[[Candidate], object]
) -> SubjectEvidence:
    """The evidence in the retrieved law passages and proposal/case passages of one problem.

    ``law_article`` names the article a law passage belongs to (None outside any article).
    """
    best_by_meaning = max(law, key=lambda candidate: candidate.similarity, default=None)
    best_by_lemmas = max(law, key=lambda candidate: candidate.lexical, default=None)
    agree = (
        best_by_meaning is not None
        and best_by_lemmas is not None
        and best_by_lemmas.lexical > 0
        and law_article(best_by_meaning) is not None
        and law_article(best_by_meaning) == law_article(best_by_lemmas)
    )
    return SubjectEvidence(
        best_law=best_by_meaning.similarity if best_by_meaning else 0.0,
        best_document=max((candidate.similarity for candidate in documents), default=0.0),
        rankings_agree=agree,
    )
