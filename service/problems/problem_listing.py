"""Saved problems as readers see them: counted over the statements that pass a filter, with typical examples.

Reading needs no model: labels and keywords are stored, and counting is arithmetic over the stored statements.
"""

from __future__ import annotations

import sqlite3
from collections import Counter

from indexing.store.problem_item import ProblemItem
from indexing.store.problem_tables import (
    ItemFilter,
    has_problem_tables,
    load_members,
    load_monthly_totals,
    load_problems,
)
from models.errors import HromadaError
from service.problems.problem_labels import ProblemName, typical_examples
from service.problems.problem_records import Problem
from service.problems.recurrence import recurrence_of


class ProblemNotFoundError(HromadaError):
    """No problem has the id asked for."""

    def __init__(self, problem_id: str) -> None:
        super().__init__(f"no problem with id {problem_id!r}")
        self.problem_id = problem_id


def list_problems(
    connection: sqlite3.Connection, item_filter: ItemFilter | None = None, min_size: int = 1
) -> list[Problem]:
    """Saved problems, counted over the statements that pass ``item_filter``; the largest first."""
    if not has_problem_tables(connection):
        return []
    item_filter = item_filter or ItemFilter()
    names = {stored.id: ProblemName(stored.label, stored.keywords) for stored in load_problems(connection)}
    totals = load_monthly_totals(connection, item_filter)
    groups: dict[str, list[tuple[ProblemItem, float]]] = {}
    for item, placement in load_members(connection, item_filter):
        if placement.problem_id is not None:
            groups.setdefault(placement.problem_id, []).append((item, placement.similarity or 0.0))
    problems = [
        problem_of(problem_id, names[problem_id], [m[0] for m in members], [m[1] for m in members], totals)
        for problem_id, members in groups.items()
        if len(members) >= min_size
    ]
    return sorted(problems, key=lambda problem: (-problem.recurrence.size, problem.id))


def get_problem(
    connection: sqlite3.Connection, problem_id: str, item_filter: ItemFilter | None = None
) -> Problem:
    """One saved problem; ``ProblemNotFoundError`` when there is none with that id."""
    stored = (
        {problem.id: problem for problem in load_problems(connection)}
        if has_problem_tables(connection)
        else {}
    )
    if problem_id not in stored:
        raise ProblemNotFoundError(problem_id)
    item_filter = item_filter or ItemFilter()
    members = load_members(connection, item_filter, problem_id)
    return problem_of(
        problem_id,
        ProblemName(stored[problem_id].label, stored[problem_id].keywords),
        [item for item, _ in members],
        [placement.similarity or 0.0 for _, placement in members],
        load_monthly_totals(connection, item_filter),
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
