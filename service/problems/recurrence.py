"""How a problem recurs: size, documents, regions, first and last seen, counts per month, and its trend.

The trend rule. The months looked at run from the month of the problem's first statement to the last month of
the whole collection (before its first statement a problem may not have existed, or not been collected; after
its last one, quiet months are zeros that count). In each month the problem's share of all statements of that
month is taken (a share, not a count, so that a month with more appeals overall does not look like growth).
The first month is shown but not tested: it holds at least one statement by construction, and testing it would
lean every rare problem towards «спадає». Over the remaining months that have any statement at all:

- fewer than ``MIN_TREND_MONTHS`` such months, or fewer than ``MIN_TREND_STATEMENTS`` of the problem's
  statements in them: ``unknown`` («замало даних»);
- else the Mann–Kendall test (Kendall's tau-b between month order and share, two-sided, exact without ties,
  the normal approximation with the tie correction otherwise) at level ``SIGNIFICANCE``: ``growing`` when tau
  is positive and p < 0.05, ``shrinking`` when it is negative and p < 0.05, ``stable`` otherwise.

A 2-3-3-2 series is therefore «замало даних» (four months), and stays «стабільно» over more months unless it
rises beyond chance.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from service.problems.problem_records import MonthCount, ProblemItem, Recurrence, Trend

MIN_TREND_MONTHS = 6
MIN_TREND_STATEMENTS = 10
SIGNIFICANCE = 0.05
TREND_TEST = "Mann–Kendall on the monthly share, two-sided, α = 0.05"


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
    """The trend of a problem with ``monthly`` counts in a collection with ``totals`` (see the module docstring)."""
    if not monthly or not totals:
        return Trend(direction="unknown", test=TREND_TEST)
    months = [
        MonthCount(month, monthly.get(month, 0), totals.get(month, 0))
        for month in month_range(min(monthly), max(max(totals), max(monthly)))
    ]
    tested = [month for month in months[1:] if month.total]
    if len(tested) < MIN_TREND_MONTHS or sum(month.count for month in tested) < MIN_TREND_STATEMENTS:
        return Trend(direction="unknown", months=months, test=TREND_TEST)
    shares = [month.count / month.total for month in tested]
    if len(set(shares)) == 1:
        return Trend(direction="stable", months=months, test=TREND_TEST)
    from scipy.stats import kendalltau  # scipy.stats takes half a second to import; only trends need it

    tau, p_value = kendalltau(range(len(shares)), shares)
    direction = "stable"
    if p_value < SIGNIFICANCE:
        direction = "growing" if tau > 0 else "shrinking"
    return Trend(
        direction=direction,
        tau=round(float(tau), 4),
        p_value=round(float(p_value), 4),
        months=months,
        test=TREND_TEST,
    )


def month_range(first: str, last: str) -> list[str]:
    """Every month from ``first`` to ``last`` («YYYY-MM»), both included: quiet months are zeros, not gaps."""
    year, month = int(first[:4]), int(first[5:7])
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months
