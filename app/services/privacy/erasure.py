"""Erasure on request (AVG art. 17, Jeugdwet art. 7.3.9), decided and carried out by an admin.

Who may ask: a parent or carer of the family, for the whole family or one member; a child of 12
or older, for its own data only. It is refused while an engagement of the data in question is
still open (requested, accepted or started) or one of its payments is not yet paid: the care and
the money are not finished, a weighty interest of another. A refusal is kept with its code in
its own transaction (the request's rolls back) and answered 409 with that code; a granted
request anonymises (``anonymise``) and is kept with the change. Both are audited.
"""

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.auth import Principal
from app.errors import Conflict, NotFound
from app.models.base import utcnow
from app.models.families import Family, FamilyMember
from app.models.privacy import ErasureRequest
from app.services.platform import audit, clock
from app.services.platform.audit import Action
from app.services.platform.rows import one_or_not_found
from app.services.privacy.anonymise import anonymise

CHILD_OWN_DATA_AGE = 12
OPEN_ENGAGEMENT_STATES = ("requested", "accepted", "started")
ADULT_REQUESTERS = ("parent", "carer")

REFUSALS = {
    "requester_not_in_family": "The requester is not a member of this family.",
    "requester_not_entitled": "Only a parent or carer, or a child of 12 or older for its own data, may ask.",
    "requester_under_12": "A child may ask for the erasure of its own data from the age of 12.",
    "engagement_running": "An engagement of this data is still open; erasure waits until it has ended.",
    "payment_unsettled": "A payment of this data's engagements is not yet settled.",
}


@dataclass(frozen=True)
class ErasureAsk:
    family_id: uuid.UUID
    member_id: uuid.UUID | None
    requested_by_member_id: uuid.UUID
    reason: str


def _age(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _entitlement(requester: FamilyMember | None, ask: ErasureAsk) -> str | None:
    if requester is None:
        return "requester_not_in_family"
    if requester.role in ADULT_REQUESTERS:
        return None
    if requester.role != "child" or ask.member_id != requester.id:
        return "requester_not_entitled"
    if _age(requester.birth_date, clock.today()) < CHILD_OWN_DATA_AGE:
        return "requester_under_12"
    return None


async def _blocking(session: AsyncSession, ask: ErasureAsk) -> str | None:
    """Why the data cannot go yet: an open engagement, or an unpaid payment line."""
    scope = "family_id = :family_id" + (" AND member_id = :member_id" if ask.member_id else "")
    params = {"family_id": ask.family_id, "member_id": ask.member_id, "open": list(OPEN_ENGAGEMENT_STATES)}
    running = await session.execute(
        text(f"SELECT 1 FROM engagements WHERE {scope} AND status = ANY(:open) LIMIT 1"), params
    )
    if running.first():
        return "engagement_running"
    unpaid = await session.execute(
        text(
            "SELECT 1 FROM payment_lines WHERE status <> 'paid'"
            f" AND engagement_id IN (SELECT id FROM engagements WHERE {scope}) LIMIT 1"
        ),
        params,
    )
    return "payment_unsettled" if unpaid.first() else None


async def _refuse(
    sessionmaker: async_sessionmaker[AsyncSession], principal: Principal, request: ErasureRequest
) -> None:
    async with sessionmaker() as own:
        own.add(request)
        audit.record(
            own, principal, Action.DELETE, "erasure-request", request.id, family_id=request.family_id
        )
        await own.commit()


async def request_erasure(
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    principal: Principal,
    ask: ErasureAsk,
) -> ErasureRequest:
    """Decide the request and carry it out; raises 409 with the refusal's code when refused."""
    family = await one_or_not_found(
        session,
        select(Family).where(Family.id == ask.family_id, Family.municipality_code == principal.municipality),
        "family",
    )
    members = {
        m.id: m
        for m in (
            await session.execute(select(FamilyMember).where(FamilyMember.family_id == family.id))
        ).scalars()
    }
    if ask.member_id is not None and ask.member_id not in members:
        raise NotFound("member")
    refusal = _entitlement(members.get(ask.requested_by_member_id), ask) or await _blocking(session, ask)
    request = ErasureRequest(
        municipality_code=family.municipality_code,
        family_id=family.id,
        member_id=ask.member_id,
        requested_by_member_id=ask.requested_by_member_id,
        reason=ask.reason,
        status="refused" if refusal else "completed",
        refusal_code=refusal,
        decided_by=principal.sub,
        decided_at=utcnow(),
    )
    if refusal:
        await _refuse(sessionmaker, principal, request)
        raise Conflict(
            REFUSALS[refusal], code=refusal, erasure_request=f"/api/v1/erasure-requests/{request.id}"
        )
    await anonymise(session, family.id, ask.member_id)
    session.add(request)
    audit.record(session, principal, Action.DELETE, "family", family.id, family_id=family.id)
    audit.record(session, principal, Action.CREATE, "erasure-request", request.id, family_id=family.id)
    await session.flush()
    return request


async def get_erasure_request(
    session: AsyncSession, principal: Principal, request_id: uuid.UUID
) -> ErasureRequest:
    request = await one_or_not_found(
        session,
        select(ErasureRequest).where(
            ErasureRequest.id == request_id, ErasureRequest.municipality_code == principal.municipality
        ),
        "erasure request",
    )
    audit.record(session, principal, Action.READ, "erasure-request", request.id, family_id=request.family_id)
    return request
