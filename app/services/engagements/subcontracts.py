"""Subcontracts (onderaannemerschap): part of an engagement's work done by another provider.

The subcontractor may be contracted or not (AGB code + name). When its AGB code belongs to a
provider known here, the subcontract is linked to it, so that provider's staff see the
engagement's goals and activities (and nothing else of the family).
"""

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import Principal
from app.errors import InvalidInput, InvalidParam
from app.models.engagements import Engagement, Subcontract
from app.models.providers import Provider
from app.schemas.engagements import SubcontractCreate
from app.services.engagements.scope import (
    Access,
    load_engagement,
    load_for_main_contractor,
    require_case_view,
    require_status,
)
from app.services.platform import audit
from app.services.platform.audit import Action


async def _subcontractor(
    session: AsyncSession, engagement: Engagement, body: SubcontractCreate
) -> tuple[uuid.UUID | None, list[InvalidParam]]:
    """The linked provider id (by id or AGB code) and the problems found."""
    problems: list[InvalidParam] = []
    if body.provider_id is not None:
        agb = await session.scalar(select(Provider.agb_code).where(Provider.id == body.provider_id))
        if agb is None:
            problems.append(InvalidParam("providerId", "unknown_provider", "No provider with this id."))
        elif agb != body.agb_code:
            problems.append(InvalidParam("agbCode", "agb_mismatch", "The AGB code is not the provider's."))
        provider_id = body.provider_id
    else:
        provider_id = await session.scalar(select(Provider.id).where(Provider.agb_code == body.agb_code))
    if provider_id is not None and provider_id == engagement.provider_id:
        problems.append(InvalidParam("agbCode", "own_organisation", "A provider cannot subcontract itself."))
    return provider_id, problems


async def add_subcontract(
    session: AsyncSession, principal: Principal, engagement_id: uuid.UUID, body: SubcontractCreate
) -> Subcontract:
    engagement = await load_for_main_contractor(session, principal, engagement_id)
    require_status(engagement, ("accepted", "started"), "subcontracted", transition=False)
    provider_id, problems = await _subcontractor(session, engagement, body)
    if body.end_date is not None and body.end_date < body.start_date:
        problems.append(InvalidParam("endDate", "before_start", "The end date lies before the start date."))
    if problems:
        raise InvalidInput(problems)
    subcontract = Subcontract(
        engagement_id=engagement.id,
        municipality_code=engagement.municipality_code,
        provider_id=provider_id,
        agb_code=body.agb_code,
        name=body.name,
        scope=body.scope,
        start_date=body.start_date,
        end_date=body.end_date,
    )
    await audit.add_created(session, principal, subcontract, "subcontract", family_id=engagement.family_id)
    return subcontract


async def list_subcontracts(
    session: AsyncSession, principal: Principal, engagement_id: uuid.UUID
) -> list[Subcontract]:
    """All subcontracts for the full view; a subcontractor sees only its own."""
    scoped = await load_engagement(session, principal, engagement_id)
    query = select(Subcontract).where(Subcontract.engagement_id == engagement_id)
    if scoped.access is Access.SUBCONTRACTOR:
        query = query.where(Subcontract.provider_id == principal.provider)
    else:
        require_case_view(scoped, principal, "subcontracts")
    rows = list((await session.scalars(query.order_by(Subcontract.created_at, Subcontract.id))).all())
    audit.record(
        session, principal, Action.READ, "subcontract", engagement_id, family_id=scoped.engagement.family_id
    )
    return rows
