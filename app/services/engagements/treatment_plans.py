"""Treatment plans: how the main contractor reaches the plan's goals (DESIGN §5).

One treatment plan per engagement, versioned: the first ``PUT`` creates version 1, every later
one needs ``If-Match`` with the current version and replaces approach, expected end date and
activities (a submitted plan goes back to ``draft`` and must be submitted again). Each activity
serves at least one goal in the engagement's scope and is performed by the main contractor or
one of the engagement's subcontracts. Submission requires every goal in scope (except dropped
goals) to be covered: otherwise 409 ``goals_not_covered`` listing them.
"""

import uuid
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import Principal
from app.errors import Conflict, InvalidInput, InvalidParam, NotFound, PreconditionFailed
from app.models.base import utcnow
from app.models.engagements import (
    Engagement,
    EngagementGoal,
    Subcontract,
    TreatmentActivity,
    TreatmentActivityGoal,
    TreatmentPlan,
)
from app.models.plans import Goal
from app.schemas.treatment_plans import TreatmentPlanPut
from app.services.engagements.scope import (
    Access,
    load_engagement,
    load_for_main_contractor,
    require_status,
)
from app.services.engagements.views import load_activities
from app.services.platform import audit, events
from app.services.platform.audit import Action
from app.services.platform.rows import one_or_not_found
from app.versioning import Expected, check_version

WRITABLE = ("accepted", "started")
TREATMENT_PLAN_EVENT = events.EventSpec(
    "/engagements/{engagement_id}/treatment-plan", ("status", "engagement_id", "version")
)
TreatmentPlanView = dict[str, Any]


async def _locked_plan(session: AsyncSession, engagement_id: uuid.UUID) -> TreatmentPlan | None:
    return (
        await session.execute(
            select(TreatmentPlan).where(TreatmentPlan.engagement_id == engagement_id).with_for_update()
        )
    ).scalar_one_or_none()


async def _scope_goals(
    session: AsyncSession, engagement_id: uuid.UUID, *, open_only: bool = False
) -> list[uuid.UUID]:
    query = (
        select(EngagementGoal.goal_id)
        .join(Goal, Goal.id == EngagementGoal.goal_id)
        .where(EngagementGoal.engagement_id == engagement_id)
        .order_by(Goal.created_at, Goal.id)
    )
    if open_only:
        query = query.where(Goal.status != "dropped")
    return list((await session.scalars(query)).all())


async def _check(session: AsyncSession, engagement: Engagement, body: TreatmentPlanPut) -> None:
    scope = set(await _scope_goals(session, engagement.id))
    subcontracts = set(
        (
            await session.scalars(select(Subcontract.id).where(Subcontract.engagement_id == engagement.id))
        ).all()
    )
    problems: list[InvalidParam] = []
    for index, activity in enumerate(body.activities):
        for goal_id in activity.goal_ids:
            if goal_id not in scope:
                problems.append(
                    InvalidParam(
                        f"activities.{index}.goalIds",
                        "goal_not_in_scope",
                        f"Goal {goal_id} is not in this engagement.",
                    )
                )
        if activity.subcontract_id is not None and activity.subcontract_id not in subcontracts:
            problems.append(
                InvalidParam(
                    f"activities.{index}.subcontractId",
                    "unknown_subcontract",
                    "Not a subcontract of this engagement.",
                )
            )
    if body.expected_end_date and engagement.start_date and body.expected_end_date < engagement.start_date:
        problems.append(
            InvalidParam("expectedEndDate", "before_start", "The expected end lies before the start.")
        )
    if problems:
        raise InvalidInput(problems)


def _view(plan: TreatmentPlan, activities: list[dict[str, Any]], access: Access) -> TreatmentPlanView:
    full = access is Access.FULL
    if access is Access.RESTRICTED:
        activities = [{**a, "description": None} for a in activities]
    return {
        "id": plan.id,
        "engagement_id": plan.engagement_id,
        "view": access.value,
        "version": plan.version,
        "status": plan.status,
        "approach": plan.approach if full else None,
        "expected_end_date": plan.expected_end_date if access is not Access.SUBCONTRACTOR else None,
        "activities": activities,
        "created_at": plan.created_at,
        "updated_at": plan.updated_at,
        "submitted_at": plan.submitted_at,
    }


async def put_treatment_plan(
    session: AsyncSession,
    principal: Principal,
    engagement_id: uuid.UUID,
    body: TreatmentPlanPut,
    expected_version: Expected,
) -> tuple[TreatmentPlanView, bool]:
    """Create (first PUT) or replace the treatment plan; returns the plan and whether it was created."""
    engagement = await load_for_main_contractor(session, principal, engagement_id)
    require_status(engagement, WRITABLE, "given a treatment plan", transition=False)
    plan = await _locked_plan(session, engagement.id)
    if plan is None and expected_version is not None:
        raise PreconditionFailed("There is no treatment plan yet; create it without If-Match.")
    if plan is not None:
        check_version(plan.version, expected_version)
    await _check(session, engagement, body)
    now = utcnow()
    created = plan is None
    if plan is None:
        plan = TreatmentPlan(
            engagement_id=engagement.id,
            municipality_code=engagement.municipality_code,
            approach=body.approach,
        )
        session.add(plan)
    else:
        plan.version += 1
        plan.status = "draft"
        plan.submitted_at = None
        plan.updated_at = now
        await session.execute(delete(TreatmentActivity).where(TreatmentActivity.treatment_plan_id == plan.id))
    plan.approach = body.approach
    plan.expected_end_date = body.expected_end_date
    await session.flush()
    activities = [
        TreatmentActivity(
            treatment_plan_id=plan.id,
            position=index,
            description=a.description,
            frequency=a.frequency,
            subcontract_id=a.subcontract_id,
        )
        for index, a in enumerate(body.activities)
    ]
    session.add_all(activities)
    await session.flush()
    session.add_all(
        [
            TreatmentActivityGoal(activity_id=row.id, goal_id=goal_id)
            for row, given in zip(activities, body.activities, strict=True)
            for goal_id in dict.fromkeys(given.goal_ids)
        ]
    )
    await session.flush()
    action = Action.CREATE if created else Action.UPDATE
    audit.record(session, principal, action, "treatment-plan", plan.id, family_id=engagement.family_id)
    return _view(plan, await load_activities(session, plan.id), Access.FULL), created


async def get_treatment_plan(
    session: AsyncSession, principal: Principal, engagement_id: uuid.UUID
) -> TreatmentPlanView:
    """The family, its team and the main contractor read it whole; a subcontractor its activities."""
    scoped = await load_engagement(session, principal, engagement_id)
    plan = await one_or_not_found(
        session, select(TreatmentPlan).where(TreatmentPlan.engagement_id == engagement_id), "treatment plan"
    )
    audit.record(
        session, principal, Action.READ, "treatment-plan", plan.id, family_id=scoped.engagement.family_id
    )
    return _view(plan, await load_activities(session, plan.id), scoped.access)


async def submit_treatment_plan(
    session: AsyncSession, principal: Principal, engagement_id: uuid.UUID, expected_version: Expected
) -> TreatmentPlanView:
    engagement = await load_for_main_contractor(session, principal, engagement_id)
    require_status(engagement, WRITABLE, "given a treatment plan", transition=False)
    plan = await _locked_plan(session, engagement.id)
    if plan is None:
        raise NotFound("treatment plan")
    if expected_version is not None:
        check_version(plan.version, expected_version)
    if plan.status == "submitted":
        raise Conflict(
            "The treatment plan is 'submitted' already; change it to submit it again.",
            code="invalid_transition",
            currentStatus=plan.status,
        )
    activities = await load_activities(session, plan.id)
    covered = {goal_id for activity in activities for goal_id in activity["goal_ids"]}
    uncovered = [g for g in await _scope_goals(session, engagement.id, open_only=True) if g not in covered]
    if uncovered:
        raise Conflict(
            "Every goal in the engagement's scope needs an activity before the plan can be submitted.",
            code="goals_not_covered",
            uncoveredGoalIds=[str(g) for g in uncovered],
        )
    now = utcnow()
    plan.status = "submitted"
    plan.submitted_at = now
    plan.updated_at = now
    plan.version += 1
    await session.flush()
    TREATMENT_PLAN_EVENT.emit(session, "treatment-plan.submitted", plan)
    audit.record(session, principal, Action.UPDATE, "treatment-plan", plan.id, family_id=engagement.family_id)
    return _view(plan, activities, Access.FULL)
