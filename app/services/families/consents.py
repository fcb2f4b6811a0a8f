"""Consent to share the family's plan with a named provider (DESIGN §10).

A family member grants consent for itself; a district professional records a consent a parent
or carer (or a young person of 16+) gave it. Withdrawal takes effect at once: every query that
lets a provider see family data checks for an active consent (``family_scope.active_consent``).
"""

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import Principal, Role
from app.errors import Conflict, Forbidden, InvalidInput, InvalidParam
from app.models.base import utcnow
from app.models.families import Family
from app.models.providers import Provider
from app.models.referrals import Consent
from app.pagination import PageRequest
from app.schemas.families import ConsentCreate
from app.services.families.members import may_decide_for_self, member_of
from app.services.families.scope import family_clause, family_page, lock_family
from app.services.platform import audit, clock, events
from app.services.platform.audit import Action
from app.services.platform.rows import one_or_not_found

CONSENT_EVENT = events.EventSpec("/families/{family_id}/consents/{id}", ("family_id", "provider_id", "scope"))


@dataclass
class ConsentView:
    consent: Consent
    active: bool


def is_active(consent: Consent, today: date) -> bool:
    return consent.withdrawn_at is None and (consent.valid_to is None or consent.valid_to >= today)


async def grant(
    session: AsyncSession, principal: Principal, family_id: uuid.UUID, body: ConsentCreate
) -> ConsentView:
    family = await lock_family(session, principal, family_id)
    today = clock.today()
    acting_as_member = principal.has(Role.FAMILY_MEMBER) and principal.family == family.id
    if acting_as_member and body.granted_by_member_id != principal.member:
        raise Forbidden("A family member grants consent only for itself.")
    grantor = await member_of(session, family.id, body.granted_by_member_id)
    problems: list[InvalidParam] = []
    if grantor is None:
        problems.append(InvalidParam("grantedByMemberId", "unknown_member", "No such member in this family."))
    elif not may_decide_for_self(grantor, today):
        if acting_as_member:
            raise Forbidden("Only a parent, a carer or a young person of 16 or older may give consent.")
        problems.append(
            InvalidParam(
                "grantedByMemberId",
                "not_eligible",
                "Consent is given by a parent, a carer or a young person of 16 or older.",
            )
        )
    if await session.get(Provider, body.provider_id) is None:
        problems.append(InvalidParam("providerId", "unknown_provider", "No such provider."))
    if body.valid_to is not None and body.valid_to < today:
        problems.append(InvalidParam("validTo", "in_past", "validTo cannot lie in the past."))
    if problems:
        raise InvalidInput(problems)
    await _refuse_duplicate(session, family.id, body.provider_id, body.scope, today)
    consent = Consent(
        family_id=family.id,
        municipality_code=family.municipality_code,
        scope=body.scope,
        provider_id=body.provider_id,
        granted_by_member_id=body.granted_by_member_id,
        valid_to=body.valid_to,
    )
    await audit.add_created(session, principal, consent, "consent", family_id=family.id)
    CONSENT_EVENT.emit(session, "consent.granted", consent)
    return ConsentView(consent, True)


async def _refuse_duplicate(
    session: AsyncSession, family_id: uuid.UUID, provider_id: uuid.UUID, scope: str, today: date
) -> None:
    current = (
        await session.execute(
            select(Consent).where(
                Consent.family_id == family_id,
                Consent.provider_id == provider_id,
                Consent.scope == scope,
                Consent.withdrawn_at.is_(None),
            )
        )
    ).scalars()
    for consent in current:
        if is_active(consent, today):
            raise Conflict(
                "The family already shares its plan with this provider.",
                code="consent_exists",
                existing=f"/api/v1/families/{family_id}/consents/{consent.id}",
            )


async def withdraw(
    session: AsyncSession, principal: Principal, family_id: uuid.UUID, consent_id: uuid.UUID
) -> None:
    """Withdraw a consent; withdrawing an already withdrawn consent changes nothing."""
    family = await lock_family(session, principal, family_id)
    consent = await one_or_not_found(
        session,
        select(Consent).where(Consent.id == consent_id, Consent.family_id == family.id).with_for_update(),
        "consent",
    )
    audit.record(session, principal, Action.DELETE, "consent", consent.id, family_id=family.id)
    if consent.withdrawn_at is not None:
        return
    consent.withdrawn_at = utcnow()
    CONSENT_EVENT.emit(session, "consent.withdrawn", consent)


async def list_consents(
    session: AsyncSession, principal: Principal, family_id: uuid.UUID, page: PageRequest
) -> tuple[list[ConsentView], str | None]:
    items, cursor = await family_page(session, principal, Consent, family_id, page, Consent.granted_at)
    audit.record(session, principal, Action.READ, "consent", None, family_id=family_id)
    today = clock.today()
    return [ConsentView(c, is_active(c, today)) for c in items], cursor


async def get_consent(
    session: AsyncSession, principal: Principal, family_id: uuid.UUID, consent_id: uuid.UUID
) -> ConsentView:
    consent = await one_or_not_found(
        session,
        select(Consent)
        .join(Family, Family.id == Consent.family_id)
        .where(Consent.id == consent_id, Consent.family_id == family_id, family_clause(principal)),
        "consent",
    )
    audit.record(session, principal, Action.READ, "consent", consent.id, family_id=family_id)
    return ConsentView(consent, is_active(consent, clock.today()))
