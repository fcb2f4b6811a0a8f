"""Trend alerts: district × profile demand well above its own past (DESIGN §8).

**Demand** for a district × profile is the number of referrals made for it (on their local
date, district of the referral else of the family) plus the engagement requests made without a
referral (e.g. segment A through the team), so that one request for care counts once.

The **recent window** is the three months up to and including ``asOf`` (default today); the
**baseline** is the twelve months before it. ``expected = 3 × baseline / 12`` (the monthly mean
of the baseline times three) and ``z = (observed − expected) / √expected``, the Poisson z-score;
when the baseline is nearly empty the denominator is at least 1 (√max(expected, 1)), so a pair
never seen before needs several requests to stand out. A pair is flagged when
``z ≥ settings.trend_z_threshold`` (default 3) and at least 5 requests were observed (fewer
would be a small cell). Everything is computed in one SQL statement.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Float, Numeric, cast, func, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import Principal
from app.config import get_settings
from app.models.base import utcnow
from app.models.catalogue import SupportProfile
from app.models.engagements import Engagement
from app.models.families import Family
from app.models.geography import District
from app.models.referrals import Referral
from app.services.money.ledger import require_officer
from app.services.platform.clock import local_date_sql as local_date
from app.services.platform.clock import local_days_sql
from app.services.steering.suppression import MIN_CELL

RECENT_MONTHS = 3
BASELINE_MONTHS = 12


@dataclass(frozen=True)
class TrendAlert:
    district_code: str
    district_name: str
    profile_code: str
    profile_name: str
    observed: int
    expected: float
    baseline_total: int
    z: float


@dataclass
class TrendReport:
    recent_from_date: date
    recent_to_date: date
    baseline_from_date: date
    baseline_to_date: date
    z_threshold: float
    minimum_observed: int = MIN_CELL
    items: list[TrendAlert] = field(default_factory=list)


def shift_months(day: date, months: int) -> date:
    """The same day ``months`` later (or earlier), clipped to the target month's last day."""
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    next_first = date(year + (month0 + 1) // 12, (month0 + 1) % 12 + 1, 1)
    return date(year, month0 + 1, min(day.day, (next_first - timedelta(days=1)).day))


def windows(as_of: date) -> tuple[date, date, date]:
    """(baseline start, recent start, recent end); the baseline ends the day before the recent start."""
    recent_from = shift_months(as_of, -RECENT_MONTHS) + timedelta(days=1)
    baseline_from = shift_months(recent_from, -BASELINE_MONTHS)
    return baseline_from, recent_from, as_of


async def trends(session: AsyncSession, principal: Principal, as_of: date | None = None) -> TrendReport:
    require_officer(principal)
    as_of = as_of or utcnow().date()
    baseline_from, recent_from, recent_to = windows(as_of)
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
    observed = func.count().filter(demand.c.day >= recent_from)
    baseline = func.count().filter(demand.c.day < recent_from)
    expected = cast(baseline, Float) * RECENT_MONTHS / BASELINE_MONTHS
    z = (observed - expected) / func.sqrt(func.greatest(expected, literal(1.0)))
    pairs = (
        select(
            demand.c.district,
            demand.c.profile,
            observed.label("o"),
            baseline.label("b"),
            expected.label("e"),
            z.label("z"),
        )
        .where(demand.c.district.is_not(None))
        .group_by(demand.c.district, demand.c.profile)
        .having(observed >= MIN_CELL, z >= threshold)
        .subquery()
    )
    query = (
        select(
            pairs.c.district,
            District.name,
            pairs.c.profile,
            SupportProfile.name,
            pairs.c.o,
            pairs.c.b,
            func.round(cast(pairs.c.e, Numeric), 2),
            func.round(cast(pairs.c.z, Numeric), 2),
        )
        .join(District, District.code == pairs.c.district)
        .join(SupportProfile, SupportProfile.code == pairs.c.profile)
        .order_by(pairs.c.z.desc(), pairs.c.district, pairs.c.profile)
    )
    report = TrendReport(
        recent_from_date=recent_from,
        recent_to_date=recent_to,
        baseline_from_date=baseline_from,
        baseline_to_date=recent_from - timedelta(days=1),
        z_threshold=threshold,
    )
    for district, dname, profile, pname, o, b, e, zval in (await session.execute(query)).all():
        report.items.append(
            TrendAlert(
                district_code=district,
                district_name=dname,
                profile_code=profile,
                profile_name=pname,
                observed=o,
                expected=float(e),
                baseline_total=b,
                z=float(zval),
            )
        )
    return report
