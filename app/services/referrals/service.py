"""Referrals (verwijzingen): create, read, and their use by a plan's support profile.

Referrer types follow iJw COD327. A GP refers by BSN + birth date (see
:mod:`referral_matching`); a district team by the child's member id, or likewise by BSN.
Segment A needs no referral; B and C rest on a valid one (409 ``referral_required``). A
second referral for the same child and profile while one is open or in use is 409
``duplicate_referral`` with a link to the existing one. Referrals per child are serialised with
a transaction-scoped advisory lock, so two concurrent identical referrals cannot both pass.
"""

import calendar
import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import Principal, Role
from app.errors import Conflict, Forbidden, InvalidInput, InvalidParam
from app.models.catalogue import ProfileIntensity, SupportProfile
from app.models.families import Family, FamilyMember
from app.models.geography import District
from app.models.plans import Plan
from app.models.referrals import Referral
from app.pagination import PageRequest
from app.schemas.referrals import ReferralCreate
from app.services.families.bsn import bsn_problem
from app.services.families.intake import find_child, intake_team
from app.services.families.members import EXTENDED_CARE_AGE, age_on
from app.services.families.scope import family_clause, referral_clause
from app.services.platform import audit, clock, events, paging
from app.services.platform.audit import Action
from app.services.platform.rows import one_or_not_found, where_given

AGB_REQUIRED = ("02", "03", "05")  # GP, youth doctor, medical specialist
VALIDITY_MONTHS = 12
REFERRAL_EVENT = events.EventSpec(
    "/referrals/{id}", ("status", "referrer_type", "profile_code", "intensity_code", "family_id", "team_id")
)


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def effective_status(referral: Referral, today: date) -> str:
    """``expired`` once an open or intake referral's validity has passed."""
    if referral.status in ("open", "intake") and referral.valid_to < today:
        return "expired"
    return referral.status


@dataclass
class ReferralView:
    referral: Referral
    status: str

    def as_dict(self) -> dict[str, object]:
        return {
            **self.referral.model_dump(),
            "status": self.status,
            "matched": self.referral.member_id is not None,
        }


@dataclass
class _Child:
    """Who the referral is for: a registered child, or (intake) a BSN + birth date."""

    member: FamilyMember | None
    family: Family | None
    bsn: str | None
    birth_date: date | None


async def _check(
    session: AsyncSession, principal: Principal, body: ReferralCreate, today: date
) -> list[InvalidParam]:
    problems: list[InvalidParam] = []
    by_member = body.child_member_id is not None
    by_bsn = body.bsn is not None or body.birth_date is not None
    if by_member and by_bsn:
        problems.append(
            InvalidParam(
                "childMemberId", "ambiguous_child", "Give childMemberId or bsn + birthDate, not both."
            )
        )
    elif not by_member and not by_bsn:
        problems.append(InvalidParam("childMemberId", "required", "Give childMemberId or bsn + birthDate."))
    if by_member and principal.has(Role.GP) and not principal.has(Role.DISTRICT_PROFESSIONAL):
        problems.append(InvalidParam("childMemberId", "not_allowed", "A GP refers by bsn + birthDate."))
    if by_bsn and not by_member:
        if body.bsn is None:
            problems.append(InvalidParam("bsn", "required", "A referral by birth date also needs the BSN."))
        elif problem := bsn_problem(body.bsn):
            problems.append(InvalidParam("bsn", *problem))
        if body.birth_date is None:
            problems.append(
                InvalidParam("birthDate", "required", "A referral by BSN also needs the birth date.")
            )
        elif body.birth_date > today:
            problems.append(InvalidParam("birthDate", "in_future", "A birth date cannot lie in the future."))
        elif age_on(body.birth_date, today) >= EXTENDED_CARE_AGE:
            problems.append(
                InvalidParam("birthDate", "too_old_for_child", "Youth care is for people under 23.")
            )
    if body.referrer_type in AGB_REQUIRED and body.referrer_agb is None and not principal.has(Role.GP):
        problems.append(
            InvalidParam("referrerAgb", "required", "This referrer type needs the referrer's AGB code.")
        )
    if await session.get(SupportProfile, body.profile_code) is None:
        problems.append(InvalidParam("profileCode", "unknown_profile", "No such support profile."))
    elif await session.get(ProfileIntensity, (body.profile_code, body.intensity_code)) is None:
        problems.append(
            InvalidParam("intensityCode", "unknown_intensity", "No such intensity for this profile.")
        )
    if body.valid_to is not None and body.valid_to < today:
        problems.append(InvalidParam("validTo", "in_past", "validTo cannot lie in the past."))
    if body.district_code is not None:
        district = await session.get(District, body.district_code)
        if district is None or district.municipality_code != principal.municipality:
            problems.append(
                InvalidParam("districtCode", "unknown_district", "No such district in your municipality.")
            )
    return problems


def _referrer_agb(principal: Principal, body: ReferralCreate) -> str | None:
    """A GP refers as itself: type 02 under its own AGB code."""
    if principal.has(Role.GP) and not principal.has(Role.DISTRICT_PROFESSIONAL):
        if body.referrer_type != "02" or (body.referrer_agb not in (None, principal.agb)):
            raise Forbidden("A GP refers as a GP (type 02) under its own AGB code.")
        return principal.agb
    return body.referrer_agb


async def _child(session: AsyncSession, principal: Principal, body: ReferralCreate) -> _Child:
    if body.child_member_id is not None:
        row = (
            await session.execute(
                select(FamilyMember, Family)
                .join(Family, Family.id == FamilyMember.family_id)
                .where(
                    FamilyMember.id == body.child_member_id,
                    FamilyMember.active.is_(True),
                    family_clause(principal),
                )
            )
        ).first()
        if row is None:
            raise InvalidInput(
                [InvalidParam("childMemberId", "unknown_member", "No such child in your families.")]
            )
        if row[0].role != "child":
            raise InvalidInput([InvalidParam("childMemberId", "not_a_child", "Referrals are for children.")])
        return _Child(row[0], row[1], None, None)
    assert body.bsn is not None and body.birth_date is not None
    match = await find_child(session, principal.municipality, body.bsn, body.birth_date)
    if match is not None:
        return _Child(match[0], match[1], None, None)
    return _Child(None, None, body.bsn, body.birth_date)


async def _refuse_duplicate(
    session: AsyncSession, municipality: str, child: _Child, profile: str, today: date
) -> None:
    lock_key = f"referral:{municipality}:{child.member.id if child.member else child.bsn}"
    await session.execute(select(func.pg_advisory_xact_lock(func.hashtext(lock_key))))
    query = select(Referral.id).where(
        Referral.municipality_code == municipality,
        Referral.profile_code == profile,
        or_(Referral.status == "in_use", Referral.valid_to >= today),
    )
    if child.member is not None:
        query = query.where(Referral.member_id == child.member.id, Referral.status.in_(("open", "in_use")))
    else:
        query = query.where(Referral.child_bsn == child.bsn, Referral.status == "intake")
    existing = (await session.execute(query.limit(1))).scalar_one_or_none()
    if existing is not None:
        raise Conflict(
            "This child already has an open or used referral for this profile.",
            code="duplicate_referral",
            existing=f"/api/v1/referrals/{existing}",
        )


async def create_referral(session: AsyncSession, principal: Principal, body: ReferralCreate) -> ReferralView:
    today = clock.today()
    agb = _referrer_agb(principal, body)
    problems = await _check(session, principal, body, today)
    if problems:
        raise InvalidInput(problems)
    child = await _child(session, principal, body)
    team_id = (
        child.family.team_id
        if child.family
        else await intake_team(session, principal.municipality, body.district_code)
    )
    if team_id is None:
        raise InvalidInput(
            [
                InvalidParam(
                    "districtCode",
                    "required",
                    "Name the child's district: the municipality has no intake team.",
                )
            ]
        )
    await _refuse_duplicate(session, principal.municipality, child, body.profile_code, today)
    referral = Referral(
        municipality_code=principal.municipality,
        family_id=child.family.id if child.family else None,
        member_id=child.member.id if child.member else None,
        child_bsn=child.bsn,
        child_birth_date=child.birth_date,
        district_code=body.district_code or (child.family.district_code if child.family else None),
        team_id=team_id,
        referrer_type=body.referrer_type,
        referrer_agb=agb,
        referrer_subject=principal.sub,
        profile_code=body.profile_code,
        intensity_code=body.intensity_code,
        reason=body.reason,
        valid_from=today,
        valid_to=body.valid_to or add_months(today, VALIDITY_MONTHS),
        status="open" if child.member else "intake",
    )
    await audit.add_created(session, principal, referral, "referral", family_id=referral.family_id)
    REFERRAL_EVENT.emit(session, "referral.created", referral)
    return ReferralView(referral, referral.status)


async def get_referral(session: AsyncSession, principal: Principal, referral_id: uuid.UUID) -> ReferralView:
    referral = await one_or_not_found(
        session, select(Referral).where(Referral.id == referral_id, referral_clause(principal)), "referral"
    )
    audit.record(session, principal, Action.READ, "referral", referral.id, family_id=referral.family_id)
    return ReferralView(referral, effective_status(referral, clock.today()))


@dataclass(frozen=True)
class ReferralFilter:
    """Narrows the referral list to a status (as the reader sees it: lapsed ones are expired) and family."""

    status: str | None = None
    family_id: uuid.UUID | None = None


async def list_referrals(
    session: AsyncSession, principal: Principal, page: PageRequest, only: ReferralFilter
) -> tuple[list[ReferralView], str | None]:
    """The referrals the caller may see, newest first; filter on stored status and family."""
    query = where_given(
        select(Referral).where(referral_clause(principal)), (Referral.family_id, only.family_id)
    )
    status, today = only.status, clock.today()
    if status == "expired":
        lapsed = Referral.status.in_(("open", "intake")) & (Referral.valid_to < today)
        query = query.where(or_(Referral.status == "expired", lapsed))
    elif status in ("open", "intake"):
        query = query.where(Referral.status == status, Referral.valid_to >= today)
    elif status is not None:
        query = query.where(Referral.status == status)
    items, cursor = await paging.newest_page(session, query, page, Referral.created_at, Referral.id)
    if items:
        audit.record_many(session, principal, Action.READ, "referral", [(r.id, r.family_id) for r in items])
    return [ReferralView(r, effective_status(r, today)) for r in items], cursor


async def claim_referral(
    session: AsyncSession,
    principal: Principal,
    plan: Plan,
    member_id: uuid.UUID,
    profile: SupportProfile,
    intensity_code: str,
    referral_id: uuid.UUID | None,
) -> Referral | None:
    """The referral a support profile rests on, now ``in_use``; None for segment A without one.

    Valid means: for this child, profile and intensity, open (not yet used), within its period.
    """
    if referral_id is None:
        if profile.segment == "A":
            return None
        raise Conflict(
            f"Profile {profile.code} (segment {profile.segment}) needs a valid referral.",
            code="referral_required",
        )
    today = clock.today()
    referral = (
        await session.execute(
            select(Referral)
            .where(
                Referral.id == referral_id,
                Referral.municipality_code == plan.municipality_code,
                Referral.member_id == member_id,
            )
            .with_for_update()
        )
    ).scalar_one_or_none()
    usable = (
        referral is not None
        and referral.status == "open"
        and referral.profile_code == profile.code
        and referral.intensity_code == intensity_code
        and referral.valid_from <= today <= referral.valid_to
    )
    if not usable or referral is None:
        if profile.segment == "A":
            raise InvalidInput(
                [InvalidParam("referralId", "unusable_referral", "The referral is not valid here.")]
            )
        raise Conflict(
            "The referral is not a valid, unused referral for this child, profile and intensity.",
            code="referral_required",
        )
    referral.status = "in_use"
    audit.record(session, principal, Action.UPDATE, "referral", referral.id, family_id=plan.family_id)
    return referral
