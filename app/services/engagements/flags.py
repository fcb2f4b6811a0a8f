"""Signals on engagements: requests left unanswered, and the 18-/18+ transition.

* A request not answered within 10 working days (Monday–Friday) of its request date is flagged.
* A running engagement (accepted or started) whose child turns 18 within 6 months is flagged,
  so that continuation of care after 18 (Wmo, Zvw, extended youth care) is arranged in time.

The rules are pure functions; the engagement view and the plan view (app/services/plans/view.py)
apply them to the rows they load.
"""

import calendar
from datetime import date, timedelta

ANSWER_WORKING_DAYS = 10
TRANSITION_MONTHS = 6
ADULT_AGE = 18
RUNNING = ("accepted", "started")


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days (Mon–Fri) after ``start``."""
    current, left = start, days
    while left > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            left -= 1
    return current


def working_days_between(start: date, end: date) -> int:
    """Working days (Mon–Fri) in ``(start, end]``; 0 when ``end <= start``."""
    if end <= start:
        return 0
    full_weeks, rest = divmod((end - start).days, 7)
    count = full_weeks * 5
    for offset in range(1, rest + 1):
        if (start + timedelta(days=full_weeks * 7 + offset)).weekday() < 5:
            count += 1
    return count


def answer_due_date(requested_on: date) -> date:
    """The day on which an unanswered request becomes flagged."""
    return add_working_days(requested_on, ANSWER_WORKING_DAYS)


def request_unanswered(status: str, requested_on: date, today: date) -> bool:
    return status == "requested" and working_days_between(requested_on, today) >= ANSWER_WORKING_DAYS


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def adult_date(birth_date: date) -> date:
    """The 18th birthday; someone born on 29 February comes of age on 1 March."""
    try:
        return birth_date.replace(year=birth_date.year + ADULT_AGE)
    except ValueError:
        return date(birth_date.year + ADULT_AGE, 3, 1)


def transition_due(status: str, birth_date: date, today: date) -> bool:
    """True for a running engagement whose child turns 18 within the next 6 months."""
    if status not in RUNNING:
        return False
    turns_adult = adult_date(birth_date)
    return today <= turns_adult <= add_months(today, TRANSITION_MONTHS)


