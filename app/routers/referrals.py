"""HTTP routes: referrals (verwijzingen)."""

import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from app.auth import Principal, Role, require_roles
from app.db import SessionDep
from app.models.base import Page
from app.pagination import ListQuery
from app.routers.filters import ByFamily
from app.routers.shapes import located, page_of
from app.schemas.integration_views import ReferralBusView
from app.schemas.referrals import ReferralCreate, ReferralPublic, ReferralStatus
from app.services.integration import views as bus
from app.services.referrals import service

router = APIRouter(tags=["referrals"])

Referrer = Annotated[Principal, require_roles(Role.DISTRICT_PROFESSIONAL, Role.GP)]
ReferralReader = Annotated[Principal, require_roles(Role.DISTRICT_PROFESSIONAL, Role.GP, Role.FAMILY_MEMBER)]
OneReferralReader = Annotated[
    Principal, require_roles(Role.DISTRICT_PROFESSIONAL, Role.GP, Role.FAMILY_MEMBER, Role.INTEGRATION)
]


@dataclass
class ReferralQuery(ListQuery):
    """The referral list's page and filters."""

    status: Annotated[ReferralStatus | None, Query()] = None
    family_id: ByFamily = None


def _public(view: service.ReferralView) -> ReferralPublic:
    return ReferralPublic.model_validate(view.as_dict())


@router.post(
    "/referrals",
    status_code=201,
    summary="Refer a child (by member id, or a GP by BSN + birth date); 409 duplicate_referral",
)
async def create_referral(
    body: ReferralCreate, session: SessionDep, principal: Referrer, response: Response
) -> ReferralPublic:
    view = await service.create_referral(session, principal, body)
    return located(response, _public(view), "referrals", view.referral.id)


@router.get("/referrals", summary="The referrals the caller may see (a GP: its own), newest first")
async def list_referrals(
    session: SessionDep, principal: ReferralReader, query: Annotated[ReferralQuery, Depends()]
) -> Page[ReferralPublic]:
    return page_of(
        ReferralPublic,
        await query.ask(service.list_referrals, session, principal, service.ReferralFilter),
        _public,
    )


@router.get(
    "/referrals/{referral_id}",
    summary="Get a referral",
)
async def get_referral(
    referral_id: uuid.UUID, session: SessionDep, principal: OneReferralReader
) -> ReferralPublic | ReferralBusView:
    if bus.reads_as_bus(principal, Role.DISTRICT_PROFESSIONAL, Role.GP, Role.FAMILY_MEMBER):
        return ReferralBusView.model_validate(await bus.referral(session, principal, referral_id))
    return _public(await service.get_referral(session, principal, referral_id))
