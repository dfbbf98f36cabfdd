"""Problems as files: CSV tables for spreadsheets and a chart of the largest problems over time."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from service.problems.problem_records import Assignment, Problem
from service.problems.recurrence import month_range
from service.ukrainian_dates import short_month

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

CHART_PROBLEMS = 8
CHART_FORMATS = (".png", ".svg")
PROBLEM_COLUMNS = (
    "id",
    "label",
    "keywords",
    "size",
    "documents",
    "first_seen",
    "last_seen",
    "regions",
    "trend",
    "trend_p_value",
    "trend_test",
    "monthly_counts",
)
ASSIGNMENT_COLUMNS = ("id", "problem_id", "similarity", "problem_label")


def write_problems_csv(problems: Sequence[Problem], path: str | Path) -> None:
    """One row per problem; lists (keywords, regions, monthly counts) are joined with «; ».

    ``monthly_counts`` holds the months the trend rests on, quiet ones as zeros (``Trend.months``).
    """
    with Path(path).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(PROBLEM_COLUMNS)
        for problem in problems:
            recurrence = problem.recurrence
            writer.writerow(
                (
                    problem.id,
                    problem.label,
                    "; ".join(problem.keywords),
                    recurrence.size,
                    recurrence.document_count,
                    recurrence.first_seen or "",
                    recurrence.last_seen or "",
                    "; ".join(recurrence.regions),
                    recurrence.trend.direction,
                    "" if recurrence.trend.p_value is None else recurrence.trend.p_value,
                    recurrence.trend.test or "",
                    "; ".join(f"{month.month}: {month.count}" for month in recurrence.trend.months),
                )
            )


def write_assignments_csv(
    assignments: Sequence[Assignment], problems: Sequence[Problem], path: str | Path
) -> None:
    """One row per item of a batch: its problem (empty when unassigned), similarity and the problem's label."""
    labels = {problem.id: problem.label for problem in problems}
    with Path(path).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(ASSIGNMENT_COLUMNS)
        for assignment in assignments:
            similarity = "" if assignment.similarity is None else f"{assignment.similarity:.4f}"
            problem_id = assignment.problem_id or ""
            writer.writerow((assignment.item_id, problem_id, similarity, labels.get(problem_id, "")))


def write_chart(problems: Sequence[Problem], path: str | Path, count: int = CHART_PROBLEMS) -> None:
    """A line chart of statements per month for the ``count`` largest problems; PNG or SVG by the file's suffix.

    The months run from the earliest statement of those problems to the latest, quiet months as zeros.
    """
    path = Path(path)
    if path.suffix.lower() not in CHART_FORMATS:
        raise ValueError(f"{path}: a chart is written as .png or .svg")
    largest = sorted(problems, key=lambda problem: (-problem.recurrence.size, problem.id))[:count]
    # The problems' own months only, from the first statement on: nothing else dates a problem.
    dated = [month for problem in largest for month in problem.recurrence.monthly_counts]
    months = month_range(min(dated), max(dated)) if dated else []
    figure, axes = _figure((11, 6))
    for problem in largest:
        counts = [problem.recurrence.monthly_counts.get(month, 0) for month in months]
        axes.plot(
            months, counts, marker="o", markersize=3, label=f"{problem.label} ({problem.recurrence.size})"
        )
    axes.set_title("Найбільші проблеми за місяцями")
    axes.set_xlabel("місяць")
    axes.set_ylabel("звернень за місяць")
    axes.tick_params(axis="x", labelrotation=60, labelsize=8)
    if largest:
        axes.legend(fontsize=8, loc="upper left")
    figure.savefig(path)


def monthly_chart_png(problem: Problem) -> bytes | None:
    """A bar chart of the problem's statements per month, over the months its trend rests on (quiet ones as
    zeros), as PNG for a printed page (16 × 6.5 cm at 200 dpi); None when its statements carry no dates."""
    months = problem.recurrence.trend.months
    if not months:
        return None
    figure, axes = _figure((6.3, 2.6))
    positions = range(len(months))
    axes.bar(positions, [month.count for month in months], color="#0072B2")
    slanted = {"rotation": 45, "ha": "right", "rotation_mode": "anchor"} if len(months) > 6 else {}
    axes.set_xticks(positions, [short_month(month.month) for month in months], fontsize=7, **slanted)
    axes.set_ylabel("згадок", fontsize=8)
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.tick_params(axis="y", labelsize=7)
    axes.spines[["top", "right"]].set_visible(False)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=200)
    return buffer.getvalue()


def _figure(size: tuple[float, float]) -> tuple[Figure, Axes]:
    """A figure on a bare Agg canvas: it needs no display and no global pyplot state."""
    from matplotlib.figure import Figure  # matplotlib loads only when a chart is asked for

    figure = Figure(figsize=size, layout="constrained")
    return figure, figure.add_subplot()
