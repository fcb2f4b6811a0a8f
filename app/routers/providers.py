"""HTTP routes: the provider register and the providers' contracts.

Purchasing officers register providers; every authenticated role reads the register.
Contracts are for purchasing officers only, confined to their region: another region's
contracts are 404, naming another region is 403 ``other_region``.
"""

import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from app.auth import CurrentPrincipal, PurchasingOfficer
from app.db import SessionDep
from app.models.base import Page
from app.pagination import ListQuery, PageParams
from app.routers.shapes import Collection, located, page_of
from app.schemas.reference_geography import MunicipalityCode
from app.schemas.reference_providers import (
    AgbCode,
    ContractCreate,
    ContractPublic,
    ProviderCreate,
    ProviderPublic,
)
from app.services.reference import contracts, providers
from app.services.reference.contracts import ContractSpec

router = APIRouter(tags=["providers"])


register = Collection(router, "/providers", ProviderPublic, creator=PurchasingOfficer)
register.create(
    "create_provider",
    "Register a provider",
    ProviderCreate,
    lambda session, principal, body: providers.create_provider(
        session, principal, body.agb_code, body.name, body.municipalities
    ),
)


@dataclass
class ProviderQuery(ListQuery):
    """The provider register's page and filters."""

    municipality: Annotated[MunicipalityCode | None, Query(description="Only providers serving it.")] = None
    agb_code: Annotated[AgbCode | None, Query(alias="agbCode")] = None


@router.get("/providers", summary="List providers")
async def list_providers(
    session: SessionDep, principal: CurrentPrincipal, query: Annotated[ProviderQuery, Depends()]
) -> Page[ProviderPublic]:
    return page_of(
        ProviderPublic,
        await query.ask(providers.list_providers, session, principal, providers.ProviderFilter),
    )


register.get("/providers/{provider_id}", "get_provider", "Get a provider", providers.get_provider)


@router.post(
    "/providers/{provider_id}/contracts",
    status_code=201,
    summary="Contract a provider in your region",
    description="Every product must be in the catalogue; all problems are listed at once.",
)
async def create_contract(
    provider_id: uuid.UUID,
    body: ContractCreate,
    session: SessionDep,
    principal: PurchasingOfficer,
    response: Response,
) -> ContractPublic:
    spec = ContractSpec(
        valid_from=body.valid_from,
        valid_to=body.valid_to,
        payment_model=body.payment_model.value,
        start_share_percent=body.start_share_percent,
        result_share_percent=body.result_share_percent,
        completion_on_dropout=body.completion_on_dropout,
        capacity=body.capacity,
        lumpsum_period_cents=body.lumpsum_period_cents,
        products=[(p.profile_code, p.intensity_code) for p in body.products],
    )
    contract = await contracts.create_contract(session, principal, provider_id, body.region_id, spec)
    return located(
        response, ContractPublic.model_validate(contract), "providers", provider_id, "contracts", contract.id
    )


@router.get("/providers/{provider_id}/contracts", summary="List a provider's contracts in your region")
async def list_contracts(
    provider_id: uuid.UUID, session: SessionDep, principal: PurchasingOfficer, page: PageParams
) -> Page[ContractPublic]:
    return page_of(ContractPublic, await contracts.list_contracts(session, principal, provider_id, page))


@router.get("/providers/{provider_id}/contracts/{contract_id}", summary="Get a contract of your region")
async def get_contract(
    provider_id: uuid.UUID, contract_id: uuid.UUID, session: SessionDep, principal: PurchasingOfficer
) -> ContractPublic:
    return ContractPublic.model_validate(
        await contracts.get_contract(session, principal, provider_id, contract_id)
    )
