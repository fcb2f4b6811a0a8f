"""Builders that arrange family-side data directly in the database (arranging, not mocking).

``build_case`` makes a family with a child (and a parent and a youth of 16), an agreed plan
with every catalogue life domain assessed, goals, a support profile per child resting on a
referral, the frozen plan version with both signatures, and consents for the given providers.
``add_engagement`` inserts an engagement row in any state (for waiting times and statistics).
"""

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.catalogue import LifeDomain
from app.models.engagements import Engagement, EngagementGoal
from app.models.families import Family, FamilyMember
from app.models.plans import Goal, Plan, PlanAssessment, PlanSignature, PlanSupportProfile, PlanVersion
from app.models.referrals import Consent, Referral
from app.services.platform.clock import local_date
from tests.support.factories import Reference

GOAL_DOMAINS = ("finances", "mental_health", "parenting")
# The domain scores at agreement (the rest of the catalogue is scored 3).
DOMAIN_SCORES = {"finances": 2, "mental_health": 2, "parenting": 3}


@dataclass
class Case:
    """Ids of one arranged family case."""

    municipality: str
    district_code: str
    team_id: uuid.UUID
    family_id: uuid.UUID
    child_id: uuid.UUID
    parent_id: uuid.UUID
    youth_id: uuid.UUID
    plan_id: uuid.UUID
    goal_ids: list[uuid.UUID]
    support_profile_id: uuid.UUID
    youth_support_profile_id: uuid.UUID
    referral_id: uuid.UUID
    profile_code: str
    intensity_code: str
    consent_ids: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)  # provider -> consent


async def build_case(
    s: AsyncSession,
    ref: Reference,
    *,
    municipality: str = "GM0363",
    team_id: uuid.UUID | None = None,
    district_code: str | None = None,
    profile_code: str = "P03",
    intensity_code: str = "I2",
    plan_status: str = "agreed",
    consent_providers: list[uuid.UUID] | None = None,
    child_birth_date: date = date(2015, 3, 14),
    youth_birth_date: date | None = None,
    commit: bool = True,
) -> Case:
    """Arrange a family with an agreed plan (see module docstring)."""
    team = team_id or ref.teams[municipality]
    district = district_code or ref.districts[municipality][0]
    today = nl_today()
    family = Family(municipality_code=municipality, district_code=district, team_id=team)
    s.add(family)
    await s.flush()
    child = member(family, "child", "Sam", child_birth_date)
    parent = member(family, "parent", "Noor", date(1985, 6, 1))
    youth = member(family, "child", "Lex", youth_birth_date or date(today.year - 16, 1, 15))
    s.add_all([child, parent, youth])
    plan = Plan(
        family_id=family.id,
        municipality_code=municipality,
        status=plan_status,
        version=3,
        agreed_version=3 if plan_status != "draft" else None,
        family_vision="Rust in huis en Sam weer naar school.",
        created_by="test-district_professional",
        agreed_at=datetime.now(UTC) if plan_status != "draft" else None,
    )
    s.add(plan)
    await s.flush()
    domains = (await s.execute(select(LifeDomain.code).order_by(LifeDomain.position))).scalars().all()
    for code in domains:
        s.add(PlanAssessment(plan_id=plan.id, domain_code=code, score=DOMAIN_SCORES.get(code, 3)))
    goals = [
        Goal(
            plan_id=plan.id,
            municipality_code=municipality,
            domain_code=code,
            member_id=child.id if code != "finances" else None,
            description=f"Doel {code}",
            desired_result="Het gaat beter.",
            target_date=today + timedelta(days=180),
            created_by="test-district_professional",
        )
        for code in GOAL_DOMAINS
    ]
    s.add_all(goals)
    referrals = [
        Referral(
            municipality_code=municipality,
            family_id=family.id,
            member_id=member.id,
            district_code=district,
            team_id=team,
            referrer_type="01",
            referrer_subject="test-district_professional",
            profile_code=profile_code,
            intensity_code=intensity_code,
            reason="Gedragsproblemen thuis en op school.",
            valid_from=today - timedelta(days=30),
            valid_to=today + timedelta(days=335),
            status="in_use",
        )
        for member in (child, youth)
    ]
    s.add_all(referrals)
    await s.flush()
    profiles = [
        PlanSupportProfile(
            plan_id=plan.id,
            member_id=member.id,
            profile_code=profile_code,
            intensity_code=intensity_code,
            problem_description="Gedragsproblemen.",
            referral_id=referral.id,
        )
        for member, referral in zip((child, youth), referrals, strict=True)
    ]
    s.add_all(profiles)
    s.add_all(
        [
            PlanSignature(
                plan_id=plan.id,
                version=3,
                signer_kind="family",
                member_id=parent.id,
                subject="test-family_member",
            ),
            PlanSignature(
                plan_id=plan.id,
                version=3,
                signer_kind="professional",
                team_id=team,
                subject="test-district_professional",
            ),
        ]
    )
    if plan_status != "draft":
        s.add(PlanVersion(plan_id=plan.id, version=3, snapshot={"status": "agreed", "goals": len(goals)}))
    case = Case(
        municipality=municipality,
        district_code=district,
        team_id=team,
        family_id=family.id,
        child_id=child.id,
        parent_id=parent.id,
        youth_id=youth.id,
        plan_id=plan.id,
        goal_ids=[g.id for g in goals],
        support_profile_id=profiles[0].id,
        youth_support_profile_id=profiles[1].id,
        referral_id=referrals[0].id,
        profile_code=profile_code,
        intensity_code=intensity_code,
    )
    for provider_id in consent_providers or []:
        consent = Consent(
            family_id=family.id,
            municipality_code=municipality,
            scope="share_plan_with_provider",
            provider_id=provider_id,
            granted_by_member_id=parent.id,
        )
        s.add(consent)
        await s.flush()
        case.consent_ids[provider_id] = consent.id
    await s.flush()
    if commit:
        await s.commit()
    return case


def member(
    family: Family, role: str, given: str, birth: date, *, surname: str = "de Vries", bsn: str | None = None
) -> FamilyMember:
    """A member of ``family`` (not yet added to the session)."""
    return FamilyMember(
        family_id=family.id,
        municipality_code=family.municipality_code,
        role=role,
        given_name=given,
        family_name=surname,
        birth_date=birth,
        bsn=bsn,
    )


async def add_engagement(
    s: AsyncSession,
    case: Case,
    provider_id: uuid.UUID,
    *,
    status: str = "started",
    requested_at: datetime | None = None,
    start_date: date | None = None,
    end_date: date | None = None,
    end_reason: str | None = None,
    contract_id: uuid.UUID | None = None,
    member_id: uuid.UUID | None = None,
    profile_code: str | None = None,
    intensity_code: str | None = None,
    goal_ids: list[uuid.UUID] | None = None,
    commit: bool = True,
) -> Engagement:
    """Insert an engagement row directly, with its goals in scope."""
    engagement = Engagement(
        municipality_code=case.municipality,
        family_id=case.family_id,
        plan_id=case.plan_id,
        member_id=member_id or case.child_id,
        plan_support_profile_id=case.support_profile_id,
        referral_id=case.referral_id,
        district_code=case.district_code,
        team_id=case.team_id,
        profile_code=profile_code or case.profile_code,
        intensity_code=intensity_code or case.intensity_code,
        provider_id=provider_id,
        status=status,
        requested_by="test-district_professional",
        requested_at=requested_at or datetime.now(UTC),
        contract_id=contract_id,
        start_date=start_date,
        end_date=end_date,
        end_reason=end_reason,
    )
    if status != "requested":
        engagement.answered_at = engagement.requested_at
        engagement.assignment_number = f"T{uuid.uuid4().hex[:12].upper()}"
        engagement.tariff_cents = 420_000
        engagement.payment_model = "milestone"
        engagement.start_share_percent = 70
    s.add(engagement)
    await s.flush()
    for goal_id in goal_ids if goal_ids is not None else case.goal_ids:
        s.add(EngagementGoal(engagement_id=engagement.id, goal_id=goal_id))
    await s.flush()
    if commit:
        await s.commit()
    return engagement


async def add_started(
    s: AsyncSession, case: Case, provider_id: uuid.UUID, wait_days: int, start: date, **options: Any
) -> Engagement:
    """An engagement started on ``start`` after a wait of ``wait_days`` (``add_engagement`` options)."""
    requested_at = noon(start - timedelta(days=wait_days))
    return await add_engagement(s, case, provider_id, requested_at=requested_at, start_date=start, **options)


def nl_today() -> date:
    """Today in the Netherlands, the calendar the service counts days in."""
    return local_date(datetime.now(UTC))


def noon(day: date) -> datetime:
    """Noon UTC on ``day`` (the same calendar day in the Netherlands)."""
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
