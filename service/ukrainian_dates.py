"""Dates and months written the Ukrainian way, for reports and charts: «4 березня 2026 р.», «бер. 2025»."""

from __future__ import annotations

from datetime import date

MONTHS_GENITIVE = (
    "січня", "лютого", "березня", "квітня", "травня", "червня",
    "липня", "серпня", "вересня", "жовтня", "листопада", "грудня",
)  # fmt: skip
MONTHS_SHORT = (
    "січ.", "лют.", "бер.", "квіт.", "трав.", "черв.",
    "лип.", "серп.", "вер.", "жовт.", "лист.", "груд.",
)  # fmt: skip


def day_text(day: date) -> str:
    """«4 березня 2026 р.»."""
    return f"{day.day} {MONTHS_GENITIVE[day.month - 1]} {day.year} р."


def iso_day_text(value: str | None) -> str | None:
    """An ISO date or date-time («2025-03-14…») as ``day_text``; None or text that is no date stays as it is."""
    if not value:
        return value
    try:
        return day_text(date.fromisoformat(value[:10]))
    except ValueError:
        return value


def short_month(month: str) -> str:
    """«2025-03» as «бер. 2025»."""
    return f"{MONTHS_SHORT[int(month[5:7]) - 1]} {month[:4]}"
