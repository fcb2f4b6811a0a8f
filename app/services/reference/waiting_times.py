"""Waiting times: median days from an engagement's request to its start, per provider.

Used by the provider options, the public marketplace and the insights. Computed in SQL
(``percentile_cont``) over the engagements that *started* in the 90 days before ``as_of``;
the request day is the request timestamp's calendar date in the Netherlands.
"""

import uuid
from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy import Integer, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.engagements import Engagement
from app.services.platform.clock import local_date_sql

WINDOW_DAYS = 90


def waiting_days_expression() -> object:
    """SQL expression: whole days between the request's local date and the start date."""
    requested_day = local_date_sql(Engagement.requested_at)
    return Engagement.start_date - requested_day


async def median_waiting_days(
    session: AsyncSession,
    provider_ids: Sequence[uuid.UUID],
    *,
    as_of: date,
    profile_code: str | None = None,
    intensity_code: str | None = None,
) -> dict[uuid.UUID, int | None]:
    """The median waiting days per provider (rounded to whole days); ``None`` without data.

    Only engagements with a start date in ``(as_of - 90 days, as_of]`` count; optionally
    restricted to one support profile and/or intensity.
    """
    ids = list(dict.fromkeys(provider_ids))
    if not ids:
        return {}
    median = func.percentile_cont(0.5).within_group(waiting_days_expression())
    query = (
        select(Engagement.provider_id, cast(func.round(median), Integer))
        .where(
            Engagement.provider_id.in_(ids),
            Engagement.start_date.is_not(None),
            Engagement.start_date > as_of - timedelta(days=WINDOW_DAYS),
            Engagement.start_date <= as_of,
        )
        .group_by(Engagement.provider_id)
    )
    if profile_code is not None:
        query = query.where(Engagement.profile_code == profile_code)
    if intensity_code is not None:
        query = query.where(Engagement.intensity_code == intensity_code)
    rows = (await session.execute(query)).all()
    result: dict[uuid.UUID, int | None] = dict.fromkeys(ids)
    for provider_id, days in rows:
        result[provider_id] = int(days)
    return result
