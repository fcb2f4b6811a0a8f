"""Reading engagements: the single view and the scoped list (the provider's inbox).

What a caller sees follows its access (``app.services.engagements.scope``): the full case view,
a restricted view without personal data or free text, or — for a subcontractor — only the
engagement's goals and activities and its own subcontract. Every read is audited. Each view is
assembled from a fixed number of queries, whatever the number of goals or activities.
"""

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, func, select, tuple_, union
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import Principal, Role
from app.errors import Forbidden
from app.models.engagements import (
    Engagement,
    EngagementGoal,
    ExperienceSurvey,
    Subcontract,
    TreatmentActivity,
    TreatmentActivityGoal,
    TreatmentPlan,
)
from app.models.families import FamilyMember
from app.models.plans import Goal, PlanAssessment
from app.models.providers import Provider
from app.pagination import TIME_AND_ID, PageRequest, cursor_key, encode_cursor
from app.services.engagements import outcome
from app.services.engagements.flags import adult_date as adult_date_of
from app.services.engagements.flags import (
    answer_due_date,
    request_unanswered,
    transition_due,
)
from app.services.engagements.scope import (
    Access,
    access_level,
    load_engagement,
    scope_branches,
)
from app.services.platform import audit
from app.services.platform.audit import Action
from app.services.platform.clock import local_date, today
from app.services.platform.rows import where_given

EngagementView = dict[str, Any]
LIST_ROLES = (Role.FAMILY_MEMBER, Role.DISTRICT_PROFESSIONAL, Role.PROVIDER_STAFF)

# Fields of the restricted view: ids, codes, states, dates and amounts — no personal data, no free text.
RESTRICTED_FIELDS = (
    "id",
    "status",
    "provider_id",
    "family_id",
    "plan_id",
    "member_id",
    "district_code",
    "team_id",
    "profile_code",
    "intensity_code",
    "requested_at",
    "answered_at",
    "decline_reason_code",
    "withdrawn_at",
    "assignment_number",
    "contract_id",
    "tariff_cents",
    "payment_model",
    "start_share_percent",
    "result_share_percent",
    "start_date",
    "end_date",
    "end_reason",
    "problem_reduction",
    "closed_at",
    "outcome_pending",
)
FULL_ONLY_FIELDS = ("choice_reason", "decline_reason")


def _flags(engagement: Engagement, birth_date: date, access: Access, day: date) -> dict[str, Any]:
    requested_on = local_date(engagement.requested_at)
    transition = transition_due(engagement.status, birth_date, day)
    return {
        "request_unanswered": request_unanswered(engagement.status, requested_on, day),
        "answer_due_date": answer_due_date(requested_on) if engagement.status == "requested" else None,
        "transition_18": transition,
        "adult_date": adult_date_of(birth_date) if transition and access is Access.FULL else None,
    }


async def _goals(session: AsyncSession, engagement_id: uuid.UUID, with_texts: bool) -> list[dict[str, Any]]:
    rows = await session.execute(
        select(
            EngagementGoal.goal_id,
            Goal.domain_code,
            Goal.description,
            Goal.desired_result,
            EngagementGoal.final_gas_score,
        )
        .join(Goal, Goal.id == EngagementGoal.goal_id)
        .where(EngagementGoal.engagement_id == engagement_id)
        .order_by(Goal.created_at, Goal.id)
    )
    return [
        {
            "goal_id": goal_id,
            "domain_code": domain,
            "description": description if with_texts else None,
            "desired_result": desired if with_texts else None,
            "final_gas_score": gas,
        }
        for goal_id, domain, description, desired, gas in rows
    ]


async def load_activities(session: AsyncSession, treatment_plan_id: uuid.UUID) -> list[dict[str, Any]]:
    """The activities of a treatment plan with their goal ids (two queries)."""
    activities = (
        await session.scalars(
            select(TreatmentActivity)
            .where(TreatmentActivity.treatment_plan_id == treatment_plan_id)
            .order_by(TreatmentActivity.position)
        )
    ).all()
    links = (
        (
            await session.execute(
                select(TreatmentActivityGoal.activity_id, TreatmentActivityGoal.goal_id).where(
                    TreatmentActivityGoal.activity_id.in_([a.id for a in activities])
                )
            )
        ).all()
        if activities
        else []
    )
    goals: dict[uuid.UUID, list[uuid.UUID]] = {}
    for activity_id, goal_id in links:
        goals.setdefault(activity_id, []).append(goal_id)
    return [
        {
            "id": a.id,
            "description": a.description,
            "goal_ids": goals.get(a.id, []),
            "subcontract_id": a.subcontract_id,
            "frequency": a.frequency,
        }
        for a in activities
    ]


async def _treatment_plan(session: AsyncSession, engagement_id: uuid.UUID) -> TreatmentPlan | None:
    return (
        await session.execute(select(TreatmentPlan).where(TreatmentPlan.engagement_id == engagement_id))
    ).scalar_one_or_none()


async def _treatment_summary(session: AsyncSession, engagement_id: uuid.UUID) -> dict[str, Any] | None:
    row = (
        await session.execute(
            select(TreatmentPlan, func.count(TreatmentActivity.id))
            .outerjoin(TreatmentActivity, TreatmentActivity.treatment_plan_id == TreatmentPlan.id)
            .where(TreatmentPlan.engagement_id == engagement_id)
            .group_by(TreatmentPlan.id)
        )
    ).first()
    if row is None:
        return None
    plan, count = row
    return {
        "version": plan.version,
        "status": plan.status,
        "expected_end_date": plan.expected_end_date,
        "activity_count": count,
        "submitted_at": plan.submitted_at,
    }


async def _subcontracts(
    session: AsyncSession, engagement_id: uuid.UUID, only_provider: uuid.UUID | None = None
) -> list[Subcontract]:
    query = select(Subcontract).where(Subcontract.engagement_id == engagement_id)
    if only_provider is not None:
        query = query.where(Subcontract.provider_id == only_provider)
    return list((await session.scalars(query.order_by(Subcontract.created_at, Subcontract.id))).all())


async def load_outcome(
    session: AsyncSession, engagement: Engagement, goals: list[dict[str, Any]]
) -> dict[str, Any] | None:
    """The outcome of a closed engagement (DESIGN §6); ``None`` while it runs or its closure
    report is pending (closed by an end-of-care message without goal scores)."""
    if engagement.status != "closed" or engagement.end_reason is None or engagement.outcome_pending:
        return None
    surveys = (
        await session.execute(
            select(ExperienceSurvey.respondent_kind, ExperienceSurvey.score).where(
                ExperienceSurvey.engagement_id == engagement.id
            )
        )
    ).all()
    pairs = (
        await session.execute(
            select(PlanAssessment.score, PlanAssessment.final_score).where(
                PlanAssessment.plan_id == engagement.plan_id,
                PlanAssessment.relevant.is_(True),
                PlanAssessment.score.is_not(None),
                PlanAssessment.final_score.is_not(None),
            )
        )
    ).all()
    attainment = outcome.goal_attainment(
        [g["final_gas_score"] for g in goals if g["final_gas_score"] is not None]
    )
    change = outcome.self_reliance_change([(a, b) for a, b in pairs])
    return {
        "end_reason": engagement.end_reason,
        "dropout": outcome.is_dropout(engagement.end_reason),
        "premature_by_agreement": outcome.is_premature_by_agreement(engagement.end_reason),
        "problem_reduction": engagement.problem_reduction,
        "goals_total": attainment.goals_total,
        "goals_achieved": attainment.goals_achieved,
        "goals_partly_achieved": attainment.goals_partly_achieved,
        "goal_attainment_share": attainment.attainment_share,
        "gas_t_score": attainment.t_score,
        "experience": vars(outcome.experience([(k, s) for k, s in surveys])),
        "self_reliance_change": vars(change) if change else None,
    }


async def _subcontractor_view(
    session: AsyncSession, principal: Principal, engagement: Engagement, provider_name: str
) -> EngagementView:
    plan = await _treatment_plan(session, engagement.id)
    return {
        "id": engagement.id,
        "view": Access.SUBCONTRACTOR.value,
        "status": engagement.status,
        "provider_id": engagement.provider_id,
        "provider_name": provider_name,
        "goals": await _goals(session, engagement.id, with_texts=True),
        "activities": await load_activities(session, plan.id) if plan else [],
        "subcontracts": await _subcontracts(session, engagement.id, only_provider=principal.provider),
    }


async def build_view(
    session: AsyncSession, principal: Principal, engagement: Engagement, access: Access | None = None
) -> EngagementView:
    """The engagement as ``principal`` may see it (not audited: the caller audits its action)."""
    if access is None:
        access = (await load_engagement(session, principal, engagement.id)).access
    provider_name = await session.scalar(select(Provider.name).where(Provider.id == engagement.provider_id))
    if access is Access.SUBCONTRACTOR:
        return await _subcontractor_view(session, principal, engagement, provider_name or "")
    child = (
        await session.execute(select(FamilyMember).where(FamilyMember.id == engagement.member_id))
    ).scalar_one()
    full = access is Access.FULL
    view: EngagementView = {name: getattr(engagement, name) for name in RESTRICTED_FIELDS}
    if full:
        view.update({name: getattr(engagement, name) for name in FULL_ONLY_FIELDS})
        view["child"] = {
            "member_id": child.id,
            "given_name": child.given_name,
            "family_name": child.family_name,
            "birth_date": child.birth_date,
        }
        view["subcontracts"] = await _subcontracts(session, engagement.id)
    goals = await _goals(session, engagement.id, with_texts=full)
    view.update(
        view=access.value,
        provider_name=provider_name,
        consent_active=full if principal.provider == engagement.provider_id else None,
        goals=goals,
        treatment_plan=await _treatment_summary(session, engagement.id),
        flags=_flags(engagement, child.birth_date, access, today()),
        outcome=await load_outcome(session, engagement, goals),
    )
    return view


async def get_engagement(
    session: AsyncSession, principal: Principal, engagement_id: uuid.UUID
) -> EngagementView:
    scoped = await load_engagement(session, principal, engagement_id)
    view = await build_view(session, principal, scoped.engagement, scoped.access)
    audit.record(
        session, principal, Action.READ, "engagement", engagement_id, family_id=scoped.engagement.family_id
    )
    return view


def _summary(
    engagement: Engagement, access: Access, provider_name: str, child: FamilyMember, day: date
) -> dict[str, Any]:
    if access is Access.SUBCONTRACTOR:
        return {
            "id": engagement.id,
            "view": access.value,
            "status": engagement.status,
            "provider_id": engagement.provider_id,
            "provider_name": provider_name,
        }
    summary = {name: getattr(engagement, name) for name in RESTRICTED_FIELDS}
    summary.update(
        view=access.value,
        provider_name=provider_name,
        flags=_flags(engagement, child.birth_date, access, day),
    )
    if access is Access.FULL:
        summary["child"] = {
            "member_id": child.id,
            "given_name": child.given_name,
            "family_name": child.family_name,
            "birth_date": child.birth_date,
        }
    return summary


@dataclass(frozen=True)
class EngagementFilter:
    """Narrows the engagement list to a status and/or a plan."""

    status: str | None = None
    plan_id: uuid.UUID | None = None


def _branch(scope: Any, page: PageRequest, key: Any, only: EngagementFilter) -> Select[Any]:
    """One way of seeing engagements: its first page-plus-one ids after the cursor, in list order."""
    query = where_given(
        select(Engagement.id, Engagement.requested_at).where(scope),
        (Engagement.status, only.status),
        (Engagement.plan_id, only.plan_id),
    )
    if key:
        query = query.where(tuple_(Engagement.requested_at, Engagement.id) > tuple_(*key))
    return query.order_by(Engagement.requested_at, Engagement.id).limit(page.size + 1)


async def list_engagements(
    session: AsyncSession, principal: Principal, page: PageRequest, only: EngagementFilter
) -> tuple[list[dict[str, Any]], str | None]:
    """The caller's engagements, oldest request first (keyset on request time and id)."""
    if not principal.has(*LIST_ROLES):
        raise Forbidden("Your role may not list engagements; the integration bus reads them one by one.")
    key = cursor_key(page, *TIME_AND_ID)
    branches = [_branch(b, page, key, only) for b in scope_branches(principal)]
    if not branches:
        return [], None
    page_ids = union(*branches).subquery()
    query = (
        select(Engagement, access_level(principal), Provider.name, FamilyMember)
        .join(Provider, Provider.id == Engagement.provider_id)
        .join(FamilyMember, FamilyMember.id == Engagement.member_id)
        .where(Engagement.id.in_(select(page_ids.c.id)))
        .order_by(Engagement.requested_at, Engagement.id)
        .limit(page.size + 1)
    )
    rows = (await session.execute(query)).all()
    more = len(rows) > page.size
    rows = rows[: page.size]
    day = today()
    items = [_summary(e, Access(access), name, child, day) for e, access, name, child in rows]
    audit.record_many(session, principal, Action.READ, "engagement", [(e.id, e.family_id) for e, *_ in rows])
    cursor = encode_cursor([rows[-1][0].requested_at.isoformat(), rows[-1][0].id]) if more and rows else None
    return items, cursor
