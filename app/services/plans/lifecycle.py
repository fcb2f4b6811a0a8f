"""Plan transitions owned by the family side (DESIGN §3).

* revision: an agreed or active plan gets a new draft version (``revisionOpen``) while the
  agreed version stays in force until the revision is agreed (see :mod:`plan_signing`);
* withdraw: ``draft | agreed → withdrawn`` (referrals its profiles used become open again);
* evaluation: final domain scores (and goal outcomes) once no engagement is running —
  ``evaluating`` (set when all engagements closed) or ``agreed`` without engagements;
* close: an evaluated plan is ``closed``.

``agreed → active → evaluating`` follow the engagements and are made by the engagement side.
"""

import uuid

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import Principal
from app.errors import Conflict, InvalidInput, InvalidParam
from app.models.base import utcnow
from app.models.engagements import Engagement
from app.models.families import Family
from app.models.plans import Goal, Plan, PlanAssessment, PlanSupportProfile
from app.models.referrals import Referral
from app.schemas.plans import EvaluationCreate
from app.services.plans.edit import PLAN_EVENT, bump, lock_plan
from app.services.platform import audit
from app.services.platform.audit import Action
from app.versioning import Expected

LIVE_ENGAGEMENT = ("requested", "accepted", "started")


def _transition_conflict(plan: Plan, action: str) -> Conflict:
    return Conflict(
        f"A plan that is {plan.status} cannot be {action}.",
        code="invalid_transition",
        plan_status=plan.status,
    )


async def _has_live_engagements(session: AsyncSession, plan: Plan) -> bool:
    row = await session.execute(
        select(Engagement.id)
        .where(Engagement.plan_id == plan.id, Engagement.status.in_(LIVE_ENGAGEMENT))
        .limit(1)
    )
    return row.first() is not None


async def open_revision(
    session: AsyncSession, principal: Principal, plan_id: uuid.UUID, expected: Expected
) -> Plan:
    plan = await lock_plan(session, principal, plan_id, expected)
    if plan.revision_open:
        raise Conflict("A revision of this plan is already open.", code="revision_open")
    if plan.status not in ("agreed", "active"):
        raise _transition_conflict(plan, "revised")
    plan.revision_open = True
    bump(plan)
    await session.flush()
    audit.record(session, principal, Action.UPDATE, "plan", plan.id, family_id=plan.family_id)
    PLAN_EVENT.emit(session, "plan.revised", plan)
    return plan


async def withdraw(
    session: AsyncSession, principal: Principal, plan_id: uuid.UUID, expected: Expected
) -> Plan:
    plan = await lock_plan(session, principal, plan_id, expected)
    if plan.status not in ("draft", "agreed"):
        raise _transition_conflict(plan, "withdrawn")
    if await _has_live_engagements(session, plan):
        raise Conflict("Withdraw or finish the plan's engagements first.", code="open_engagements")
    plan.status = "withdrawn"
    plan.withdrawn_at = utcnow()
    plan.revision_open = False
    bump(plan)
    used = select(PlanSupportProfile.referral_id).where(
        PlanSupportProfile.plan_id == plan.id, PlanSupportProfile.referral_id.is_not(None)
    )
    await session.execute(
        update(Referral).where(Referral.id.in_(used), Referral.status == "in_use").values(status="open")
    )
    await session.flush()
    audit.record(session, principal, Action.UPDATE, "plan", plan.id, family_id=plan.family_id)
    PLAN_EVENT.emit(session, "plan.withdrawn", plan)
    return plan


async def _require_settled(session: AsyncSession, plan: Plan, action: str) -> None:
    if plan.status not in ("agreed", "evaluating"):
        raise _transition_conflict(plan, action)
    if plan.revision_open:
        raise Conflict("Agree or withdraw the open revision first.", code="revision_open")
    if await _has_live_engagements(session, plan):
        raise Conflict("The plan still has running engagements.", code="open_engagements")


async def evaluate(
    session: AsyncSession,
    principal: Principal,
    plan_id: uuid.UUID,
    expected: Expected,
    body: EvaluationCreate,
) -> Plan:
    """Record the final score of every domain assessed with a score, and optionally goal outcomes."""
    plan = await lock_plan(session, principal, plan_id, expected)
    await _require_settled(session, plan, "evaluated")
    assessments = {
        a.domain_code: a
        for a in (
            await session.execute(select(PlanAssessment).where(PlanAssessment.plan_id == plan.id))
        ).scalars()
    }
    goals = {g.id: g for g in (await session.execute(select(Goal).where(Goal.plan_id == plan.id))).scalars()}
    problems = _evaluation_problems(body, assessments, goals)
    if problems:
        raise InvalidInput(problems)
    for item in body.scores:
        assessments[item.domain_code].final_score = item.final_score
    for outcome in body.goals:
        goals[outcome.goal_id].status = outcome.status
        goals[outcome.goal_id].updated_at = utcnow()
    plan.evaluated_at = utcnow()
    bump(plan)
    await session.flush()
    audit.record(session, principal, Action.UPDATE, "plan-evaluation", plan.id, family_id=plan.family_id)
    return plan


def _evaluation_problems(
    body: EvaluationCreate, assessments: dict[str, PlanAssessment], goals: dict[uuid.UUID, Goal]
) -> list[InvalidParam]:
    problems = []
    scored = {code for code, a in assessments.items() if a.relevant and a.score is not None}
    seen: set[str] = set()
    for i, item in enumerate(body.scores):
        if item.domain_code not in scored:
            problems.append(
                InvalidParam(
                    f"scores.{i}.domainCode", "not_assessed", "This domain was not assessed with a score."
                )
            )
        elif item.domain_code in seen:
            problems.append(
                InvalidParam(f"scores.{i}.domainCode", "duplicate", "This domain is scored twice.")
            )
        seen.add(item.domain_code)
    missing = sorted(scored - seen)
    if missing:
        problems.append(
            InvalidParam(
                "scores", "missing_scores", "Final scores are missing for: " + ", ".join(missing) + "."
            )
        )
    for i, outcome in enumerate(body.goals):
        if outcome.goal_id not in goals:
            problems.append(InvalidParam(f"goals.{i}.goalId", "unknown_goal", "No such goal on this plan."))
    return problems


async def close(session: AsyncSession, principal: Principal, plan_id: uuid.UUID, expected: Expected) -> Plan:
    plan = await lock_plan(session, principal, plan_id, expected)
    await _require_settled(session, plan, "closed")
    if plan.evaluated_at is None:
        raise Conflict("Record the evaluation (final domain scores) first.", code="evaluation_required")
    now = utcnow()
    plan.status = "closed"
    plan.closed_at = now
    bump(plan)
    await session.execute(
        update(Family).where(Family.id == plan.family_id).values(care_ended_at=now, updated_at=now)
    )
    await session.flush()
    audit.record(session, principal, Action.UPDATE, "plan", plan.id, family_id=plan.family_id)
    PLAN_EVENT.emit(session, "plan.closed", plan)
    return plan
