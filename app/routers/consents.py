"""HTTP routes: the family's consents to share its plan with a provider."""

import uuid

from fastapi import APIRouter, Response

from app.auth import FamilyOrTeam, FamilyTeamOrBus, Role
from app.db import SessionDep
from app.models.base import Page
from app.pagination import PageParams
from app.routers.shapes import located, page_of
from app.schemas.families import ConsentCreate, ConsentPublic
from app.schemas.integration_views import ConsentBusView
from app.services.families import consents as service
from app.services.integration import views as bus

router = APIRouter(tags=["consents"])


def _public(view: service.ConsentView) -> ConsentPublic:
    return ConsentPublic.model_validate({**view.consent.model_dump(), "active": view.active})


@router.post(
    "/families/{family_id}/consents",
    status_code=201,
    summary="Grant consent to share the family's plan with a provider",
)
async def grant_consent(
    family_id: uuid.UUID,
    body: ConsentCreate,
    session: SessionDep,
    principal: FamilyOrTeam,
    response: Response,
) -> ConsentPublic:
    view = await service.grant(session, principal, family_id, body)
    return located(response, _public(view), "families", family_id, "consents", view.consent.id)


@router.get(
    "/families/{family_id}/consents",
    summary="The family's consents, newest first (withdrawn ones included)",
)
async def list_consents(
    family_id: uuid.UUID, session: SessionDep, principal: FamilyOrTeam, page: PageParams
) -> Page[ConsentPublic]:
    return page_of(ConsentPublic, await service.list_consents(session, principal, family_id, page), _public)


@router.get(
    "/families/{family_id}/consents/{consent_id}",
    summary="Get a consent",
)
async def get_consent(
    family_id: uuid.UUID, consent_id: uuid.UUID, session: SessionDep, principal: FamilyTeamOrBus
) -> ConsentPublic | ConsentBusView:
    if bus.reads_as_bus(principal, Role.FAMILY_MEMBER, Role.DISTRICT_PROFESSIONAL):
        return ConsentBusView.model_validate(await bus.consent(session, principal, family_id, consent_id))
    return _public(await service.get_consent(session, principal, family_id, consent_id))


@router.delete(
    "/families/{family_id}/consents/{consent_id}",
    status_code=204,
    summary="Withdraw a consent; the provider loses access at once",
)
async def withdraw_consent(
    family_id: uuid.UUID, consent_id: uuid.UUID, session: SessionDep, principal: FamilyOrTeam
) -> Response:
    await service.withdraw(session, principal, family_id, consent_id)
    return Response(status_code=204)
