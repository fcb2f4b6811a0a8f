"""The team's side of allocation requests (JW315): its task list and its JW319 answers.

A request linked to a family belongs to that family's team; an unlinked one (an intake task) to
every district team of the municipality. An engagement accepted for the same child, provider
and product answers a request with the allocation itself (JW301 naming the provider's reference).
"""

import uuid

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import Principal, Role
from app.errors import Conflict, Forbidden, InvalidInput, InvalidParam
from app.models.base import utcnow
from app.models.engagements import Engagement
from app.models.families import Family
from app.models.ijw import AllocationRequest
from app.models.providers import Provider
from app.schemas.ijw import AllocationRequestAnswer
from app.services.ijw import jw319
from app.services.ijw.requests import OPEN, send_answer
from app.services.platform import audit
from app.services.platform.audit import Action
from app.services.platform.clock import today
from app.services.platform.rows import one_or_not_found


def _scope(principal: Principal) -> object:
    if not principal.has(Role.DISTRICT_PROFESSIONAL):
        raise Forbidden("Only district teams answer requests for an allocation.")
    own_families = select(Family.id).where(Family.team_id == principal.team)
    return (AllocationRequest.municipality_code == principal.municipality) & or_(
        AllocationRequest.family_id.is_(None), AllocationRequest.family_id.in_(own_families)
    )


async def list_requests(
    session: AsyncSession, principal: Principal, status: str | None
) -> list[AllocationRequest]:
    query = select(AllocationRequest).where(_scope(principal))
    if status is not None:
        query = query.where(AllocationRequest.status == status)
    rows = list(
        (await session.scalars(query.order_by(AllocationRequest.answer_due, AllocationRequest.id))).all()
    )
    audit.record(session, principal, Action.SEARCH, "ijw_allocation_request")
    return rows


async def answer_request(
    session: AsyncSession, principal: Principal, request_id: uuid.UUID, body: AllocationRequestAnswer
) -> AllocationRequest:
    request = await one_or_not_found(
        session,
        select(AllocationRequest)
        .where(AllocationRequest.id == request_id, _scope(principal))
        .with_for_update(),
        "allocation request",
    )
    if request.status not in OPEN:
        raise Conflict(
            f"The request is '{request.status}'.", code="request_answered", currentStatus=request.status
        )
    reason = body.refusal_reason.value if body.refusal_reason else None
    problems = []
    if body.answer == "refused" and reason is None:
        problems.append(InvalidParam("refusalReason", "required", "A refusal names its reason (WJ759)."))
    if body.answer == "investigating" and reason is not None:
        problems.append(InvalidParam("refusalReason", "not_allowed", "Only a refusal has a reason."))
    if reason == jw319.RESIDENCE_PRINCIPLE and body.responsible_municipality is None:
        problems.append(
            InvalidParam(
                "responsibleMunicipality", "required", "The residence principle names the municipality."
            )
        )
    if problems:
        raise InvalidInput(problems)
    agb = await session.scalar(select(Provider.agb_code).where(Provider.id == request.provider_id))
    verdict = jw319.REFUSED if body.answer == "refused" else jw319.INVESTIGATING
    await send_answer(session, request, str(agb), verdict, reason, body.responsible_municipality, today())
    await session.flush()
    audit.record(
        session, principal, Action.UPDATE, "ijw_allocation_request", request.id, family_id=request.family_id
    )
    return request


async def answered_reference(
    session: AsyncSession, engagement: Engagement, category: str, code: str
) -> str | None:
    """The provider's reference of the request this engagement's allocation answers, if any.

    Issuing the allocation (on acceptance) answers the oldest open request for the same child,
    provider and product; later versions of the allocation name the request they answered.
    """
    issuing = engagement.status == "accepted"
    request = (
        await session.execute(
            select(AllocationRequest)
            .where(
                AllocationRequest.member_id == engagement.member_id,
                AllocationRequest.provider_id == engagement.provider_id,
                AllocationRequest.product_category == category,
                AllocationRequest.product_code == code,
                AllocationRequest.status.in_(OPEN if issuing else ("allocated",)),
            )
            .order_by(AllocationRequest.created_at)
            .limit(1)
            .with_for_update()
        )
    ).scalar_one_or_none()
    if request is None:
        return None
    request.status = "allocated"
    if issuing:
        request.answered_at = utcnow()
    return request.provider_reference
