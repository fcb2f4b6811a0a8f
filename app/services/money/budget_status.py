"""Budget status per district and category for a year: allocated, committed, spent, forecast.

Definitions (all in cents, aggregated in SQL):

* **category** of an engagement: ``lumpsum`` when its frozen payment model is lumpsum, else
  ``local_team`` for segment-A profiles and ``specialist`` for segments B and C. Lumpsum lines
  (no engagement) fall in ``lumpsum`` at municipality level (no district).
* **allocated**: the budget set for the district (or the municipality as a whole) and category.
* **spent**: ledger lines that are ``exported`` or ``paid`` with a due date in the year.
* **committed**: for engagements that are ``accepted`` or ``started`` (and not lumpsum), the
  frozen tariff minus what was already spent on them (never below 0): money promised but not yet
  paid. Commitments are a present-day figure, shown for the current and later years; for a year
  that has ended they are 0.
* **forecast** to year end: linear extrapolation of the spending so far,
  ``spent × days in year / days elapsed``; a finished year's forecast is what was spent, a
  future year's is 0.
* **overCommitted**: ``spent + committed > allocated``; **forecastOverrun**: ``forecast > allocated``.
"""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import String, case, cast, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import Principal
from app.models.base import utcnow
from app.models.catalogue import SupportProfile
from app.models.engagements import Engagement
from app.models.money import Budget, PaymentLine
from app.services.money.budgets import require_own_municipality

SPENT_STATUSES = ("exported", "paid")


@dataclass
class StatusRow:
    district_code: str | None
    category: str
    allocated_cents: int | None = None
    committed_cents: int = 0
    spent_cents: int = 0
    forecast_cents: int = 0
    over_committed: bool = False
    forecast_overrun: bool = False


@dataclass
class BudgetStatus:
    municipality_code: str
    year: int
    as_of_date: date
    items: list[StatusRow] = field(default_factory=list)
    totals: list[StatusRow] = field(default_factory=list)


def engagement_category() -> object:
    return case(
        (Engagement.payment_model == "lumpsum", literal("lumpsum")),
        (SupportProfile.segment == "A", literal("local_team")),
        else_=literal("specialist"),
    )


async def _spent(session: AsyncSession, municipality: str, year: int) -> dict[tuple[str | None, str], int]:
    category = case((PaymentLine.engagement_id.is_(None), literal("lumpsum")), else_=engagement_category())
    district = func.coalesce(PaymentLine.district_code, Engagement.district_code)
    query = (
        select(district, cast(category, String), func.sum(PaymentLine.amount_cents))
        .select_from(PaymentLine)
        .outerjoin(Engagement, Engagement.id == PaymentLine.engagement_id)
        .outerjoin(SupportProfile, SupportProfile.code == Engagement.profile_code)
        .where(
            PaymentLine.municipality_code == municipality,
            PaymentLine.status.in_(SPENT_STATUSES),
            PaymentLine.due_date.between(date(year, 1, 1), date(year, 12, 31)),
        )
        .group_by(district, category)
    )
    return {(d, c): int(total) for d, c, total in (await session.execute(query)).all()}


async def _committed(session: AsyncSession, municipality: str) -> dict[tuple[str | None, str], int]:
    paid = (
        select(PaymentLine.engagement_id, func.sum(PaymentLine.amount_cents).label("paid"))
        .where(PaymentLine.municipality_code == municipality, PaymentLine.status.in_(SPENT_STATUSES))
        .group_by(PaymentLine.engagement_id)
        .subquery()
    )
    category = engagement_category()
    open_amount = func.greatest(Engagement.tariff_cents - func.coalesce(paid.c.paid, 0), 0)
    query = (
        select(Engagement.district_code, cast(category, String), func.sum(open_amount))
        .join(SupportProfile, SupportProfile.code == Engagement.profile_code)
        .outerjoin(paid, paid.c.engagement_id == Engagement.id)
        .where(
            Engagement.municipality_code == municipality,
            Engagement.status.in_(("accepted", "started")),
            Engagement.payment_model != "lumpsum",
            Engagement.tariff_cents.is_not(None),
        )
        .group_by(Engagement.district_code, category)
    )
    return {(d, c): int(total) for d, c, total in (await session.execute(query)).all()}


async def _allocated(
    session: AsyncSession, municipality: str, year: int
) -> dict[tuple[str | None, str], int]:
    rows = await session.execute(
        select(Budget.district_code, Budget.category, Budget.amount_cents).where(
            Budget.municipality_code == municipality, Budget.year == year
        )
    )
    return {(d, c): int(a) for d, c, a in rows.all()}


def forecast(spent: int, year: int, today: date) -> int:
    first, last = date(year, 1, 1), date(year, 12, 31)
    if today > last:
        return spent
    if today < first:
        return 0
    elapsed = (today - first).days + 1
    return spent * ((last - first).days + 1) // elapsed


async def budget_status(
    session: AsyncSession,
    principal: Principal,
    municipality: str | None,
    year: int | None,
    today: date | None = None,
) -> BudgetStatus:
    municipality = municipality or principal.municipality
    require_own_municipality(principal, municipality)
    today = today or utcnow().date()
    year = year or today.year
    spent = await _spent(session, municipality, year)
    committed = await _committed(session, municipality) if year >= today.year else {}
    allocated = await _allocated(session, municipality, year)
    keys = sorted(
        set(spent) | set(committed) | set(allocated), key=lambda k: (k[0] is None, k[0] or "", k[1])
    )
    status = BudgetStatus(municipality_code=municipality, year=year, as_of_date=today)
    totals: dict[str, StatusRow] = {}
    for district, category in keys:
        row = StatusRow(
            district_code=district,
            category=category,
            allocated_cents=allocated.get((district, category)),
            committed_cents=committed.get((district, category), 0),
            spent_cents=spent.get((district, category), 0),
        )
        row.forecast_cents = forecast(row.spent_cents, year, today)
        status.items.append(_flag(row))
        total = totals.setdefault(
            category, StatusRow(district_code=None, category=category, allocated_cents=0)
        )
        total.allocated_cents = (total.allocated_cents or 0) + (row.allocated_cents or 0)
        total.committed_cents += row.committed_cents
        total.spent_cents += row.spent_cents
        total.forecast_cents += row.forecast_cents
    status.totals = [_flag(totals[c]) for c in sorted(totals)]
    return status


def _flag(row: StatusRow) -> StatusRow:
    if row.allocated_cents is not None:
        row.over_committed = row.spent_cents + row.committed_cents > row.allocated_cents
        row.forecast_overrun = row.forecast_cents > row.allocated_cents
    return row
