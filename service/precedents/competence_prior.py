"""A prior for the articles that say who may act: the powers of councils in the key laws on local government.

A problem brought to a council asks first "is this ours to solve, and with what money?". The articles that
answer it are those granting powers («повноваження», «компетенція») and the acts that organise local
government: the law on local self-government (280/97-ВР), the law on cooperation of territorial communities
(1508-18, i.e. 1508-VII) and the Budget Code (2456-17; 2542-14 is its predecessor). An article that
passes the similarity bar gets a small lift when it is one of them.

The lift is counted in standard deviations of the similarities of the problem's candidate articles
(``article_ranking`` multiplies it by that spread): half a deviation per reason, one for a powers article of a
key act. It reorders near-ties in favour of the competence articles, but cannot lift an unrelated article over
one that is clearly closer, however tightly or loosely this problem's candidates are spread.
"""

from __future__ import annotations

KEY_ACTS = frozenset({"280/97-ВР", "1508-18", "2456-17", "2542-14"})
"""Act numbers (``short_name`` of the legislation export) of the acts that organise local government."""

POWER_WORDS = ("повноважен", "компетенці")
"""Stems of the heading words that mark an article granting powers."""

KEY_ACT_PRIOR = 0.5
POWERS_PRIOR = 0.5


def competence_prior(act: str | None, heading: str | None) -> float:
    """The lift of an article of act ``act`` (its number) with the heading line ``heading``, in deviations."""
    prior = KEY_ACT_PRIOR if act in KEY_ACTS else 0.0
    if heading and any(word in heading.casefold() for word in POWER_WORDS):
        prior += POWERS_PRIOR
    return prior
