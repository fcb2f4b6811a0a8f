"""Families and their members: create, read, search, add and edit members (team scope)."""

import uuid
from dataclasses import dataclass

from sqlalchemy import ARRAY, ColumnElement, Uuid, any_, cast, exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import Principal
from app.errors import Forbidden, InvalidInput, InvalidParam
from app.models.base import utcnow
from app.models.families import Family, FamilyMember
from app.models.geography import District
from app.pagination import PageRequest
from app.schemas.families import FamilyCreate, MemberCreate, MemberUpdate
from app.services.families.intake import link_intake_referrals
from app.services.families.members import (
    MemberFacts,
    duplicate_bsn_conflict,
    duplicate_bsn_problems,
    ensure_bsns_free,
    member_problems,
)
from app.services.families.scope import family_clause
from app.services.platform import audit, clock, events, paging
from app.services.platform.audit import Action
from app.services.platform.rows import one_or_not_found

BSN_INDEX = "uq_family_members_active_bsn"
FAMILY_EVENT = events.EventSpec("/families/{id}", ("status", "team_id", "district_code"))


@dataclass
class FamilyView:
    family: Family
    members: list[FamilyMember]


def _facts(member: MemberCreate) -> MemberFacts:
    return MemberFacts(member.role, member.birth_date, member.bsn, member.extended_care)


async def create_family(session: AsyncSession, principal: Principal, body: FamilyCreate) -> FamilyView:
    """A family with its members, for the caller's own team."""
    team_id = body.team_id or principal.team
    if team_id is None or team_id != principal.team:
        raise Forbidden("You may create families only for your own team.")
    today = clock.today()
    problems: list[InvalidParam] = []
    district = await session.get(District, body.district_code)
    if district is None or district.municipality_code != principal.municipality:
        problems.append(
            InvalidParam("districtCode", "unknown_district", "No such district in your municipality.")
        )
    for i, member in enumerate(body.members):
        problems += member_problems(f"members.{i}", _facts(member), today)
    problems += duplicate_bsn_problems("members", [m.bsn for m in body.members])
    if problems:
        raise InvalidInput(problems)
    await ensure_bsns_free(session, principal.municipality, [m.bsn for m in body.members])

    family = Family(
        municipality_code=principal.municipality, district_code=body.district_code, team_id=team_id
    )
    session.add(family)
    await session.flush()
    members = [_new_member(family, m) for m in body.members]
    await _flush_members(session, members, principal.municipality)
    await link_intake_referrals(session, principal, family, members)
    audit.record(session, principal, Action.CREATE, "family", family.id, family_id=family.id)
    FAMILY_EVENT.emit(session, "family.created", family)
    return FamilyView(family, members)


def _new_member(family: Family, body: MemberCreate) -> FamilyMember:
    return FamilyMember(
        family_id=family.id,
        municipality_code=family.municipality_code,
        role=body.role,
        given_name=body.given_name,
        family_name=body.family_name,
        birth_date=body.birth_date,
        bsn=body.bsn,
        extended_care=body.extended_care,
    )


async def _flush_members(session: AsyncSession, members: list[FamilyMember], municipality: str) -> None:
    """Insert/update members; a BSN taken by a concurrent request is the same 409 as a pre-checked one."""
    session.add_all(members)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        if BSN_INDEX not in str(exc.orig):
            raise
        await ensure_bsns_free(session, municipality, [m.bsn for m in members])
        raise duplicate_bsn_conflict(None) from exc


async def _members_of(
    session: AsyncSession, family_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[FamilyMember]]:
    by_family: dict[uuid.UUID, list[FamilyMember]] = {fid: [] for fid in family_ids}
    if family_ids:
        rows = await session.execute(
            select(FamilyMember)
            .where(FamilyMember.family_id.in_(family_ids))
            .order_by(FamilyMember.created_at, FamilyMember.id)
        )
        for member in rows.scalars():
            by_family[member.family_id].append(member)
    return by_family


async def _visible_family(
    session: AsyncSession, principal: Principal, family_id: uuid.UUID, *, lock: bool = False
) -> Family:
    query = select(Family).where(Family.id == family_id, family_clause(principal))
    if lock:
        query = query.with_for_update()
    return await one_or_not_found(session, query, "family")


async def get_family(session: AsyncSession, principal: Principal, family_id: uuid.UUID) -> FamilyView:
    family = await _visible_family(session, principal, family_id)
    members = (await _members_of(session, [family.id]))[family.id]
    audit.record(session, principal, Action.READ, "family", family.id, family_id=family.id)
    return FamilyView(family, members)


SEARCH_CAP = 100


async def _name_search(session: AsyncSession, principal: Principal, q: str) -> ColumnElement[bool]:
    """The families with a member whose name contains ``q`` (accents and case ignored).

    First the trigram index finds the municipality's matching members, at most ``SEARCH_CAP``:
    a rare name (or none) is then a short list of family ids. A common name reaches the cap; then
    the team's families are walked newest first and each one's members tested, which finds a
    page after a few hundred families. Either way the work does not grow with the municipality.
    """
    pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    matches = func.person_search_text(FamilyMember.given_name, FamilyMember.family_name).like(
        func.search_text(pattern)
    )
    found = select(FamilyMember.family_id).where(
        FamilyMember.municipality_code == principal.municipality, matches
    )
    members = list((await session.execute(found.limit(SEARCH_CAP))).scalars())
    if len(members) < SEARCH_CAP:  # every match is in the list
        return Family.id == any_(cast(list(set(members)), ARRAY(Uuid)))
    # OFFSET keeps the EXISTS a test per family (PostgreSQL does not turn it into a join)
    return exists(found.where(FamilyMember.family_id == Family.id).offset(0))


async def list_families(
    session: AsyncSession, principal: Principal, q: str | None, page: PageRequest
) -> tuple[list[FamilyView], str | None]:
    """The caller's families, newest first; ``q`` searches member names (audited as search)."""
    query = select(Family).where(family_clause(principal))
    if q:
        query = query.where(await _name_search(session, principal, q))
    families, cursor = await paging.newest_page(session, query, page, Family.created_at, Family.id)
    members = await _members_of(session, [f.id for f in families])
    action = Action.SEARCH if q else Action.READ
    if families:
        audit.record_many(session, principal, action, "family", [(f.id, f.id) for f in families])
    elif q:
        audit.record(session, principal, action, "family")
    return [FamilyView(f, members[f.id]) for f in families], cursor


async def add_member(
    session: AsyncSession, principal: Principal, family_id: uuid.UUID, body: MemberCreate
) -> FamilyMember:
    family = await _visible_family(session, principal, family_id, lock=True)
    problems = member_problems("", _facts(body), clock.today())
    if problems:
        raise InvalidInput(problems)
    await ensure_bsns_free(session, family.municipality_code, [body.bsn])
    member = _new_member(family, body)
    await _flush_members(session, [member], family.municipality_code)
    family.updated_at = utcnow()
    await link_intake_referrals(session, principal, family, [member])
    audit.record(session, principal, Action.CREATE, "family-member", member.id, family_id=family.id)
    return member


async def update_member(
    session: AsyncSession,
    principal: Principal,
    family_id: uuid.UUID,
    member_id: uuid.UUID,
    body: MemberUpdate,
) -> FamilyMember:
    """Change the properties sent; the result must satisfy every member rule."""
    family = await _visible_family(session, principal, family_id, lock=True)
    member = await one_or_not_found(
        session,
        select(FamilyMember)
        .where(FamilyMember.id == member_id, FamilyMember.family_id == family.id)
        .with_for_update(),
        "family member",
    )
    sent = body.model_fields_set
    problems = [
        InvalidParam(field_alias, "required", "This property cannot be emptied.")
        for field, field_alias in (
            ("role", "role"),
            ("given_name", "givenName"),
            ("family_name", "familyName"),
            ("birth_date", "birthDate"),
            ("extended_care", "extendedCare"),
        )
        if field in sent and getattr(body, field) is None
    ]
    changes = {
        field: getattr(body, field) for field in sent if getattr(body, field) is not None or field == "bsn"
    }
    facts = MemberFacts(
        changes.get("role", member.role),
        changes.get("birth_date", member.birth_date),
        changes.get("bsn", member.bsn),
        changes.get("extended_care", member.extended_care),
    )
    problems += member_problems("", facts, clock.today())
    if problems:
        raise InvalidInput(problems)
    new_bsn = "bsn" in changes and changes["bsn"] is not None and changes["bsn"] != member.bsn
    if new_bsn:
        await ensure_bsns_free(session, family.municipality_code, [facts.bsn], except_member=member.id)
    for field, value in changes.items():
        setattr(member, field, value)
    await _flush_members(session, [member], family.municipality_code)
    family.updated_at = utcnow()
    if new_bsn or "role" in changes or "birth_date" in changes:
        await link_intake_referrals(session, principal, family, [member])
    audit.record(session, principal, Action.UPDATE, "family-member", member.id, family_id=family.id)
    return member
