"""Demo families in different states, so a newcomer can click through the family side.

* ``DEMO_FAMILY`` (team ``DEMO_TEAM``, district WK036301): an **agreed** plan — every life domain
  assessed, goals in the family's words, a support profile P06 × I2 for the child resting on a GP
  referral (``in_use``), signatures of the parent and the team on one version, its frozen
  snapshot, and the family's consent to share the plan with ``DEMO_PROVIDER``. The printed
  family-member token is its parent ``DEMO_PARENT``.
* family 2 (same team): a **draft** plan half-way (some domains assessed, one goal) and an open
  team referral waiting to be used by a support profile.
* family 3 (team of WK036302): a fresh **draft** with only the family's vision.
* family 4 (same team as 1): an agreed plan with a segment-A profile and a **revision open**.
* a GP referral of a child nobody registered yet: an **intake** task for ``DEMO_TEAM``.

Rows are inserted directly (seed data) but obey the rules the API enforces; the snapshots are
made by the same function the API uses. Names and BSNs are fictitious (BSNs from the 9999… test
range, valid by the 11-proef).
"""

import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.demo.ids import (
    DEMO_FAMILY,
    DEMO_GP_AGB,
    DEMO_PARENT,
    DEMO_PROVIDER,
    DEMO_TEAM,
    MUNICIPALITY,
    demo_id,
)
from app.models.catalogue import LifeDomain
from app.models.families import Family, FamilyMember
from app.models.plans import Goal, Plan, PlanAssessment, PlanSignature, PlanSupportProfile
from app.models.referrals import Consent, Referral
from app.services.plans.snapshot import freeze
from app.services.referrals.service import add_months

DEMO_CHILD = demo_id("family", "1", "member", "child")
DEMO_PLAN = demo_id("plan", "1")
DEMO_SUPPORT_PROFILE = demo_id("plan", "1", "support-profile", "1")
DEMO_REFERRAL = demo_id("referral", "1")
DEMO_CONSENT = demo_id("consent", "1")
DEMO_DRAFT_FAMILY = demo_id("family", "2")
DEMO_DRAFT_PLAN = demo_id("plan", "2")
DEMO_OPEN_REFERRAL = demo_id("referral", "2")
DEMO_INTAKE_REFERRAL = demo_id("referral", "intake")
DISTRICT_1, DISTRICT_2 = "WK036301", "WK036302"
TEAM_2 = demo_id("team", MUNICIPALITY, "2")
PROFESSIONAL = "demo-district_professional"


@dataclass(frozen=True)
class Person:
    key: str
    role: str
    given_name: str
    family_name: str
    age_years: int
    bsn: str | None = None


class Household:
    """A demo family (its id is ``demo_id("family", key)``): its members, its team and district."""

    def __init__(
        self, key: str, *people: Person, team: uuid.UUID = DEMO_TEAM, district: str = DISTRICT_1
    ) -> None:
        self.key, self.people, self.team, self.district = key, people, team, district
        self.id = demo_id("family", key)


@dataclass(frozen=True)
class Referrer:
    """Who refers, in the referral's columns."""

    referrer_type: str  # COD327
    referrer_subject: str
    referrer_agb: str | None = None


@dataclass(frozen=True)
class DemoReferral:
    """A referral of a child in the demo team's district, valid for a year from the day it is made
    (the fields are the referral's columns)."""

    id: uuid.UUID
    referrer: Referrer
    profile_code: str
    intensity_code: str
    reason: str
    status: str

    def made_on(self, day: date, **child: Any) -> Referral:
        """The referral made on ``day``; ``child``: the family and member, or (intake) BSN and birth date."""
        columns = asdict(self)
        columns.update(columns.pop("referrer"))
        return Referral(
            **columns,
            municipality_code=MUNICIPALITY,
            district_code=DISTRICT_1,
            team_id=DEMO_TEAM,
            valid_from=day,
            valid_to=add_months(day, 12),
            created_at=_at(day),
            **child,
        )


AGREED = Household(
    "1",
    Person("parent", "parent", "Fatima", "El Amrani", 36),
    Person("child", "child", "Yusuf", "El Amrani", 10, "999990007"),
)
DRAFT = Household(
    "2",
    Person("parent", "parent", "Sanne", "de Vries", 41),
    Person("child-1", "child", "Daan", "de Vries", 13, "999990019"),
    Person("child-2", "child", "Noor", "de Vries", 6, "999990020"),
)
FRESH = Household(
    "3",
    Person("parent", "carer", "Ricardo", "Martis", 45),
    Person("child", "child", "Shanti", "Martis", 16, "999990032"),
    team=TEAM_2,
    district=DISTRICT_2,
)
REVISING = Household(
    "4", Person("parent", "parent", "Joyce", "Bakker", 29), Person("child", "child", "Mila", "Bakker", 3)
)

GP = Referrer("02", "demo-gp", DEMO_GP_AGB)
TEAM_REFERRER = Referrer("01", PROFESSIONAL)
GP_REFERRAL = DemoReferral(
    DEMO_REFERRAL, GP, "P06", "I2", "Vermoeden van AD(H)D; onderzoek en behandeling.", "in_use"
)
TEAM_REFERRAL = DemoReferral(
    DEMO_OPEN_REFERRAL, TEAM_REFERRER, "P04", "I1", "Somberheid sinds de scheiding.", "open"
)
INTAKE_REFERRAL = DemoReferral(
    DEMO_INTAKE_REFERRAL,
    GP,
    "P03",
    "I1",
    "Gedragsproblemen op school; gezin nog niet bekend bij het wijkteam.",
    "intake",
)


def _at(day: date) -> datetime:
    return datetime.combine(day, time(10, 0), tzinfo=UTC)


def _birth_date(today: date, years: int) -> date:
    return date(today.year - years, 3 if today.month > 3 else 1, 14)


async def _family(session: AsyncSession, household: Household, since: date) -> dict[str, FamilyMember]:
    family_id, registered = household.id, _at(since)
    session.add(
        Family(
            id=family_id,
            municipality_code=MUNICIPALITY,
            district_code=household.district,
            team_id=household.team,
            created_at=registered,
            updated_at=registered,
        )
    )
    await session.flush()
    members = {}
    for person in household.people:
        member = FamilyMember(
            id=demo_id("family", household.key, "member", person.key),
            family_id=family_id,
            municipality_code=MUNICIPALITY,
            role=person.role,
            given_name=person.given_name,
            family_name=person.family_name,
            birth_date=_birth_date(since, person.age_years),
            bsn=person.bsn,
            created_at=registered,
        )
        session.add(member)
        members[person.key] = member
    await session.flush()
    return members


async def _plan(
    session: AsyncSession, plan_id: uuid.UUID, household: Household, since: date, vision: str | None
) -> Plan:
    """The plan, written (a draft of version 1; the caller counts each change after it)."""
    plan = Plan(
        id=plan_id,
        family_id=household.id,
        municipality_code=MUNICIPALITY,
        family_vision=vision,
        created_by=PROFESSIONAL,
        created_at=_at(since),
        updated_at=_at(since),
    )
    session.add(plan)
    await session.flush()
    return plan


async def _assess(session: AsyncSession, plan: Plan, scores: dict[str, int | None], day: date) -> None:
    """One assessment per domain (``None``: not relevant); each is a change of the plan."""
    for code, score in scores.items():
        session.add(
            PlanAssessment(
                plan_id=plan.id,
                domain_code=code,
                score=score,
                relevant=score is not None,
                situation="Besproken met het gezin." if score is not None else None,
                updated_at=_at(day),
            )
        )
        plan.version += 1


def _goal(plan: Plan, n: int, domain: str, words: str, member: FamilyMember | None, day: date) -> Goal:
    plan.version += 1
    return Goal(
        id=demo_id("plan", str(plan.id), "goal", str(n)),
        plan_id=plan.id,
        municipality_code=MUNICIPALITY,
        domain_code=domain,
        member_id=member.id if member else None,
        description=words,
        target_date=add_months(day, 9),
        created_by=f"demo-family-{plan.family_id}",
        created_at=_at(day),
        updated_at=_at(day),
    )


async def _add_profile_and_agree(
    session: AsyncSession, profile: PlanSupportProfile, plan: Plan, parent: FamilyMember, agreed: date
) -> None:
    """The plan's support profile, then the plan agreed on that version."""
    await session.flush()
    session.add(profile)
    plan.version += 1
    await _agree(session, plan, parent, agreed)


async def _agree(session: AsyncSession, plan: Plan, parent: FamilyMember, day: date) -> None:
    """Both kinds of signature on the current version, then the snapshot (as the API does)."""
    await session.flush()
    session.add_all(
        [
            PlanSignature(
                plan_id=plan.id,
                version=plan.version,
                signer_kind="professional",
                team_id=DEMO_TEAM,
                subject=PROFESSIONAL,
                signed_at=_at(day),
            ),
            PlanSignature(
                plan_id=plan.id,
                version=plan.version,
                signer_kind="family",
                member_id=parent.id,
                subject=f"demo-family-{parent.id}",
                signed_at=_at(day),
            ),
        ]
    )
    plan.status = "agreed"
    plan.agreed_version = plan.version
    plan.agreed_at = plan.updated_at = _at(day)
    await freeze(session, plan, _at(day))


async def _domain_codes(session: AsyncSession) -> list[str]:
    return list((await session.execute(select(LifeDomain.code).order_by(LifeDomain.position))).scalars())


def _all_scores(codes: list[str], low: set[str], not_relevant: set[str]) -> dict[str, int | None]:
    return {c: None if c in not_relevant else (2 if c in low else 4) for c in codes}


async def _agreed_family(session: AsyncSession, today: date, codes: list[str]) -> None:
    since = today - timedelta(days=120)
    members = await _family(session, AGREED, since)
    parent, child = members["parent"], members["child"]
    assert AGREED.id == DEMO_FAMILY and parent.id == DEMO_PARENT and child.id == DEMO_CHILD  # the dev tokens
    plan = await _plan(
        session, DEMO_PLAN, AGREED, since, "Rust in huis, en Yusuf gaat weer graag naar school."
    )
    plan.version += 1  # the family's vision
    await _assess(
        session, plan, _all_scores(codes, {"school", "parenting"}, {"justice", "substance_use"}), since
    )
    session.add_all(
        [
            _goal(plan, 1, "school", "Yusuf gaat elke dag naar school.", child, since),
            _goal(plan, 2, "parenting", "Minder ruzie bij het naar bed gaan.", None, since),
        ]
    )
    referred = since + timedelta(days=5)
    session.add(GP_REFERRAL.made_on(referred, family_id=AGREED.id, member_id=child.id))
    profile = PlanSupportProfile(
        id=DEMO_SUPPORT_PROFILE,
        plan_id=plan.id,
        member_id=child.id,
        profile_code="P06",
        intensity_code="I2",
        problem_description="Concentratieproblemen, thuis en op school.",
        referral_id=DEMO_REFERRAL,
        created_at=_at(referred),
    )
    await _add_profile_and_agree(session, profile, plan, parent, since + timedelta(days=20))
    session.add(
        Consent(
            id=DEMO_CONSENT,
            family_id=AGREED.id,
            municipality_code=MUNICIPALITY,
            scope="share_plan_with_provider",
            provider_id=DEMO_PROVIDER,
            granted_by_member_id=parent.id,
            granted_at=_at(since + timedelta(days=21)),
        )
    )


async def _draft_family(session: AsyncSession, today: date, codes: list[str]) -> None:
    since = today - timedelta(days=14)
    members = await _family(session, DRAFT, since)
    plan = await _plan(session, DEMO_DRAFT_PLAN, DRAFT, since, None)
    await _assess(session, plan, {c: 3 for c in codes[:5]} | {"parenting": 2}, since)
    session.add(_goal(plan, 1, "parenting", "Samen een vast ritme voor de avond.", None, since))
    session.add(TEAM_REFERRAL.made_on(since, family_id=DRAFT.id, member_id=members["child-1"].id))


async def _fresh_family(session: AsyncSession, today: date) -> None:
    since = today - timedelta(days=2)
    await _family(session, FRESH, since)
    plan = await _plan(session, demo_id("plan", "3"), FRESH, since, "Shanti wil haar diploma halen.")
    plan.version = 2  # created, then the family's vision


async def _revising_family(session: AsyncSession, today: date, codes: list[str]) -> None:
    since = today - timedelta(days=200)
    members = await _family(session, REVISING, since)
    plan = await _plan(session, demo_id("plan", "4"), REVISING, since, "Een fijne start voor Mila.")
    await _assess(
        session, plan, _all_scores(codes, {"parenting"}, {"justice", "school", "work_education"}), since
    )
    session.add(_goal(plan, 1, "parenting", "Joyce voelt zich zeker in de opvoeding.", None, since))
    profile = PlanSupportProfile(
        id=demo_id("plan", "4", "support-profile", "1"),
        plan_id=plan.id,
        member_id=members["child"].id,
        profile_code="P01",
        intensity_code="I1",
        problem_description="Opvoedvragen bij een jonge moeder.",
        created_at=_at(since),
    )
    await _add_profile_and_agree(session, profile, plan, members["parent"], since + timedelta(days=10))
    plan.revision_open = True  # a revision: the next draft version, the agreed one in force
    plan.version += 1
    plan.updated_at = _at(today - timedelta(days=3))


def _intake_referral(today: date) -> Referral:
    referred = today - timedelta(days=4)
    return INTAKE_REFERRAL.made_on(referred, child_bsn="999990044", child_birth_date=_birth_date(today, 8))


async def seed(session: AsyncSession) -> None:
    """Add the demo families (after :mod:`app.demo.reference`)."""
    today = date.today()
    codes = await _domain_codes(session)
    await _agreed_family(session, today, codes)
    await _draft_family(session, today, codes)
    await _fresh_family(session, today)
    await _revising_family(session, today, codes)
    session.add(_intake_referral(today))
    await session.flush()
