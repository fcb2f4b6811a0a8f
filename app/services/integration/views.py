"""What the integration bus reads when it follows an event's ``dataref``: the resource without
personal data — ids, codes, states, amounts and process dates; never a name, BSN, birth date or
free text. Confined to the caller's municipality in the query; reads of family-linked resources
are audited like any other. (Engagements, treatment plans and handoffs have their restricted view
in their own domain already.)
"""

import uuid
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import Principal, Role
from app.errors import NotFound
from app.models.families import Family
from app.models.money import PaymentBatch, PaymentLine
from app.models.plans import Plan
from app.models.referrals import Consent, Referral
from app.services.platform import audit
from app.services.platform.audit import Action


def reads_as_bus(principal: Principal, *usual: Role) -> bool:
    """The caller reads as the integration bus: it holds that role and none of the usual ones."""
    return principal.has(Role.INTEGRATION) and not principal.has(*usual)


async def _one(session: AsyncSession, query: Select[Any], what: str) -> dict[str, Any]:
    row = (await session.execute(query)).mappings().first()
    if row is None:
        raise NotFound(f"The {what} does not exist or is not visible to you.")
    return dict(row)


async def family(session: AsyncSession, principal: Principal, family_id: uuid.UUID) -> dict[str, Any]:
    row = await _one(
        session,
        select(
            Family.id,
            Family.status,
            Family.district_code,
            Family.team_id,
            Family.created_at,
            Family.care_ended_at,
        ).where(Family.id == family_id, Family.municipality_code == principal.municipality),
        "family",
    )
    audit.record(session, principal, Action.READ, "family", family_id, family_id=family_id)
    return row


async def plan(session: AsyncSession, principal: Principal, plan_id: uuid.UUID) -> dict[str, Any]:
    row = await _one(
        session,
        select(
            Plan.id, Plan.family_id, Plan.status, Plan.version, Plan.agreed_version, Plan.created_at,
            Plan.agreed_at, Plan.activated_at, Plan.evaluating_at, Plan.evaluated_at, Plan.closed_at,
            Plan.withdrawn_at,
        ).where(Plan.id == plan_id, Plan.municipality_code == principal.municipality),
        "plan",
    )  # fmt: skip
    audit.record(session, principal, Action.READ, "plan", plan_id, family_id=row["family_id"])
    return row


async def referral(session: AsyncSession, principal: Principal, referral_id: uuid.UUID) -> dict[str, Any]:
    row = await _one(
        session,
        select(
            Referral.id, Referral.status, Referral.family_id, Referral.member_id, Referral.team_id,
            Referral.district_code, Referral.referrer_type, Referral.profile_code, Referral.intensity_code,
            Referral.valid_from, Referral.valid_to, Referral.created_at,
        ).where(Referral.id == referral_id, Referral.municipality_code == principal.municipality),
        "referral",
    )  # fmt: skip
    audit.record(session, principal, Action.READ, "referral", referral_id, family_id=row["family_id"])
    return row


async def consent(
    session: AsyncSession, principal: Principal, family_id: uuid.UUID, consent_id: uuid.UUID
) -> dict[str, Any]:
    row = await _one(
        session,
        select(
            Consent.id, Consent.family_id, Consent.scope, Consent.provider_id, Consent.granted_by_member_id,
            Consent.valid_to, Consent.granted_at, Consent.withdrawn_at,
        ).where(
            Consent.id == consent_id, Consent.family_id == family_id,
            Consent.municipality_code == principal.municipality,
        ),
        "consent",
    )  # fmt: skip
    audit.record(session, principal, Action.READ, "consent", consent_id, family_id=family_id)
    return row


async def payment(session: AsyncSession, principal: Principal, line_id: uuid.UUID) -> dict[str, Any]:
    return await _one(
        session,
        select(
            PaymentLine.id, PaymentLine.engagement_id, PaymentLine.provider_id, PaymentLine.contract_id,
            PaymentLine.district_code, PaymentLine.kind, PaymentLine.amount_cents, PaymentLine.due_date,
            PaymentLine.period, PaymentLine.status, PaymentLine.batch_id, PaymentLine.corrects_line_id,
            PaymentLine.created_at, PaymentLine.approved_at,
        ).where(PaymentLine.id == line_id, PaymentLine.municipality_code == principal.municipality),
        "payment line",
    )  # fmt: skip


async def batch(session: AsyncSession, principal: Principal, batch_id: uuid.UUID) -> dict[str, Any]:
    return await _one(
        session,
        select(
            PaymentBatch.id, PaymentBatch.period, PaymentBatch.line_count, PaymentBatch.total_cents,
            PaymentBatch.created_at,
        ).where(PaymentBatch.id == batch_id, PaymentBatch.municipality_code == principal.municipality),
        "payment batch",
    )  # fmt: skip
