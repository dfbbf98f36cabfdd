"""What a precedent query returns: three ranked lists of cited hits, each hit with a one-line reason."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from service.search_types import Hit


@dataclass
class Precedent:
    """One precedent: the passage that shows it best (a search hit with its citation) and why it was chosen."""

    hit: Hit
    reason: str
    """One line: the matched article heading and/or the lemmas the problem and the passage share."""
    details: dict[str, Any] = field(default_factory=dict)
    """What else identifies it: act and article of a law; hromada, raion, type and population of a strategy;
    how many passages of the document matched."""

    def to_dict(self) -> dict[str, Any]:
        """The search hit's JSON shape plus ``reason`` and ``details``."""
        return {**self.hit.to_dict(), "reason": self.reason, "details": self.details}


@dataclass
class PrecedentReport:
    """The three lists, best first; a list is empty when nothing in the store is similar enough."""

    legislation: list[Precedent]
    """The articles that govern the problem, one entry per article."""
    proposals: list[Precedent]
    """Projects and strategies of communities, one entry per document."""
    cases: list[Precedent]
    """Transcript turns and appeals where the problem was raised, one entry per document."""

    def to_dict(self) -> dict[str, list[dict[str, Any]]]:
        return {
            "legislation": [precedent.to_dict() for precedent in self.legislation],
            "proposals": [precedent.to_dict() for precedent in self.proposals],
            "cases": [precedent.to_dict() for precedent in self.cases],
        }
