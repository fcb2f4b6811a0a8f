"""The Dutch calendar: youth care's dates (requests, starts, ends, birthdays, validity) are
days in the Netherlands, whatever the server's own time zone.
"""

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Date, cast, func
from sqlalchemy.sql import ColumnElement

from app.models.base import utcnow

LOCAL_TIMEZONE_NAME = "Europe/Amsterdam"
LOCAL_TIMEZONE = ZoneInfo(LOCAL_TIMEZONE_NAME)


def local_date(moment: datetime) -> date:
    """The calendar date of a timestamp in the Netherlands."""
    return moment.astimezone(LOCAL_TIMEZONE).date()


def today() -> date:
    """Today's date in the Netherlands."""
    return local_date(utcnow())


def local_date_sql(column: Any) -> ColumnElement[date]:
    """SQL: the Dutch calendar date of a timestamptz column."""
    return cast(func.timezone(LOCAL_TIMEZONE_NAME, column), Date)


def local_days_sql(column: Any, first: date, last: date) -> ColumnElement[bool]:
    """SQL: the timestamptz ``column`` falls on a Dutch calendar day from ``first`` to ``last``.

    The same as ``local_date_sql(column) BETWEEN first AND last``, but compared with the two
    instants that bound those days, so an index on the column serves it.
    """
    start = datetime.combine(first, time(0), LOCAL_TIMEZONE)
    end = datetime.combine(last + timedelta(days=1), time(0), LOCAL_TIMEZONE)
    return (column >= start) & (column < end)
