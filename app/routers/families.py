"""HTTP routes: families, their members, and the family's own audit trail."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from app.auth import FamilyOrTeam, FamilyTeamOrBus, Professional, Role
from app.db import SessionDep
from app.models.base import Page
from app.pagination import PageParams
from app.routers.shapes import located, page_of
from app.schemas.families import (
    FamilyAuditEventPublic,
    FamilyCreate,
    FamilyPublic,
    MemberCreate,
    MemberPublic,
    MemberUpdate,
)
from app.schemas.integration_views import FamilyBusView
from app.services.families import service
from app.services.families.audit_trail import list_family_audit
from app.services.integration import views as bus

router = APIRouter(tags=["families"])


def _public(view: service.FamilyView) -> FamilyPublic:
    return FamilyPublic.model_validate(
        {**view.family.model_dump(), "members": [MemberPublic.model_validate(m) for m in view.members]}
    )


@router.post(
    "/families",
    status_code=201,
    summary="Register a family with its members (for the caller's team)",
)
async def create_family(
    body: FamilyCreate, session: SessionDep, principal: Professional, response: Response
) -> FamilyPublic:
    view = await service.create_family(session, principal, body)
    return located(response, _public(view), "families", view.family.id)


@router.get("/families", summary="The caller's families, newest first; `q` searches member names")
async def list_families(
    session: SessionDep,
    principal: FamilyOrTeam,
    page: PageParams,
    q: Annotated[
        str | None, Query(min_length=2, max_length=100, pattern=r"^[^\x00]*$", description="Part of a name.")
    ] = None,
) -> Page[FamilyPublic]:
    return page_of(FamilyPublic, await service.list_families(session, principal, q, page), _public)


@router.get(
    "/families/{family_id}",
    summary="Get a family (the integration bus: ids, codes and states only)",
)
async def get_family(
    family_id: uuid.UUID, session: SessionDep, principal: FamilyTeamOrBus
) -> FamilyPublic | FamilyBusView:
    if bus.reads_as_bus(principal, Role.FAMILY_MEMBER, Role.DISTRICT_PROFESSIONAL):
        return FamilyBusView.model_validate(await bus.family(session, principal, family_id))
    return _public(await service.get_family(session, principal, family_id))


@router.post("/families/{family_id}/members", status_code=201, summary="Add a member to a family")
async def add_member(
    family_id: uuid.UUID, body: MemberCreate, session: SessionDep, principal: Professional, response: Response
) -> MemberPublic:
    member = await service.add_member(session, principal, family_id, body)
    return located(response, MemberPublic.model_validate(member), "families", family_id)


@router.patch("/families/{family_id}/members/{member_id}", summary="Change a member's details")
async def update_member(
    family_id: uuid.UUID,
    member_id: uuid.UUID,
    body: MemberUpdate,
    session: SessionDep,
    principal: Professional,
) -> MemberPublic:
    return MemberPublic.model_validate(
        await service.update_member(session, principal, family_id, member_id, body)
    )


@router.get(
    "/families/{family_id}/audit-events",
    summary="Who accessed the family's data: the family's own audit trail, newest first",
)
async def family_audit_events(
    family_id: uuid.UUID, session: SessionDep, principal: FamilyOrTeam, page: PageParams
) -> Page[FamilyAuditEventPublic]:
    return page_of(FamilyAuditEventPublic, await list_family_audit(session, principal, family_id, page))
