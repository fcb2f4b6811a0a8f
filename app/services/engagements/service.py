"""The engagement lifecycle up to the start (DESIGN §5): request, accept, decline, withdraw, start.

    requested → accepted → started → closed          (closure: app.services.engagements.closure)
    requested → declined
    requested | accepted → withdrawn

A request needs an agreed (or active) plan with a support profile for the child, a valid
referral for segments B/C, a provider contracted for the product, and the family's active
consent to share its plan with that provider. Acceptance issues the assignment number and
freezes contract, tariff (in force on the acceptance date) and payment model. Every change
locks the engagement row, writes an audit row and an outbox event.
"""

import uuid

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import Principal, Role
from app.errors import Conflict, Forbidden, InvalidInput, InvalidParam
from app.models.base import utcnow
from app.models.catalogue import SupportProfile
from app.models.engagements import ASSIGNMENT_NUMBER_SEQUENCE, Engagement, EngagementGoal
from app.models.families import Family, FamilyMember
from app.models.geography import Municipality
from app.models.plans import Goal, Plan, PlanSupportProfile
from app.models.providers import Provider
from app.models.referrals import Referral
from app.schemas.engagements import EngagementCreate, EngagementDecline, EngagementStart
from app.services.engagements.allocation_hooks import allocation_changed
from app.services.engagements.plan_status import activate_plan, settle_plan
from app.services.engagements.provider_options import ContractTerms, contract_terms
from app.services.engagements.scope import (
    active_consent,
    load_for_main_contractor,
    load_for_requester,
    plan_scope_for_requesters,
    require_status,
)
from app.services.engagements.views import EngagementView, build_view
from app.services.money import payments
from app.services.platform import audit, events
from app.services.platform.audit import Action
from app.services.platform.clock import local_date, today
from app.services.platform.rows import one_or_not_found

OPEN_STATUSES = ("requested", "accepted", "started")
REQUESTABLE_PLAN = ("agreed", "active")
UNUSABLE_REFERRAL = ("withdrawn", "expired", "intake")


ENGAGEMENT_EVENT = events.EventSpec("/engagements/{id}", ("status", "plan_id", "provider_id"))


async def _terms_today(
    session: AsyncSession, municipality: str, product: PlanSupportProfile | Engagement, provider_id: uuid.UUID
) -> tuple[str, list[ContractTerms]]:
    """The profile's segment, and the provider's contracts for the product (profile × intensity) today."""
    segment_of = select(SupportProfile.segment).where(SupportProfile.code == product.profile_code)
    region_of = select(Municipality.region_id).where(Municipality.code == municipality)
    segment, region_id = (
        await session.execute(select(segment_of.scalar_subquery(), region_of.scalar_subquery()))
    ).one()
    terms = await contract_terms(
        session,
        region_id=region_id,
        profile_code=product.profile_code,
        intensity_code=product.intensity_code,
        segment=segment,
        on=today(),
        provider_id=provider_id,
    )
    return segment, terms


async def _load_plan(session: AsyncSession, principal: Principal, plan_id: uuid.UUID) -> Plan:
    return await one_or_not_found(
        session,
        select(Plan).where(Plan.id == plan_id, plan_scope_for_requesters(principal)).with_for_update(),
        "plan",
    )


async def _check_input(session: AsyncSession, plan: Plan, body: EngagementCreate) -> Provider:
    """The member must be a child of the plan's family and the provider must exist (400 lists all)."""
    problems: list[InvalidParam] = []
    role = await session.scalar(
        select(FamilyMember.role).where(
            FamilyMember.id == body.member_id, FamilyMember.family_id == plan.family_id
        )
    )
    if role != "child":
        problems.append(
            InvalidParam("memberId", "not_a_child_of_family", "Not a child of the plan's family.")
        )
    provider = await session.get(Provider, body.provider_id)
    if provider is None:
        problems.append(InvalidParam("providerId", "unknown_provider", "No provider with this id."))
    if body.goal_ids:
        known = set(
            (
                await session.scalars(
                    select(Goal.id).where(Goal.plan_id == plan.id, Goal.id.in_(body.goal_ids))
                )
            ).all()
        )
        for goal_id in body.goal_ids:
            if goal_id not in known:
                problems.append(
                    InvalidParam("goalIds", "unknown_goal", f"Goal {goal_id} is not on the plan.")
                )
    if problems:
        raise InvalidInput(problems)
    assert provider is not None
    return provider


async def _support_profile(session: AsyncSession, plan: Plan, member_id: uuid.UUID) -> PlanSupportProfile:
    profile = (
        await session.execute(
            select(PlanSupportProfile)
            .where(PlanSupportProfile.plan_id == plan.id, PlanSupportProfile.member_id == member_id)
            .order_by(PlanSupportProfile.created_at.desc())
            .limit(1)
        )
    ).scalar_one_or_none()
    if profile is None:
        raise Conflict("The plan has no support profile for this child.", code="support_profile_required")
    return profile


async def _check_referral(session: AsyncSession, profile: PlanSupportProfile, segment: str) -> None:
    if segment == "A":
        return
    day = today()
    valid = None
    if profile.referral_id is not None:
        valid = await session.scalar(
            select(Referral.id).where(
                Referral.id == profile.referral_id,
                Referral.valid_from <= day,
                Referral.valid_to >= day,
                Referral.status.not_in(UNUSABLE_REFERRAL),
            )
        )
    if valid is None:
        raise Conflict(
            f"Segment {segment} needs a valid referral for this support profile.", code="referral_required"
        )


async def _check_no_open_engagement(session: AsyncSession, profile: PlanSupportProfile) -> None:
    existing = await session.scalar(
        select(Engagement.id).where(
            Engagement.plan_support_profile_id == profile.id, Engagement.status.in_(OPEN_STATUSES)
        )
    )
    if existing is not None:
        raise Conflict(
            "This support profile already has an open engagement.",
            code="engagement_exists",
            existing=f"/api/v1/engagements/{existing}",
        )


async def _scope_goals(session: AsyncSession, plan: Plan, body: EngagementCreate) -> list[uuid.UUID]:
    """The goals in scope: as named, else the child's open goals, else the family-wide open goals."""
    if body.goal_ids:
        return list(dict.fromkeys(body.goal_ids))
    rows = (
        await session.execute(
            select(Goal.id, Goal.member_id)
            .where(
                Goal.plan_id == plan.id,
                Goal.status == "open",
                or_(Goal.member_id == body.member_id, Goal.member_id.is_(None)),
            )
            .order_by(Goal.created_at, Goal.id)
        )
    ).all()
    own = [goal_id for goal_id, member in rows if member == body.member_id]
    chosen = own or [goal_id for goal_id, _ in rows]
    if not chosen:
        raise Conflict("The plan has no open goals for this child.", code="no_goals_in_scope")
    return chosen


async def request_engagement(
    session: AsyncSession, principal: Principal, body: EngagementCreate
) -> EngagementView:
    """The family (or its team) requests an engagement with its chosen provider."""
    if not principal.has(Role.FAMILY_MEMBER, Role.DISTRICT_PROFESSIONAL):
        raise Forbidden("Only the family or its district team request an engagement.")
    plan = await _load_plan(session, principal, body.plan_id)
    provider = await _check_input(session, plan, body)
    if plan.status not in REQUESTABLE_PLAN:
        raise Conflict(
            f"The plan is '{plan.status}'; an engagement needs an agreed plan.",
            code="plan_not_agreed",
            currentStatus=plan.status,
        )
    profile = await _support_profile(session, plan, body.member_id)
    segment, terms = await _terms_today(session, plan.municipality_code, profile, provider.id)
    await _check_referral(session, profile, segment)
    if not terms:
        raise Conflict(
            "This provider has no contract for this support profile.", code="provider_not_contracted"
        )
    consent = await session.scalar(select(active_consent(plan.family_id, provider.id)))
    if not consent:
        raise Conflict(
            "The family has not consented to share its plan with this provider.",
            code="consent_required",
            providerId=str(provider.id),
        )
    await _check_no_open_engagement(session, profile)
    goal_ids = await _scope_goals(session, plan, body)
    family = (await session.execute(select(Family).where(Family.id == plan.family_id))).scalar_one()
    engagement = Engagement(
        municipality_code=plan.municipality_code,
        family_id=plan.family_id,
        plan_id=plan.id,
        member_id=body.member_id,
        plan_support_profile_id=profile.id,
        referral_id=profile.referral_id,
        district_code=family.district_code,
        team_id=family.team_id,
        profile_code=profile.profile_code,
        intensity_code=profile.intensity_code,
        provider_id=provider.id,
        status="requested",
        choice_reason=body.choice_reason,
        requested_by=principal.sub,
        requested_at=utcnow(),
    )
    session.add(engagement)
    await session.flush()
    session.add_all([EngagementGoal(engagement_id=engagement.id, goal_id=goal_id) for goal_id in goal_ids])
    await session.flush()
    ENGAGEMENT_EVENT.emit(session, "engagement.requested", engagement)
    audit.record(
        session, principal, Action.CREATE, "engagement", engagement.id, family_id=engagement.family_id
    )
    return await build_view(session, principal, engagement)


async def accept(session: AsyncSession, principal: Principal, engagement_id: uuid.UUID) -> EngagementView:
    """The main contractor accepts: assignment number issued, contract and tariff frozen."""
    engagement = await load_for_main_contractor(session, principal, engagement_id)
    require_status(engagement, ("requested",), "accepted", transition=True)
    _, terms = await _terms_today(session, engagement.municipality_code, engagement, engagement.provider_id)
    if not terms:
        raise Conflict(
            "No contract with a tariff in force covers this support profile today.",
            code="provider_not_contracted",
        )
    chosen = terms[0]
    number = await session.scalar(select(ASSIGNMENT_NUMBER_SEQUENCE.next_value()))
    engagement.assignment_number = f"{number:08d}"
    engagement.contract_id = chosen.contract_id
    engagement.tariff_cents = chosen.tariff_cents
    engagement.payment_model = chosen.payment_model
    engagement.start_share_percent = chosen.start_share_percent
    engagement.result_share_percent = chosen.result_share_percent
    engagement.status = "accepted"
    engagement.answered_at = utcnow()
    await session.flush()
    ENGAGEMENT_EVENT.emit(
        session, "engagement.accepted", engagement, assignmentNumber=engagement.assignment_number
    )
    await allocation_changed(session, engagement)
    audit.record(
        session, principal, Action.UPDATE, "engagement", engagement.id, family_id=engagement.family_id
    )
    return await build_view(session, principal, engagement)


async def decline(
    session: AsyncSession, principal: Principal, engagement_id: uuid.UUID, body: EngagementDecline
) -> EngagementView:
    engagement = await load_for_main_contractor(session, principal, engagement_id, needs_consent=False)
    require_status(engagement, ("requested",), "declined", transition=True)
    engagement.status = "declined"
    engagement.decline_reason_code = body.reason_code.value
    engagement.decline_reason = body.reason
    engagement.answered_at = utcnow()
    await session.flush()
    ENGAGEMENT_EVENT.emit(
        session, "engagement.declined", engagement, reasonCode=engagement.decline_reason_code
    )
    audit.record(
        session, principal, Action.UPDATE, "engagement", engagement.id, family_id=engagement.family_id
    )
    await settle_plan(session, engagement.plan_id)
    return await build_view(session, principal, engagement)


async def withdraw(session: AsyncSession, principal: Principal, engagement_id: uuid.UUID) -> EngagementView:
    """The family or its team withdraws a request (or an accepted engagement not yet started)."""
    engagement = await load_for_requester(session, principal, engagement_id)
    require_status(engagement, ("requested", "accepted"), "withdrawn", transition=True)
    engagement.status = "withdrawn"
    engagement.withdrawn_at = utcnow()
    await session.flush()
    ENGAGEMENT_EVENT.emit(session, "engagement.withdrawn", engagement)
    await allocation_changed(session, engagement)
    audit.record(
        session, principal, Action.UPDATE, "engagement", engagement.id, family_id=engagement.family_id
    )
    await settle_plan(session, engagement.plan_id)
    return await build_view(session, principal, engagement)


async def start(
    session: AsyncSession, principal: Principal, engagement_id: uuid.UUID, body: EngagementStart
) -> EngagementView:
    """JW305: the care started on ``startDate``; the plan becomes active; the start part is scheduled."""
    engagement = await load_for_main_contractor(session, principal, engagement_id, needs_consent=False)
    require_status(engagement, ("accepted",), "started", transition=True)
    requested_on = local_date(engagement.requested_at)
    if body.start_date < requested_on or body.start_date > today():
        raise InvalidInput(
            [
                InvalidParam(
                    "startDate", "out_of_range", "The start date lies between the request date and today."
                )
            ]
        )
    engagement.status = "started"
    engagement.start_date = body.start_date
    await session.flush()
    await activate_plan(session, engagement.plan_id)
    await payments.schedule_on_start(session, engagement)
    ENGAGEMENT_EVENT.emit(
        session, "engagement.started", engagement, startDate=engagement.start_date.isoformat()
    )
    audit.record(
        session, principal, Action.UPDATE, "engagement", engagement.id, family_id=engagement.family_id
    )
    return await build_view(session, principal, engagement)
