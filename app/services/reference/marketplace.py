"""The public care marketplace: which providers a family can choose from, and how long they wait.

No token and no personal data: provider register data, contracted products and a median
waiting time. A provider is listed when one of its contracts in the municipality's region is
valid today and covers the asked product (any product when none is asked).
"""

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import InvalidInput, InvalidParam
from app.models.geography import Municipality
from app.models.providers import Contract, ContractProduct, Provider
from app.pagination import PageRequest
from app.services.platform import clock
from app.services.reference.common import TEXT, UUID, cut_page, keyset
from app.services.reference.waiting_times import median_waiting_days


@dataclass(frozen=True)
class ProductView:
    profile_code: str
    intensity_code: str


@dataclass(frozen=True)
class MarketplaceEntry:
    provider_id: uuid.UUID
    agb_code: str
    name: str
    products: list[ProductView]
    waiting_days: int | None


def _valid_contract(region_id: uuid.UUID, on: date) -> ColumnElement[bool]:
    return (
        (Contract.region_id == region_id)
        & (Contract.valid_from <= on)
        & (Contract.valid_to.is_(None) | (Contract.valid_to >= on))
    )


def _product_filter(profile_code: str | None, intensity_code: str | None) -> list[ColumnElement[bool]]:
    conditions = []
    if profile_code is not None:
        conditions.append(ContractProduct.profile_code == profile_code)
    if intensity_code is not None:
        conditions.append(ContractProduct.intensity_code == intensity_code)
    return conditions


async def _region_of(session: AsyncSession, municipality: str) -> uuid.UUID:
    query = select(Municipality.region_id).where(Municipality.code == municipality)
    region_id = (await session.execute(query)).scalar_one_or_none()
    if region_id is None:
        raise InvalidInput(
            [InvalidParam("municipality", "unknown_municipality", "This municipality is not registered.")]
        )
    return region_id


async def _products(
    session: AsyncSession, provider_ids: list[uuid.UUID], region_id: uuid.UUID, on: date
) -> dict[uuid.UUID, list[ProductView]]:
    """The products of the providers' valid contracts, in one query."""
    found: dict[uuid.UUID, list[ProductView]] = {pid: [] for pid in provider_ids}
    if not provider_ids:
        return found
    query = (
        select(Contract.provider_id, ContractProduct.profile_code, ContractProduct.intensity_code)
        .join(ContractProduct, ContractProduct.contract_id == Contract.id)
        .where(Contract.provider_id.in_(provider_ids), _valid_contract(region_id, on))
        .distinct()
        .order_by(Contract.provider_id, ContractProduct.profile_code, ContractProduct.intensity_code)
    )
    for provider_id, profile_code, intensity_code in (await session.execute(query)).all():
        found[provider_id].append(ProductView(profile_code, intensity_code))
    return found


@dataclass(frozen=True)
class MarketplaceQuery:
    """Whose marketplace (the family's municipality), optionally for one product, on which day."""

    municipality: str
    profile_code: str | None = None
    intensity_code: str | None = None
    on: date | None = None


async def list_public_providers(
    session: AsyncSession, page: PageRequest, asked: MarketplaceQuery
) -> tuple[list[MarketplaceEntry], str | None]:
    profile_code, intensity_code = asked.profile_code, asked.intensity_code
    day = asked.on or clock.today()
    region_id = await _region_of(session, asked.municipality)
    contracted = exists().where(
        Contract.provider_id == Provider.id,
        _valid_contract(region_id, day),
        ContractProduct.contract_id == Contract.id,
        *_product_filter(profile_code, intensity_code),
    )
    query = keyset(select(Provider).where(contracted), [Provider.name, Provider.id], [TEXT, UUID], page)
    providers, cursor = cut_page(
        (await session.execute(query)).scalars().all(), page, lambda p: [p.name, p.id]
    )
    ids = [p.id for p in providers]
    products = await _products(session, ids, region_id, day)
    waiting = await median_waiting_days(
        session, ids, as_of=day, profile_code=profile_code, intensity_code=intensity_code
    )
    entries = [
        MarketplaceEntry(p.id, p.agb_code, p.name, products[p.id], waiting.get(p.id)) for p in providers
    ]
    return entries, cursor
