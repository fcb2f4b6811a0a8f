"""HTTP routes: tariffs of the purchasing officer's region."""

import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from app.auth import PurchasingOfficer
from app.db import SessionDep
from app.models.base import Page, QueryDate
from app.pagination import ListQuery
from app.routers.filters import ByIntensity, ByProfile, ByProvider
from app.routers.shapes import located, page_of
from app.schemas.reference_providers import TariffCreate, TariffPublic
from app.services.reference import tariffs
from app.services.reference.tariffs import TariffSpec

router = APIRouter(tags=["tariffs"])


@router.post(
    "/tariffs",
    status_code=201,
    summary="Set a tariff in your region",
    description="A period overlapping another tariff of the same product and provider is 409 "
    "`tariff_overlap`, with `existing` naming that tariff. `providerId` is required for segment C "
    "and forbidden for segments A and B.",
)
async def create_tariff(
    body: TariffCreate, session: SessionDep, principal: PurchasingOfficer, response: Response
) -> TariffPublic:
    spec = TariffSpec(
        profile_code=body.profile_code,
        intensity_code=body.intensity_code,
        provider_id=body.provider_id,
        valid_from=body.valid_from,
        valid_to=body.valid_to,
        amount_cents=body.amount_cents,
    )
    tariff = await tariffs.create_tariff(session, principal, spec)
    return located(response, TariffPublic.model_validate(tariff), "tariffs", tariff.id)


@dataclass
class TariffQuery(ListQuery):
    """The tariff list's page and filters."""

    profile_code: ByProfile = None
    intensity_code: ByIntensity = None
    provider_id: ByProvider = None
    on_date: Annotated[
        QueryDate | None, Query(alias="onDate", description="Only tariffs valid on this day.")
    ] = None


@router.get("/tariffs", summary="List the tariffs of your region")
async def list_tariffs(
    session: SessionDep, principal: PurchasingOfficer, query: Annotated[TariffQuery, Depends()]
) -> Page[TariffPublic]:
    return page_of(
        TariffPublic, await query.ask(tariffs.list_tariffs, session, principal, tariffs.TariffFilter)
    )


@router.get("/tariffs/{tariff_id}", summary="Get a tariff of your region")
async def get_tariff(tariff_id: uuid.UUID, session: SessionDep, principal: PurchasingOfficer) -> TariffPublic:
    return TariffPublic.model_validate(await tariffs.get_tariff(session, principal, tariff_id))
