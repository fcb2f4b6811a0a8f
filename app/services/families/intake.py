"""Matching a referred child to a family, and routing unmatched referrals as intake tasks.

A GP refers by BSN + birth date. When an active family of the municipality has a child with
that BSN and birth date, the referral is linked to that child (and the BSN is not kept on the
referral). Otherwise the referral is an intake task for the team of the named district, or for
the municipality's intake team; as soon as the team registers the child (a family created or a
member's BSN recorded) the waiting intake referrals are linked to it.
"""

import uuid
from datetime import date

from sqlalchemy import case, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import Principal
from app.models.families import Family, FamilyMember
from app.models.geography import Team, TeamDistrict
from app.models.referrals import Referral
from app.services.platform import audit, events
from app.services.platform.audit import Action

REFERRAL_LINKED_EVENT = events.EventSpec(
    "/referrals/{id}", ("status", "family_id", "member_id", "profile_code", "intensity_code")
)
"""A waiting referral now names its family and child."""


async def find_child(
    session: AsyncSession, municipality: str, bsn: str, birth_date: date
) -> tuple[FamilyMember, Family] | None:
    """The active child with this BSN and birth date in an active family of the municipality."""
    row = (
        await session.execute(
            select(FamilyMember, Family)
            .join(Family, Family.id == FamilyMember.family_id)
            .where(
                FamilyMember.municipality_code == municipality,
                FamilyMember.bsn == bsn,
                FamilyMember.birth_date == birth_date,
                FamilyMember.role == "child",
                FamilyMember.active.is_(True),
                Family.status == "active",
            )
            .limit(1)
        )
    ).first()
    return (row[0], row[1]) if row else None


async def intake_team(
    session: AsyncSession, municipality: str, district_code: str | None
) -> uuid.UUID | None:
    """The team of ``district_code``, else the municipality's team of kind ``intake``."""
    if district_code is not None:
        district_team = (
            await session.execute(
                select(Team.id)
                .join(TeamDistrict, TeamDistrict.team_id == Team.id)
                .where(TeamDistrict.district_code == district_code, Team.municipality_code == municipality)
                .order_by(case((Team.kind == "intake", 1), else_=0), Team.created_at, Team.id)
                .limit(1)
            )
        ).scalar_one_or_none()
        if district_team is not None:
            return district_team
    return (
        await session.execute(
            select(Team.id)
            .where(Team.municipality_code == municipality, Team.kind == "intake")
            .order_by(Team.created_at, Team.id)
            .limit(1)
        )
    ).scalar_one_or_none()


async def link_intake_referrals(
    session: AsyncSession, principal: Principal, family: Family, members: list[FamilyMember]
) -> int:
    """Link waiting intake referrals to newly registered children; returns how many were linked."""
    children = {m.bsn: m for m in members if m.bsn and m.role == "child" and m.active}
    if not children:
        return 0
    waiting = (
        await session.execute(
            select(Referral)
            .where(
                Referral.municipality_code == family.municipality_code,
                Referral.status == "intake",
                Referral.child_bsn.in_(list(children)),
            )
            .with_for_update()
        )
    ).scalars()
    linked = 0
    for referral in waiting:
        child = children[referral.child_bsn or ""]
        if referral.child_birth_date != child.birth_date:
            continue
        referral.family_id = family.id
        referral.member_id = child.id
        referral.team_id = family.team_id
        referral.status = "open"
        referral.child_bsn = None  # stored only while needed to match
        referral.child_birth_date = None
        audit.record(session, principal, Action.UPDATE, "referral", referral.id, family_id=family.id)
        REFERRAL_LINKED_EVENT.emit(session, "referral.linked", referral)
        linked += 1
    return linked
