"""How a problem recurs: size, documents, regions, first and last seen, counts per month, and its trend.

The trend test: for every month from the first to the last month of the whole collection, take the problem's
share of all statements of that month (a share, not a count, so that a month with more appeals overall does not
look like growth), and compute Kendall's tau between month order and share. The problem is ``growing`` when tau
is positive with p < 0.05, ``shrinking`` when negative with p < 0.05, ``stable`` otherwise, and ``unknown`` with
fewer than ``MIN_TREND_MONTHS`` months to compare.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from service.problems.problem_records import ProblemItem, Recurrence, Trend

MIN_TREND_MONTHS = 4
SIGNIFICANCE = 0.05


def monthly_totals(items: Iterable[ProblemItem]) -> Counter[str]:
    """Statements per month over a whole collection: the denominators of the trend test."""
    return Counter(item.month for item in items if item.month)


def recurrence_of(members: Sequence[ProblemItem], totals: Counter[str]) -> Recurrence:
    """The recurrence figures of one problem; ``totals`` are ``monthly_totals`` of the whole collection."""
    days = sorted(item.day for item in members if item.day)
    monthly = Counter(item.month for item in members if item.month)
    regions = Counter(item.region for item in members if item.region)
    documents = {item.doc_id for item in members if item.doc_id is not None}
    return Recurrence(
        size=len(members),
        # An appeal from a file of records is its own document.
        document_count=len(documents) if documents else len({item.id for item in members}),
        regions=[region for region, _ in sorted(regions.items(), key=lambda pair: (-pair[1], pair[0]))],
        first_seen=days[0] if days else None,
        last_seen=days[-1] if days else None,
        monthly_counts=dict(sorted(monthly.items())),
        trend=trend_of(monthly, totals),
    )


def trend_of(monthly: Counter[str], totals: Counter[str]) -> Trend:
    """Kendall's tau of the monthly share against time (see the module docstring)."""
    months = _month_range(min(totals), max(totals)) if totals else []
    shares = [monthly.get(month, 0) / totals[month] for month in months if totals.get(month)]
    if len(shares) < MIN_TREND_MONTHS:
        return Trend(direction="unknown")
    if len(set(shares)) == 1:
        return Trend(direction="stable")
    from scipy.stats import kendalltau  # scipy.stats takes half a second to import; only trends need it

    tau, p_value = kendalltau(range(len(shares)), shares)
    direction = "stable"
    if p_value < SIGNIFICANCE:
        direction = "growing" if tau > 0 else "shrinking"
    return Trend(direction=direction, tau=round(float(tau), 4), p_value=round(float(p_value), 4))


def _month_range(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:7])
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months
