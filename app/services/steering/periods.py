"""Fixed reporting periods: published figures are over whole calendar months only.

A period that does not fall on month boundaries is widened to the whole months it touches
(``from`` back to the first of its month, ``to`` on to the last of its month), so two requests
can differ by a whole month at the least, never by a day, and every figure belongs to a period
that anyone can also ask for by itself. The response names the period used.
"""

from datetime import date, timedelta

from app.services.steering.insight_queries import Period

__all__ = ["Period", "add_months", "half_year_after", "month_end", "month_start", "whole_months"]


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(day: date) -> date:
    following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return following - timedelta(days=1)


def add_months(first: date, months: int) -> date:
    """The first of the month ``months`` after (or before) ``first``'s month."""
    year, month0 = divmod(first.year * 12 + first.month - 1 + months, 12)
    return date(year, month0 + 1, 1)


def whole_months(start: date, end: date) -> Period:
    return Period(month_start(start), month_end(end))


def months_between(period: Period) -> int:
    """How many calendar months the (whole-month) period spans."""
    return (period.end.year - period.start.year) * 12 + period.end.month - period.start.month + 1


def half_year_after(day: date) -> date:
    """The last day of the half-year following the one ``day`` lies in (CBS's follow-up window)."""
    return date(day.year, 12, 31) if day.month <= 6 else date(day.year + 1, 6, 30)
