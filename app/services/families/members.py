"""Rules about family members: birth dates and ages, BSNs, who may sign or consent.

Children are younger than 18, or younger than 23 with extended care (verlengde jeugdhulp).
A BSN must pass the 11-proef and belong to at most one active family in the municipality.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import Conflict, InvalidParam
from app.models.families import FamilyMember
from app.services.families.bsn import bsn_problem

ADULT_AGE = 18
EXTENDED_CARE_AGE = 23
SELF_DECIDING_AGE = 16  # a young person of 16+ signs the plan and consents for itself


def age_on(birth_date: date, day: date) -> int:
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - int(before_birthday)


@dataclass(frozen=True)
class MemberFacts:
    """The rule-relevant values of a member as they would be stored."""

    role: str
    birth_date: date
    bsn: str | None
    extended_care: bool


def member_problems(prefix: str, facts: MemberFacts, today: date) -> list[InvalidParam]:
    """Every rule ``facts`` breaks, named ``<prefix>.<field>`` (``prefix`` may be empty)."""
    name = (lambda field: f"{prefix}.{field}") if prefix else (lambda field: field)
    problems: list[InvalidParam] = []
    if facts.bsn is not None and (problem := bsn_problem(facts.bsn)):
        problems.append(InvalidParam(name("bsn"), problem[0], problem[1]))
    if facts.birth_date > today:
        problems.append(
            InvalidParam(name("birthDate"), "in_future", "A birth date cannot lie in the future.")
        )
    elif facts.role == "child":
        age = age_on(facts.birth_date, today)
        limit = EXTENDED_CARE_AGE if facts.extended_care else ADULT_AGE
        if age >= limit:
            reason = (
                "A child with extended care is younger than 23."
                if facts.extended_care
                else "A child is younger than 18 (up to 23 with extendedCare)."
            )
            problems.append(InvalidParam(name("birthDate"), "too_old_for_child", reason))
    if facts.extended_care and facts.role != "child":
        problems.append(
            InvalidParam(name("extendedCare"), "not_a_child", "Extended care applies to children only.")
        )
    return problems


def duplicate_bsn_problems(prefix: str, bsns: list[str | None]) -> list[InvalidParam]:
    """The same BSN twice in one request."""
    seen: set[str] = set()
    problems = []
    for i, bsn in enumerate(bsns):
        if bsn is None:
            continue
        if bsn in seen:
            problems.append(
                InvalidParam(f"{prefix}.{i}.bsn", "duplicate_bsn", "The same BSN is given for two members.")
            )
        seen.add(bsn)
    return problems


async def ensure_bsns_free(
    session: AsyncSession,
    municipality: str,
    bsns: Iterable[str | None],
    *,
    except_member: uuid.UUID | None = None,
) -> None:
    """409 ``duplicate_bsn`` (with a link to the family) when an active family already has a BSN."""
    wanted = [b for b in bsns if b is not None]
    if not wanted:
        return
    query = select(FamilyMember.family_id).where(
        FamilyMember.municipality_code == municipality,
        FamilyMember.bsn.in_(wanted),
        FamilyMember.active.is_(True),
    )
    if except_member is not None:
        query = query.where(FamilyMember.id != except_member)
    existing = (await session.execute(query.limit(1))).scalar_one_or_none()
    if existing is not None:
        raise duplicate_bsn_conflict(existing)


def duplicate_bsn_conflict(family_id: uuid.UUID | None) -> Conflict:
    return Conflict(
        "An active family in this municipality already has a member with this BSN.",
        code="duplicate_bsn",
        existing=f"/api/v1/families/{family_id}" if family_id else None,
    )


def may_decide_for_self(member: FamilyMember, today: date) -> bool:
    """Parents and carers, and a young person aged 16+, may sign the plan and give consent."""
    if not member.active:
        return False
    if member.role in ("parent", "carer"):
        return True
    return member.role == "child" and age_on(member.birth_date, today) >= SELF_DECIDING_AGE


async def member_of(
    session: AsyncSession, family_id: uuid.UUID, member_id: uuid.UUID | None, *, active_only: bool = False
) -> FamilyMember | None:
    """The member with this id in this family (None for another family's member or an unknown id)."""
    query = select(FamilyMember).where(FamilyMember.id == member_id, FamilyMember.family_id == family_id)
    if active_only:
        query = query.where(FamilyMember.active.is_(True))
    return (await session.execute(query)).scalar_one_or_none()
