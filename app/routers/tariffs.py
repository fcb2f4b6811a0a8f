"""HTTP routes: tariffs of the purchasing officer's region."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from app.auth import PurchasingOfficer
from app.db import SessionDep
from app.models.base import Page, QueryDate
from app.pagination import PageParams
from app.schemas.reference_catalogue import IntensityCode, ProfileCode
from app.schemas.reference_providers import TariffCreate, TariffPublic
from app.services.reference import tariffs
from app.services.reference.common import resource_url
from app.services.reference.tariffs import TariffSpec

router = APIRouter(tags=["tariffs"])


@router.post(
    "/tariffs",
    response_model=TariffPublic,
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
    response.headers["Location"] = resource_url("tariffs", tariff.id)
    return TariffPublic.model_validate(tariff)


@router.get("/tariffs", response_model=Page[TariffPublic], summary="List the tariffs of your region")
async def list_tariffs(
    session: SessionDep,
    principal: PurchasingOfficer,
    page: PageParams,
    profile_code: Annotated[ProfileCode | None, Query(alias="profileCode")] = None,
    intensity_code: Annotated[IntensityCode | None, Query(alias="intensityCode")] = None,
    provider_id: Annotated[uuid.UUID | None, Query(alias="providerId")] = None,
    on_date: Annotated[
        QueryDate | None, Query(alias="onDate", description="Only tariffs valid on this day.")
    ] = None,
) -> Page[TariffPublic]:
    only = tariffs.TariffFilter(
        profile_code=profile_code, intensity_code=intensity_code, provider_id=provider_id, on_date=on_date
    )
    items, cursor = await tariffs.list_tariffs(session, principal, page, only)
    return Page[TariffPublic](items=[TariffPublic.model_validate(t) for t in items], next_cursor=cursor)


@router.get("/tariffs/{tariff_id}", response_model=TariffPublic, summary="Get a tariff of your region")
async def get_tariff(tariff_id: uuid.UUID, session: SessionDep, principal: PurchasingOfficer) -> TariffPublic:
    return TariffPublic.model_validate(await tariffs.get_tariff(session, principal, tariff_id))
