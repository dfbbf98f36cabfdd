"""A prior for the articles that say who may act: the powers of councils in the key laws on local government.

A problem brought to a council asks first "is this ours to solve, and with what money?". The articles that
answer it are those granting powers («повноваження», «компетенція») and the acts that organise local
government: the law on local self-government (280/97-ВР), the law on cooperation of territorial communities
(1508-18, i.e. 1508-VII) and the Budget Code (2456-17; 2542-14 is its predecessor).

For a problem of one sector the key act of its own is the sector's law: school transport is governed by the
law on education (2145-19), whose article names «підвезення», before the general powers of councils. So the
act of the passage closest to the problem (``sector_act``) counts as a key act too; without that, the lifts of
the law on local self-government put a dozen of its articles above the sector's article.

Which articles get a reason, and how much a reason lifts an article (``Settings.precedent_competence_lift``,
0.01 of cosine: a fraction of the few hundredths between a governing and a related article, enough to reorder
near-ties), was set by reasoning before any benchmark was run.
"""

from __future__ import annotations

import re

KEY_ACTS = frozenset({"280/97-ВР", "1508-18", "2456-17", "2542-14"})
"""Act numbers (``short_name`` of the legislation export) of the acts that organise local government."""

POWER_WORDS = frozenset({"повноваження", "компетенція"})
"""Heading words, in the nominative, that mark an article granting powers («Стаття 30. Повноваження в галузі
…», «Стаття 26. Виключна компетенція …»); articles about powers in another case do not grant them («Стаття 80.
Дострокове припинення повноважень …», «Стаття 44. Делегування повноважень …»)."""


def competence_reasons(act: str | None, heading: str | None, sector_act: str | None = None) -> int:
    """How many reasons (0, 1 or 2) mark an article of act ``act`` (its number) headed ``heading`` as one
    that says who may act: it is of a key act (or of ``sector_act``), and its heading grants powers."""
    key_act = act is not None and (act in KEY_ACTS or act == sector_act)
    grants_powers = not POWER_WORDS.isdisjoint(re.findall(r"\w+", (heading or "").casefold()))
    return int(key_act) + int(grants_powers)
