"""The SQL behind the outcome indicators (DESIGN §6; Beleidsinformatie Jeugd, Regeling Jeugdwet
bijlage 2; the NJi/VNG outcome criteria), aggregated in the database per dimension key.

Every function returns *counts* per key (district code, team id, provider id, profile code); the
caller rounds and suppresses them and computes the shares from the published counts
(:mod:`app.services.steering.indicators`). Definitions, for a whole-month period:

* **endings** — engagements closed with their end date in the period; ``dropouts`` ended
  one-sidedly by client or provider (JZ588 32, 33), ``premature`` ended early by agreement or by
  external circumstances (34, 35); goals: ``goalsScored`` with a final GAS score, ``goalsAttained``
  scored −1 or better (achieved or partly achieved);
* **self-reliance** — plans whose evaluation was recorded (local date) in the period; per plan the
  mean over its relevant life domains of (final score at evaluation − score as agreed), each
  1–5 (ZRM); per key the number of plans, the mean of those per-plan means and the number of plans
  whose mean rose. A plan counts for its family's district and team, and for every provider and
  profile of an engagement of the plan that started;
* **no new start** (CBS) — endings whose follow-up window, to the end of the half-year after the
  half-year of the end date, has passed by ``today``; ``noNewStart`` of them have no other
  engagement of the same child starting on or after the end date up to that window's end;
* **no relapse** (DESIGN §6) — endings at least 12 months before ``today``; ``noRelapse`` of them
  have no other engagement of the same child starting within 12 months after the end date.
"""

from datetime import date
from typing import Any

from sqlalchemy import Date, DateTime, Float, Numeric, String, and_, case, cast, exists, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.models.engagements import Engagement, EngagementGoal
from app.models.families import Family
from app.models.plans import Plan, PlanAssessment
from app.services.platform.clock import local_date_sql as local_date
from app.services.steering.insight_queries import Figures, Period, _closed, _youth_per_key, engagement_key

DROPOUT_REASONS = ("32", "33")
PREMATURE_REASONS = ("34", "35")


async def ending_counts(session: AsyncSession, municipality: str, dimension: str, period: Period) -> Figures:
    """Per key: dropouts, premature endings, goals scored and goals attained of the endings."""
    key = engagement_key(dimension)
    goals = (
        select(
            EngagementGoal.engagement_id,
            func.count().label("scored"),
            func.count().filter(EngagementGoal.final_gas_score >= -1).label("attained"),
        )
        .where(EngagementGoal.final_gas_score.is_not(None))
        .group_by(EngagementGoal.engagement_id)
        .subquery()
    )
    query = (
        select(
            key,
            func.count().filter(Engagement.end_reason.in_(DROPOUT_REASONS)),
            func.count().filter(Engagement.end_reason.in_(PREMATURE_REASONS)),
            func.coalesce(func.sum(goals.c.scored), 0),
            func.coalesce(func.sum(goals.c.attained), 0),
        )
        .outerjoin(goals, goals.c.engagement_id == Engagement.id)
        .where(*_closed(municipality, period))
        .group_by(key)
    )
    return {
        k: {"dropouts": d, "premature": p, "goalsScored": int(s), "goalsAttained": int(a)}
        for k, d, p, s, a in (await session.execute(query)).all()
    }


def _plan_keys(dimension: str, per_plan: Any) -> Any:
    """The evaluated plans (``per_plan``) with the dimension's keys: one row per plan and key."""
    if dimension in ("districts", "teams"):
        column = Family.district_code if dimension == "districts" else cast(Family.team_id, String)
        return (
            select(per_plan.c.plan_id, per_plan.c.change, column.label("k"))
            .join(Plan, Plan.id == per_plan.c.plan_id)
            .join(Family, Family.id == Plan.family_id)
        )
    column = Engagement.profile_code if dimension == "profiles" else cast(Engagement.provider_id, String)
    return (
        select(per_plan.c.plan_id, per_plan.c.change, column.label("k"))
        .join(Engagement, Engagement.plan_id == per_plan.c.plan_id)
        .where(Engagement.start_date.is_not(None))
        .distinct()
    )


async def self_reliance(session: AsyncSession, municipality: str, dimension: str, period: Period) -> Figures:
    """Per key: plans evaluated in the period, their mean change of domain score, and how many rose."""
    evaluated_on = local_date(Plan.evaluated_at)
    per_plan = (
        select(
            Plan.id.label("plan_id"),
            func.avg(cast(PlanAssessment.final_score - PlanAssessment.score, Float)).label("change"),
        )
        .join(PlanAssessment, PlanAssessment.plan_id == Plan.id)
        .where(
            Plan.municipality_code == municipality,
            Plan.evaluated_at.is_not(None),
            evaluated_on.between(period.start, period.end),
            PlanAssessment.relevant.is_(True),
            PlanAssessment.score.is_not(None),
            PlanAssessment.final_score.is_not(None),
        )
        .group_by(Plan.id)
        .subquery()
    )
    keyed = _plan_keys(dimension, per_plan).subquery()
    query = select(
        keyed.c.k,
        func.count(),
        func.round(cast(func.avg(keyed.c.change), Numeric), 2),
        func.count().filter(keyed.c.change > 0),
    ).group_by(keyed.c.k)
    return {
        k: {"plans": n, "change": None if mean is None else float(mean), "improved": up}
        for k, n, mean, up in (await session.execute(query)).all()
    }


async def follow_up(
    session: AsyncSession, municipality: str, dimension: str, period: Period, today: date
) -> Figures:
    """Per key: endings followed a half-year on (CBS) and 12 months on, and those without a new start."""
    key = engagement_key(dimension)
    later = aliased(Engagement)
    end = Engagement.end_date
    half_end = _half_year_after_sql(end)
    year_end = cast(end + func.make_interval(0, 12), Date)

    def new_start(until: Any) -> Any:
        return exists().where(
            later.member_id == Engagement.member_id,
            later.id != Engagement.id,
            later.start_date.is_not(None),
            later.start_date >= end,
            later.start_date <= until,
        )

    half_followed = half_end < today
    year_followed = year_end < today
    query = (
        select(
            key,
            func.count().filter(half_followed),
            func.count().filter(and_(half_followed, ~new_start(half_end))),
            func.count().filter(year_followed),
            func.count().filter(and_(year_followed, ~new_start(year_end))),
        )
        .where(*_closed(municipality, period))
        .group_by(key)
    )
    return {
        k: {"halfYearFollowed": h, "noNewStart": hn, "yearFollowed": y, "noRelapse": yn}
        for k, h, hn, y, yn in (await session.execute(query)).all()
    }


def _half_year_after_sql(day: Any) -> Any:
    """SQL twin of :func:`app.services.steering.periods.half_year_after`: 31 December of the end's
    year when it lies in January–June, else 30 June of the next year."""
    months = case((func.extract("month", day) <= 6, 12), else_=18)
    return cast(
        func.date_trunc("year", cast(day, DateTime))
        + func.make_interval(0, months)
        - text("interval '1 day'"),
        Date,
    )


async def youth_per_key(
    session: AsyncSession, municipality: str, dimension: str, year: int
) -> dict[Any, int]:
    """The youth population behind each key (the latest indicator year up to ``year``)."""
    youth = _youth_per_key(dimension, municipality, year)
    return {k: int(y) for k, y in (await session.execute(select(youth.c.k, youth.c.youth))).all() if y}
