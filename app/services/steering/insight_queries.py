"""The SQL behind the insights (DESIGN §6, §8): every figure is aggregated in the database.

Each function returns, per key of the dimension (district code, team id, provider id or profile
code), the final figures *and* the number of cases each figure rests on, so the caller can
suppress small cells. Definitions:

* a **referral** counts on the local (Europe/Amsterdam) date it was made; its district and team
  are the referral's own, else its family's;
* **engagements started**: start date in the period; **waiting days** from the request's local
  date to the start date (median and 90th percentile, ``percentile_cont``);
* outcome figures are over engagements **closed** in the period (end date in the period):
  dropout rate (end reason 32/33), premature rate (34/35), goal attainment share (goals scored
  achieved ≥ 0 or partly achieved −1, over all scored goals), mean GAS T-score (per engagement
  ``50 + 10·Σx / √((1−ρ)n + ρn²)``, ρ = 0.3, then averaged), mean experience of parents and of
  youths apart (surveys of those engagements), cost per closed trajectory (the ledger total per
  engagement, lumpsum engagements excluded);
* **budget use** (districts): spent (exported/paid lines due in the period) over the district's
  budgets of the years the period touches, each pro rata to the days of that year in the period.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Integer,
    Numeric,
    String,
    cast,
    func,
    literal,
    select,
    tuple_,
)
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.catalogue import SupportProfile
from app.models.engagements import Engagement, EngagementGoal, ExperienceSurvey
from app.models.families import Family
from app.models.geography import District, DistrictIndicator, Team, TeamDistrict
from app.models.money import Budget, PaymentLine
from app.models.providers import Provider
from app.models.referrals import Referral
from app.services.platform.clock import local_days_sql
from app.services.reference.waiting_times import waiting_days_expression

RHO = 0.3
DIMENSIONS = ("districts", "teams", "providers", "profiles")
Figures = dict[Any, dict[str, Any]]


@dataclass(frozen=True)
class Period:
    start: date
    end: date


def engagement_key(dimension: str) -> ColumnElement[Any]:
    return {
        "districts": Engagement.district_code,
        "teams": cast(Engagement.team_id, String),
        "providers": cast(Engagement.provider_id, String),
        "profiles": Engagement.profile_code,
    }[dimension]


def referral_key(dimension: str) -> ColumnElement[Any]:
    return {
        "districts": func.coalesce(Referral.district_code, Family.district_code),
        "teams": cast(func.coalesce(Referral.team_id, Family.team_id), String),
        "profiles": Referral.profile_code,
    }[dimension]


async def items(session: AsyncSession, municipality: str, dimension: str) -> list[tuple[str, str]]:
    """The (key, name) rows a dimension always lists, also when they have no data."""
    query: Any
    if dimension == "districts":
        query = (
            select(District.code, District.name)
            .where(District.municipality_code == municipality)
            .order_by(District.code)
        )
    elif dimension == "teams":
        query = (
            select(cast(Team.id, String), Team.name)
            .where(Team.municipality_code == municipality)
            .order_by(Team.name, Team.id)
        )
    elif dimension == "providers":
        used = select(Engagement.provider_id).where(Engagement.municipality_code == municipality)
        query = (
            select(cast(Provider.id, String), Provider.name)
            .where(Provider.municipalities.any(municipality) | Provider.id.in_(used))
            .order_by(Provider.name, Provider.id)
        )
    else:
        query = select(SupportProfile.code, SupportProfile.name).order_by(SupportProfile.code)
    return [(k, n) for k, n in (await session.execute(query)).all()]


def _youth_per_district(municipality: str, year: int) -> Any:
    """Each district's youth population of the latest indicator year up to ``year``."""
    return (
        select(DistrictIndicator.district_code, DistrictIndicator.youth_population.label("youth"))
        .distinct(DistrictIndicator.district_code)
        .where(
            DistrictIndicator.municipality_code == municipality,
            DistrictIndicator.year <= year,
            DistrictIndicator.youth_population.is_not(None),
        )
        .order_by(DistrictIndicator.district_code, DistrictIndicator.year.desc())
        .subquery()
    )


def _youth_per_key(dimension: str, municipality: str, year: int) -> Any:
    per_district = _youth_per_district(municipality, year)
    if dimension == "districts":
        return select(per_district.c.district_code.label("k"), per_district.c.youth).subquery()
    if dimension == "teams":
        return (
            select(
                cast(TeamDistrict.team_id, String).label("k"), func.sum(per_district.c.youth).label("youth")
            )
            .join(per_district, per_district.c.district_code == TeamDistrict.district_code)
            .group_by(TeamDistrict.team_id)
            .subquery()
        )
    total = select(func.sum(per_district.c.youth)).scalar_subquery()
    return select(SupportProfile.code.label("k"), total.label("youth")).subquery()


async def referral_figures(
    session: AsyncSession, municipality: str, dimension: str, period: Period
) -> tuple[Figures, dict[str, Any]]:
    """Referral counts (total and per referrer type), per 1 000 youth and against the mean.

    The second value holds the municipality's figures: ``referrals``, ``youth``, ``per1000``.
    """
    key = referral_key(dimension)
    grouped = (
        select(
            key.label("k"),
            Referral.referrer_type.label("t"),
            func.count().label("n"),
            func.grouping(Referral.referrer_type).label("g"),
        )
        .select_from(Referral)
        .outerjoin(Family, Family.id == Referral.family_id)
        .where(
            Referral.municipality_code == municipality,
            local_days_sql(Referral.created_at, period.start, period.end),
        )
        .group_by(func.grouping_sets(tuple_(key, Referral.referrer_type), tuple_(key)))
        .cte("grouped")
    )
    youth = _youth_per_key(dimension, municipality, period.end.year)
    per_district = _youth_per_district(municipality, period.end.year)
    total_youth = select(func.sum(per_district.c.youth)).scalar_subquery()
    total_n = func.sum(grouped.c.n).over(partition_by=grouped.c.g)
    expected = cast(total_n, Float) * youth.c.youth / func.nullif(total_youth, 0)
    query = select(
        grouped.c.k,
        grouped.c.t,
        grouped.c.g,
        grouped.c.n,
        func.round(cast(grouped.c.n * 1000.0 / func.nullif(youth.c.youth, 0), Numeric), 2),
        func.round(cast(expected, Numeric), 2),
        func.round(cast((grouped.c.n - expected) / func.sqrt(func.nullif(expected, 0)), Numeric), 2),
        total_n,
        total_youth,
        func.round(cast(total_n * 1000.0 / func.nullif(total_youth, 0), Numeric), 2),
    ).outerjoin(youth, youth.c.k == grouped.c.k)
    figures: Figures = {}
    municipal: dict[str, Any] = {"referrals": 0, "youth": None, "per1000": None}
    for k, t, g, n, per1000, exp, z, tot, tyouth, tper1000 in (await session.execute(query)).all():
        row = figures.setdefault(k, {"referrals": 0, "types": {}})
        if g == 1:
            row.update(referrals=n, per1000=_num(per1000), expected=_num(exp), z=_num(z))
            municipal.update(referrals=int(tot), youth=tyouth, per1000=_num(tper1000))
        else:
            row["types"][t] = n
    if not figures:
        municipal["youth"] = await session.scalar(select(total_youth))
    return figures, municipal


async def started_figures(
    session: AsyncSession, municipality: str, dimension: str, period: Period
) -> Figures:
    key = engagement_key(dimension)
    days = waiting_days_expression()
    query = (
        select(
            key,
            func.count(),
            func.round(cast(func.percentile_cont(0.5).within_group(days), Numeric), 1),
            func.round(cast(func.percentile_cont(0.9).within_group(days), Numeric), 1),
        )
        .where(
            Engagement.municipality_code == municipality,
            Engagement.start_date.between(period.start, period.end),
        )
        .group_by(key)
    )
    return {
        k: {"started": n, "median": _num(median), "p90": _num(p90)}
        for k, n, median, p90 in (await session.execute(query)).all()
    }


def _closed(municipality: str, period: Period) -> list[ColumnElement[bool]]:
    return [
        Engagement.municipality_code == municipality,
        Engagement.status == "closed",
        Engagement.outcome_pending.is_(False),  # no outcome figures before the closure report
        Engagement.end_date.between(period.start, period.end),
    ]


async def closed_figures(session: AsyncSession, municipality: str, dimension: str, period: Period) -> Figures:
    key = engagement_key(dimension)
    # goals and costs of the period's closed engagements only, not of every row in the database
    closed_ids = select(Engagement.id).where(*_closed(municipality, period)).cte("closed_ids")
    goals = (
        select(
            EngagementGoal.engagement_id,
            func.count().label("n"),
            func.sum(EngagementGoal.final_gas_score).label("s"),
            func.count().filter(EngagementGoal.final_gas_score >= -1).label("attained"),
        )
        .where(
            EngagementGoal.final_gas_score.is_not(None),
            EngagementGoal.engagement_id.in_(select(closed_ids.c.id)),
        )
        .group_by(EngagementGoal.engagement_id)
        .subquery()
    )
    costs = (
        select(PaymentLine.engagement_id, func.sum(PaymentLine.amount_cents).label("cost"))
        .where(
            PaymentLine.municipality_code == municipality,
            PaymentLine.engagement_id.in_(select(closed_ids.c.id)),
        )
        .group_by(PaymentLine.engagement_id)
        .subquery()
    )
    t_score = 50 + 10 * cast(goals.c.s, Float) / func.sqrt(
        (1 - RHO) * goals.c.n + RHO * goals.c.n * goals.c.n
    )
    priced = Engagement.payment_model != "lumpsum"
    closed = func.count()
    query = (
        select(
            key,
            closed,
            func.round(
                cast(func.count().filter(Engagement.end_reason.in_(("32", "33"))) * 1.0 / closed, Numeric), 4
            ),
            func.round(
                cast(func.count().filter(Engagement.end_reason.in_(("34", "35"))) * 1.0 / closed, Numeric), 4
            ),
            func.count(goals.c.n),
            func.round(
                cast(func.sum(goals.c.attained) * 1.0 / func.nullif(func.sum(goals.c.n), 0), Numeric), 4
            ),
            func.round(cast(func.avg(t_score), Numeric), 2),
            func.count().filter(priced),
            cast(func.round(func.avg(func.coalesce(costs.c.cost, 0)).filter(priced)), Integer),
        )
        .outerjoin(goals, goals.c.engagement_id == Engagement.id)
        .outerjoin(costs, costs.c.engagement_id == Engagement.id)
        .where(*_closed(municipality, period))
        .group_by(key)
    )
    result: Figures = {}
    for k, n, dropout, premature, gas_cases, share, t_mean, cost_cases, cost in (
        await session.execute(query)
    ).all():
        result[k] = {
            "closed": n,
            "dropoutRate": _num(dropout),
            "prematureRate": _num(premature),
            "gasCases": gas_cases,
            "goalShare": _num(share),
            "meanGasT": _num(t_mean),
            "costCases": cost_cases,
            "cost": cost,
        }
    return result


async def experience_figures(
    session: AsyncSession, municipality: str, dimension: str, period: Period
) -> Figures:
    key = engagement_key(dimension)
    query = (
        select(
            key,
            ExperienceSurvey.respondent_kind,
            func.count(func.distinct(ExperienceSurvey.engagement_id)),
            func.round(cast(func.avg(ExperienceSurvey.score), Numeric), 2),
        )
        .join(Engagement, Engagement.id == ExperienceSurvey.engagement_id)
        .where(*_closed(municipality, period))
        .group_by(key, ExperienceSurvey.respondent_kind)
    )
    result: Figures = {}
    for k, kind, cases, mean in (await session.execute(query)).all():
        result.setdefault(k, {})[kind] = {"cases": cases, "mean": _num(mean)}
    return result


async def budget_figures(session: AsyncSession, municipality: str, period: Period) -> Figures:
    """Per district: spent in the period, the pro-rated budget, and their ratio."""
    spent = (
        select(
            PaymentLine.district_code.label("k"),
            func.sum(PaymentLine.amount_cents).label("spent"),
            func.count(func.distinct(PaymentLine.engagement_id)).label("cases"),
        )
        .where(
            PaymentLine.municipality_code == municipality,
            PaymentLine.status.in_(("exported", "paid")),
            PaymentLine.due_date.between(period.start, period.end),
            PaymentLine.district_code.is_not(None),
        )
        .group_by(PaymentLine.district_code)
        .subquery()
    )
    year_start = func.make_date(Budget.year, 1, 1)
    year_end = func.make_date(Budget.year, 12, 31)
    overlap = func.least(literal(period.end), year_end) - func.greatest(literal(period.start), year_start) + 1
    budget = (
        select(
            Budget.district_code.label("k"),
            func.sum(Budget.amount_cents * cast(overlap, Float) / (year_end - year_start + 1)).label(
                "budget"
            ),
        )
        .where(
            Budget.municipality_code == municipality,
            Budget.district_code.is_not(None),
            Budget.year.between(period.start.year, period.end.year),
        )
        .group_by(Budget.district_code)
        .subquery()
    )
    query = select(
        District.code,
        func.coalesce(spent.c.cases, 0),
        func.round(cast(func.coalesce(spent.c.spent, 0) / func.nullif(budget.c.budget, 0), Numeric), 4),
    ).where(District.municipality_code == municipality)
    query = query.outerjoin(spent, spent.c.k == District.code).outerjoin(budget, budget.c.k == District.code)
    return {
        k: {"cases": cases, "budgetUse": _num(use)} for k, cases, use in (await session.execute(query)).all()
    }


def _num(value: Any) -> float | None:
    return None if value is None else float(value)
