"""Saved problems as readers see them: counted over the statements that pass a filter, with typical examples.

Reading needs no model: labels and keywords are stored, and counting is arithmetic over the stored statements.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Protocol

from indexing.store.problem_item import ProblemItem, StoredProblem
from indexing.store.problem_types import ItemFilter, ItemPlacement
from models.errors import HromadaError
from service.problems.problem_labels import ProblemName, typical_examples
from service.problems.problem_records import Problem
from service.problems.recurrence import recurrence_of


class ProblemNotFoundError(HromadaError):
    """No problem has the id asked for."""

    def __init__(self, problem_id: str) -> None:
        super().__init__(f"no problem with id {problem_id!r}")
        self.problem_id = problem_id


class ProblemReading(Protocol):
    """What reading problems needs of one consistent read of the store (``indexing.store.StoreReading``)."""

    def problems(self) -> list[StoredProblem]: ...

    def problem_members(
        self, item_filter: ItemFilter, problem_id: str | None = None
    ) -> list[tuple[ProblemItem, ItemPlacement]]: ...

    def monthly_totals(self, item_filter: ItemFilter) -> Mapping[str, int]: ...


def list_problems(
    reading: ProblemReading, item_filter: ItemFilter | None = None, min_size: int = 1
) -> list[Problem]:
    """Saved problems, counted over the statements that pass ``item_filter``; the largest first."""
    item_filter = item_filter or ItemFilter()
    names = {stored.id: ProblemName(stored.label, stored.keywords) for stored in reading.problems()}
    if not names:
        return []
    totals = Counter(reading.monthly_totals(item_filter))
    groups: dict[str, list[tuple[ProblemItem, float]]] = {}
    for item, placement in reading.problem_members(item_filter):
        if placement.problem_id is not None:
            groups.setdefault(placement.problem_id, []).append((item, placement.similarity or 0.0))
    problems = [
        problem_of(problem_id, names[problem_id], [m[0] for m in members], [m[1] for m in members], totals)
        for problem_id, members in groups.items()
        if len(members) >= min_size
    ]
    return sorted(problems, key=lambda problem: (-problem.recurrence.size, problem.id))


def get_problem(reading: ProblemReading, problem_id: str, item_filter: ItemFilter | None = None) -> Problem:
    """One saved problem; ``ProblemNotFoundError`` when there is none with that id."""
    stored = {problem.id: problem for problem in reading.problems()}
    if problem_id not in stored:
        raise ProblemNotFoundError(problem_id)
    item_filter = item_filter or ItemFilter()
    members = reading.problem_members(item_filter, problem_id)
    return problem_of(
        problem_id,
        ProblemName(stored[problem_id].label, stored[problem_id].keywords),
        [item for item, _ in members],
        [placement.similarity or 0.0 for _, placement in members],
        Counter(reading.monthly_totals(item_filter)),
    )


def problem_of(
    problem_id: str,
    name: ProblemName,
    members: list[ProblemItem],
    similarities: list[float],
    totals: Counter[str],
) -> Problem:
    """A problem as reported: its name, how it recurs among ``totals`` (statements per month), typical members."""
    return Problem(
        id=problem_id,
        label=name.label,
        keywords=name.keywords,
        recurrence=recurrence_of(members, totals),
        examples=typical_examples(members, similarities),
    )
