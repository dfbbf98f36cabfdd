"""The records that recurring-problem analysis works with: statements in, problems and assignments out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from indexing.store.problem_item import ProblemItem


@dataclass(frozen=True)
class Example:
    """A typical statement of a problem (one of those closest to its centre), with its citation."""

    item: ProblemItem
    similarity: float

    def to_json(self) -> dict[str, Any]:
        return {"id": self.item.id, "text": self.item.text, "similarity": round(self.similarity, 4)} | (
            self.item.citation()
        )


@dataclass(frozen=True)
class MonthCount:
    """One month of a trend: the problem's statements in it and all statements of the collection in it."""

    month: str
    count: int
    total: int

    def to_json(self) -> dict[str, Any]:
        return {"month": self.month, "count": self.count, "total": self.total}


TREND_WORDS = {"growing": "зростає", "shrinking": "спадає", "stable": "стабільно", "unknown": "замало даних"}
"""The trend's directions in Ukrainian: the words of the page, the CLI and the brief."""


@dataclass(frozen=True)
class Trend:
    """Whether a problem's share of all statements rises month by month (see ``recurrence.trend_of``)."""

    direction: str
    """``growing``, ``shrinking``, ``stable`` or ``unknown`` (too few months or statements to tell)."""
    tau: float | None = None
    p_value: float | None = None
    months: list[MonthCount] = field(default_factory=list)
    """The months the trend rests on, from the problem's first statement to the collection's last month."""
    test: str | None = None
    """The test applied, by name and level."""

    @property
    def word(self) -> str:
        """The direction as a report writer reads it («зростає», «замало даних»)."""
        return TREND_WORDS.get(self.direction, self.direction)


@dataclass(frozen=True)
class Recurrence:
    """How often and where a problem comes back."""

    size: int
    document_count: int
    regions: list[str]
    """Distinct regions, the most frequent first."""
    first_seen: str | None
    last_seen: str | None
    monthly_counts: dict[str, int]
    trend: Trend


@dataclass
class Problem:
    """A recurring problem: a named group of statements that say the same thing."""

    id: str
    label: str
    keywords: list[str]
    recurrence: Recurrence
    examples: list[Example] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The DESIGN.md shape, plus the recurrence figures that go beyond it."""
        recurrence = self.recurrence
        return {
            "id": self.id,
            "label": self.label,
            "keywords": self.keywords,
            "size": recurrence.size,
            "first_seen": recurrence.first_seen,
            "last_seen": recurrence.last_seen,
            "regions": recurrence.regions,
            "examples": [example.to_json() for example in self.examples],
            "documents": recurrence.document_count,
            "monthly_counts": recurrence.monthly_counts,
            "trend": recurrence.trend.direction,
            "trend_tau": recurrence.trend.tau,
            "trend_p_value": recurrence.trend.p_value,
            "trend_test": recurrence.trend.test,
            "trend_months": [month.to_json() for month in recurrence.trend.months],
        }


@dataclass(frozen=True)
class Assignment:
    """Where one item went; ``problem_id`` is None for an item that fits no problem."""

    item_id: str
    problem_id: str | None
    similarity: float | None

    def to_json(self) -> dict[str, Any]:
        similarity = None if self.similarity is None else round(self.similarity, 4)
        return {"id": self.item_id, "problem_id": self.problem_id, "similarity": similarity}


@dataclass
class ProblemReport:
    """The answer of ``cluster`` and ``assign``: the problems concerned and where each item went."""

    problems: list[Problem]
    assignments: list[Assignment]
    new_problem_ids: list[str] = field(default_factory=list)
    already_seen: int = 0
    """Items of the batch that had been received before and were not counted again."""

    def to_json(self) -> dict[str, Any]:
        return {
            "problems": [problem.to_json() for problem in self.problems],
            "assignments": [assignment.to_json() for assignment in self.assignments],
            "new_problem_ids": self.new_problem_ids,
            "already_seen": self.already_seen,
        }
