"""The parts of a draft plan: assessments per life domain, goals, support profiles per child.

Each change locks the plan, checks ``If-Match``, requires a draft (or open revision) and bumps
the version. Rule violations are reported all at once (400) before anything is written.
"""

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import Principal
from app.errors import Conflict, InvalidInput, InvalidParam, NotFound
from app.models.base import utcnow
from app.models.catalogue import LifeDomain, ProfileIntensity, SupportProfile
from app.models.plans import Goal, Plan, PlanAssessment, PlanSupportProfile
from app.schemas.plans import AssessmentPut, GoalCreate, GoalUpdate, PlanSupportProfileCreate
from app.services.families.members import member_of
from app.services.plans.edit import bump, lock_plan, require_editable
from app.services.platform import audit, clock
from app.services.platform.audit import Action
from app.services.platform.rows import one_or_not_found
from app.services.referrals.service import claim_referral
from app.versioning import Expected

T = TypeVar("T")


@dataclass
class PartResult(Generic[T]):
    """The changed part and the plan's new version (its ETag)."""

    part: T
    plan: Plan


async def _domain_exists(session: AsyncSession, code: str) -> bool:
    return await session.get(LifeDomain, code) is not None


async def put_assessment(
    session: AsyncSession,
    principal: Principal,
    plan_id: uuid.UUID,
    domain_code: str,
    expected: Expected,
    body: AssessmentPut,
) -> PartResult[PlanAssessment]:
    """Assess one life domain: a score 1–5, or ``relevant: false`` (then without a score)."""
    plan = await lock_plan(session, principal, plan_id, expected)
    if not await _domain_exists(session, domain_code):
        raise NotFound("life domain")
    require_editable(plan)
    if not body.relevant and body.score is not None:
        raise InvalidInput(
            [InvalidParam("score", "score_not_allowed", "A domain marked not relevant has no score.")]
        )
    assessment = (
        await session.execute(
            select(PlanAssessment).where(
                PlanAssessment.plan_id == plan.id, PlanAssessment.domain_code == domain_code
            )
        )
    ).scalar_one_or_none()
    if assessment is None:
        assessment = PlanAssessment(plan_id=plan.id, domain_code=domain_code)
        session.add(assessment)
    assessment.score = body.score
    assessment.relevant = body.relevant
    assessment.situation = body.situation
    assessment.family_wish = body.family_wish
    assessment.updated_at = utcnow()
    bump(plan)
    await session.flush()
    audit.record(
        session,
        principal,
        Action.UPDATE,
        "plan-assessment",
        f"{plan.id}/{domain_code}",
        family_id=plan.family_id,
    )
    return PartResult(assessment, plan)


async def _goal_problems(
    session: AsyncSession,
    plan: Plan,
    domain_code: str | None,
    member_id: uuid.UUID | None,
    target: date | None,
) -> list[InvalidParam]:
    problems = []
    if domain_code is not None and not await _domain_exists(session, domain_code):
        problems.append(InvalidParam("domainCode", "unknown_domain", "No such life domain."))
    if (
        member_id is not None
        and await member_of(session, plan.family_id, member_id, active_only=True) is None
    ):
        problems.append(InvalidParam("memberId", "unknown_member", "No such member in this family."))
    if target is not None and target < clock.today():
        problems.append(InvalidParam("targetDate", "in_past", "The target date cannot lie in the past."))
    return problems


async def add_goal(
    session: AsyncSession, principal: Principal, plan_id: uuid.UUID, expected: Expected, body: GoalCreate
) -> PartResult[Goal]:
    plan = await lock_plan(session, principal, plan_id, expected)
    require_editable(plan)
    problems = await _goal_problems(session, plan, body.domain_code, body.member_id, body.target_date)
    if problems:
        raise InvalidInput(problems)
    goal = Goal(
        plan_id=plan.id,
        municipality_code=plan.municipality_code,
        domain_code=body.domain_code,
        member_id=body.member_id,
        description=body.description,
        desired_result=body.desired_result,
        target_date=body.target_date,
        created_by=principal.sub,
    )
    bump(plan)
    await audit.add_created(session, principal, goal, "goal", family_id=plan.family_id)
    return PartResult(goal, plan)


async def update_goal(
    session: AsyncSession,
    principal: Principal,
    plan_id: uuid.UUID,
    goal_id: uuid.UUID,
    expected: Expected,
    body: GoalUpdate,
) -> PartResult[Goal]:
    """Change the properties sent; ``memberId``, ``desiredResult`` and ``targetDate`` may be emptied."""
    plan = await lock_plan(session, principal, plan_id, expected)
    goal = await one_or_not_found(
        session, select(Goal).where(Goal.id == goal_id, Goal.plan_id == plan.id), "goal"
    )
    require_editable(plan)
    sent = body.model_fields_set
    required = {"domain_code": "domainCode", "description": "description", "status": "status"}
    problems = [
        InvalidParam(alias, "required", "This property cannot be emptied.")
        for name, alias in required.items()
        if name in sent and getattr(body, name) is None
    ]
    problems += await _goal_problems(
        session,
        plan,
        body.domain_code if "domain_code" in sent else None,
        body.member_id if "member_id" in sent else None,
        body.target_date if "target_date" in sent else None,
    )
    if problems:
        raise InvalidInput(problems)
    for name in sent:
        setattr(goal, name, getattr(body, name))
    goal.updated_at = utcnow()
    bump(plan)
    await session.flush()
    audit.record(session, principal, Action.UPDATE, "goal", goal.id, family_id=plan.family_id)
    return PartResult(goal, plan)


async def add_support_profile(
    session: AsyncSession,
    principal: Principal,
    plan_id: uuid.UUID,
    expected: Expected,
    body: PlanSupportProfileCreate,
) -> PartResult[PlanSupportProfile]:
    """A profile × intensity for one child; segment B and C rest on a valid referral."""
    plan = await lock_plan(session, principal, plan_id, expected)
    require_editable(plan)
    member = await member_of(session, plan.family_id, body.member_id, active_only=True)
    profile = await session.get(SupportProfile, body.profile_code)
    intensity = await session.get(ProfileIntensity, (body.profile_code, body.intensity_code))
    problems = []
    if member is None:
        problems.append(InvalidParam("memberId", "unknown_member", "No such member in this family."))
    elif member.role != "child":
        problems.append(InvalidParam("memberId", "not_a_child", "Support profiles are for children."))
    if profile is None:
        problems.append(InvalidParam("profileCode", "unknown_profile", "No such support profile."))
    elif intensity is None:
        problems.append(
            InvalidParam("intensityCode", "unknown_intensity", "No such intensity for this profile.")
        )
    if problems:
        raise InvalidInput(problems)
    assert member is not None and profile is not None
    duplicate = (
        await session.execute(
            select(PlanSupportProfile.id).where(
                PlanSupportProfile.plan_id == plan.id,
                PlanSupportProfile.member_id == member.id,
                PlanSupportProfile.profile_code == profile.code,
            )
        )
    ).scalar_one_or_none()
    if duplicate is not None:
        raise Conflict(
            "This child already has this support profile on the plan.", code="duplicate_support_profile"
        )
    referral = await claim_referral(
        session, principal, plan, member.id, profile, body.intensity_code, body.referral_id
    )
    support = PlanSupportProfile(
        plan_id=plan.id,
        member_id=member.id,
        profile_code=profile.code,
        intensity_code=body.intensity_code,
        problem_description=body.problem_description,
        referral_id=referral.id if referral else None,
    )
    bump(plan)
    await audit.add_created(session, principal, support, "plan-support-profile", family_id=plan.family_id)
    return PartResult(support, plan)
