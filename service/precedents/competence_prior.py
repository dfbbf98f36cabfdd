"""A prior for the articles that say who may act: the powers of councils in the key laws on local government.

A problem brought to a council asks first "is this ours to solve, and with what money?". The articles that
answer it are those granting powers («повноваження», «компетенція») and the acts that organise local
government: the law on local self-government (280/97-ВР), the law on cooperation of territorial communities
(1508-18, i.e. 1508-VII) and the Budget Code (2456-17; 2542-14 is its predecessor). An article that
passes the similarity bar gets a small lift when it is one of them.

For a problem of one sector the key act of its own is the sector's law: school transport is governed by the
law on education (2145-19), whose article names «підвезення», before the general powers of councils. So the
act of the article closest to the problem (``sector_act``) is lifted as a key act too; without that, the
lifts of the law on local self-government put a dozen of its articles above the sector's article whenever
the similarities of the candidates differ by thousandths.

The sizes were set by reasoning, before any benchmark was run: multilingual-e5 cosines of a problem to the
articles that govern it and to merely related ones differ by a few hundredths, while near-ties differ by a
few thousandths. A lift of 0.01 per reason (0.02 for a powers article of a key act) reorders near-ties in
favour of the competence articles, but cannot lift an unrelated article over a related one.
"""

from __future__ import annotations

KEY_ACTS = frozenset({"280/97-ВР", "1508-18", "2456-17", "2542-14"})
"""Act numbers (``short_name`` of the legislation export) of the acts that organise local government."""

POWER_WORDS = ("повноважен", "компетенці")
"""Stems of the heading words that mark an article granting powers."""

KEY_ACT_PRIOR = 0.01
POWERS_PRIOR = 0.01


def competence_prior(act: str | None, heading: str | None, sector_act: str | None = None) -> float:
    """The lift of an article of act ``act`` (its number) with the heading line ``heading``.

    ``sector_act``: the act of the article closest to the problem, lifted as a key act.
    """
    prior = KEY_ACT_PRIOR if act in KEY_ACTS or (act is not None and act == sector_act) else 0.0
    if heading and any(word in heading.casefold() for word in POWER_WORDS):
        prior += POWERS_PRIOR
    return prior
