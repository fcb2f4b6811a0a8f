"""The Dutch calendar: youth care's dates (requests, starts, ends, birthdays, validity) are
days in the Netherlands, whatever the server's own time zone.
"""

from datetime import date, datetime
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
