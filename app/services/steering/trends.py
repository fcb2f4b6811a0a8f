"""Trend alerts: district × profile demand well above its own past (DESIGN §8).

**Demand** for a district × profile is the number of referrals made for it (on their local
date, district of the referral else of the family) plus the engagement requests made without a
referral (e.g. segment A through the team), so that one request for care counts once.

Windows are whole months: the **recent window** is the three calendar months up to and including
the month of ``asOf`` (default today), the **baseline** the twelve months before it. Like every
published count, the observed and baseline totals and each month's demand are rounded to fives
(withheld below 5), and everything derived is computed from the published counts:
``expected = 3 × baseline / 12`` (the monthly mean of the baseline times three) and
``z = (observed − expected) / √max(expected, 1)``, the Poisson z-score with a floor so a pair
never seen before needs several requests to stand out (a withheld baseline, below 5, counts at its
bound: expected 1, shown as null). A pair is flagged when ``z ≥ settings.trend_z_threshold``
(default 3) and at least 5 requests were observed. Demand per district × profile × month is
counted in one SQL statement.
"""

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import Principal
from app.config import get_settings
from app.models.catalogue import SupportProfile
from app.models.engagements import Engagement
from app.models.families import Family
from app.models.geography import District
from app.models.referrals import Referral
from app.services.platform.clock import local_date_sql as local_date
from app.services.platform.clock import local_days_sql, today
from app.services.steering.insights import require_reader
from app.services.steering.periods import add_months, month_end, month_start
from app.services.steering.suppression import MIN_CELL, ROUNDING_BASE, count_cell

RECENT_MONTHS = 3
BASELINE_MONTHS = 12


@dataclass(frozen=True)
class TrendMonth:
    month: str
    observed: dict[str, Any]
    expected: float | None


@dataclass(frozen=True)
class TrendAlert:
    district_code: str
    district_name: str
    profile_code: str
    profile_name: str
    observed: int
    expected: float | None
    baseline_total: int | None
    z: float
    months: list[TrendMonth] = field(default_factory=list)


@dataclass
class TrendReport:
    recent_from_date: date
    recent_to_date: date
    baseline_from_date: date
    baseline_to_date: date
    z_threshold: float
    requested_as_of_date: date | None = None
    minimum_observed: int = MIN_CELL
    rounding_base: int = ROUNDING_BASE
    items: list[TrendAlert] = field(default_factory=list)


def shift_months(day: date, months: int) -> date:
    """The same day ``months`` later (or earlier), clipped to the target month's last day."""
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    next_first = date(year + (month0 + 1) // 12, (month0 + 1) % 12 + 1, 1)
    return date(year, month0 + 1, min(day.day, (next_first - timedelta(days=1)).day))


def windows(as_of: date) -> tuple[date, date, date]:
    """(baseline start, recent start, recent end): whole months; the baseline ends the day before
    the recent start."""
    recent_from = add_months(month_start(as_of), 1 - RECENT_MONTHS)
    return add_months(recent_from, -BASELINE_MONTHS), recent_from, month_end(as_of)


def _month_keys(first: date, months: int) -> list[str]:
    return [add_months(first, i).strftime("%Y-%m") for i in range(months)]


async def trends(session: AsyncSession, principal: Principal, as_of: date | None = None) -> TrendReport:
    require_reader(principal)
    baseline_from, recent_from, recent_to = windows(as_of or today())
    threshold = get_settings().trend_z_threshold
    m = principal.municipality
    referral_day = local_date(Referral.created_at)
    request_day = local_date(Engagement.requested_at)
    demand = union_all(
        select(
            func.coalesce(Referral.district_code, Family.district_code).label("district"),
            Referral.profile_code.label("profile"),
            referral_day.label("day"),
        )
        .select_from(Referral)
        .outerjoin(Family, Family.id == Referral.family_id)
        .where(
            Referral.municipality_code == m,
            local_days_sql(Referral.created_at, baseline_from, recent_to),
        ),
        select(Engagement.district_code, Engagement.profile_code, request_day).where(
            Engagement.municipality_code == m,
            Engagement.referral_id.is_(None),
            local_days_sql(Engagement.requested_at, baseline_from, recent_to),
        ),
    ).subquery()
    month = func.to_char(demand.c.day, "YYYY-MM")
    per_month = (
        select(demand.c.district, demand.c.profile, month.label("month"), func.count().label("n"))
        .where(demand.c.district.is_not(None))
        .group_by(demand.c.district, demand.c.profile, month)
        .subquery()
    )
    query = (
        select(
            per_month.c.district,
            District.name,
            per_month.c.profile,
            SupportProfile.name,
            per_month.c.month,
            per_month.c.n,
        )
        .join(District, District.code == per_month.c.district)
        .join(SupportProfile, SupportProfile.code == per_month.c.profile)
    )
    pairs: dict[tuple[str, str, str, str], dict[str, int]] = defaultdict(dict)
    for district, dname, profile, pname, mon, n in (await session.execute(query)).all():
        pairs[district, dname, profile, pname][mon] = n
    report = TrendReport(
        recent_from_date=recent_from,
        recent_to_date=recent_to,
        baseline_from_date=baseline_from,
        baseline_to_date=recent_from - timedelta(days=1),
        z_threshold=threshold,
        requested_as_of_date=as_of,
    )
    recent_months = _month_keys(recent_from, RECENT_MONTHS)
    baseline_months = _month_keys(baseline_from, BASELINE_MONTHS)
    for (district, dname, profile, pname), counts in pairs.items():
        alert = _alert(district, dname, profile, pname, counts, baseline_months, recent_months)
        if alert is not None and alert.z >= threshold:
            report.items.append(alert)
    report.items.sort(key=lambda a: (-a.z, a.district_code, a.profile_code))
    return report


def _alert(
    district: str,
    dname: str,
    profile: str,
    pname: str,
    counts: dict[str, int],
    baseline_months: list[str],
    recent_months: list[str],
) -> TrendAlert | None:
    """The pair's alert from its published (rounded) counts; None when fewer than 5 were observed."""
    observed = count_cell(sum(counts.get(k, 0) for k in recent_months))
    if observed.shown is None:
        return None
    baseline = count_cell(sum(counts.get(k, 0) for k in baseline_months)).shown
    expected = None if baseline is None else baseline * RECENT_MONTHS / BASELINE_MONTHS
    z = (observed.shown - (expected or 1.0)) / math.sqrt(max(expected or 1.0, 1.0))
    monthly = None if baseline is None else round(baseline / BASELINE_MONTHS, 2)
    months = [
        TrendMonth(month=k, observed=count_cell(counts.get(k, 0)).public(), expected=monthly)
        for k in baseline_months + recent_months
    ]
    return TrendAlert(
        district_code=district,
        district_name=dname,
        profile_code=profile,
        profile_name=pname,
        observed=observed.shown,
        expected=None if expected is None else round(expected, 2),
        baseline_total=baseline,
        z=round(z, 2),
        months=months,
    )
