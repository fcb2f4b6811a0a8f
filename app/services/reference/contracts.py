"""Framework contracts (raamcontracten): which products a provider may deliver in a region.

Contracts are the purchasing officer's, confined to its region (the token's ``region``):
another region's contracts are invisible (404); naming another region in a body is a 403.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import Principal
from app.errors import Forbidden, InvalidInput, InvalidParam
from app.models.providers import Contract, ContractProduct
from app.pagination import PageRequest
from app.services.platform.rows import one_or_not_found
from app.services.reference.common import DATE, UUID, cut_page, keyset, view_of
from app.services.reference.providers import get_provider
from app.services.reference.support_profiles import Catalogue, load_catalogue


@dataclass(frozen=True)
class ContractSpec:
    """A contract as asked for; checked by :func:`check_contract` before it is written."""

    valid_from: date
    valid_to: date | None
    payment_model: str
    start_share_percent: int = 70
    result_share_percent: int | None = None
    completion_on_dropout: bool = False
    capacity: int | None = None
    lumpsum_period_cents: int | None = None
    products: list[tuple[str, str]] = field(default_factory=list)  # (profile code, intensity code)


@dataclass(frozen=True)
class ContractView:
    id: uuid.UUID
    provider_id: uuid.UUID
    region_id: uuid.UUID
    valid_from: date
    valid_to: date | None
    payment_model: str
    start_share_percent: int
    result_share_percent: int | None
    completion_on_dropout: bool
    capacity: int | None
    lumpsum_period_cents: int | None
    products: list[ContractProduct]
    created_at: datetime


def contract_scope(principal: Principal) -> ColumnElement[bool]:
    """The contracts a caller may see: those of its region."""
    return Contract.region_id == principal.region


def require_own_region(principal: Principal, region_id: uuid.UUID | None) -> uuid.UUID:
    """The region a purchasing officer writes for: its own (403 for any other)."""
    if principal.region is None or (region_id is not None and region_id != principal.region):
        raise Forbidden("You may only manage contracts and tariffs of your own region.", code="other_region")
    return principal.region


def check_contract(spec: ContractSpec, catalogue: Catalogue) -> list[InvalidParam]:
    """Every problem of a contract at once: its period, payment terms and products."""
    problems: list[InvalidParam] = []
    if spec.valid_to is not None and spec.valid_to < spec.valid_from:
        problems.append(InvalidParam("validTo", "invalid_period", "validTo lies before validFrom."))
    if spec.payment_model == "lumpsum" and spec.lumpsum_period_cents is None:
        problems.append(
            InvalidParam("lumpsumPeriodCents", "required", "A lumpsum contract needs its amount.")
        )
    if spec.payment_model != "lumpsum" and spec.lumpsum_period_cents is not None:
        problems.append(
            InvalidParam(
                "lumpsumPeriodCents", "not_applicable", "Only a lumpsum contract has a period amount."
            )
        )
    if not spec.products:
        problems.append(InvalidParam("products", "required", "A contract covers at least one product."))
    seen: set[tuple[str, str]] = set()
    for i, (profile_code, intensity_code) in enumerate(spec.products):
        label = f"{profile_code}/{intensity_code}"
        if (profile_code, intensity_code) in seen:
            problems.append(InvalidParam(f"products[{i}]", "duplicate", f"{label} is listed twice."))
        elif not catalogue.has_product(profile_code, intensity_code):
            problems.append(
                InvalidParam(f"products[{i}]", "unknown_product", f"{label} is not in the catalogue.")
            )
        seen.add((profile_code, intensity_code))
    return problems


async def insert_contracts(
    session: AsyncSession, contracts: list[tuple[uuid.UUID, uuid.UUID, ContractSpec]]
) -> list[ContractView]:
    """Write checked contracts, given as (provider id, region id, spec), and their products."""
    rows = [
        Contract(
            provider_id=provider_id,
            region_id=region_id,
            valid_from=spec.valid_from,
            valid_to=spec.valid_to,
            payment_model=spec.payment_model,
            start_share_percent=spec.start_share_percent,
            result_share_percent=spec.result_share_percent,
            completion_on_dropout=spec.completion_on_dropout,
            capacity=spec.capacity,
            lumpsum_period_cents=spec.lumpsum_period_cents,
        )
        for provider_id, region_id, spec in contracts
    ]
    session.add_all(rows)
    await session.flush()  # contracts before their products: no relationships order the inserts
    products = [
        [ContractProduct(contract_id=row.id, profile_code=p, intensity_code=i) for p, i in spec.products]
        for row, (_, _, spec) in zip(rows, contracts, strict=True)
    ]
    session.add_all([product for group in products for product in group])
    await session.flush()
    return [_view(row, group) for row, group in zip(rows, products, strict=True)]


async def create_contract(
    session: AsyncSession,
    principal: Principal,
    provider_id: uuid.UUID,
    region_id: uuid.UUID | None,
    spec: ContractSpec,
) -> ContractView:
    region = require_own_region(principal, region_id)
    provider = await get_provider(session, principal, provider_id)
    problems = check_contract(spec, await load_catalogue(session))
    if problems:
        raise InvalidInput(problems)
    return (await insert_contracts(session, [(provider.id, region, spec)]))[0]


def _view(contract: Contract, products: Sequence[ContractProduct]) -> ContractView:
    in_order = sorted(products, key=lambda p: (p.profile_code, p.intensity_code))
    return view_of(ContractView, contract, products=in_order)


async def _products(
    session: AsyncSession, contract_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[ContractProduct]]:
    """The products of several contracts in one query."""
    found: dict[uuid.UUID, list[ContractProduct]] = {cid: [] for cid in contract_ids}
    if contract_ids:
        query = select(ContractProduct).where(ContractProduct.contract_id.in_(contract_ids))
        for product in (await session.execute(query)).scalars().all():
            found[product.contract_id].append(product)
    return found


async def list_contracts(
    session: AsyncSession, principal: Principal, provider_id: uuid.UUID, page: PageRequest
) -> tuple[list[ContractView], str | None]:
    provider = await get_provider(session, principal, provider_id)
    query = select(Contract).where(Contract.provider_id == provider.id, contract_scope(principal))
    query = keyset(query, [Contract.valid_from, Contract.id], [DATE, UUID], page)
    contracts, cursor = cut_page(
        (await session.execute(query)).scalars().all(), page, lambda c: [c.valid_from, c.id]
    )
    products = await _products(session, [c.id for c in contracts])
    return [_view(c, products[c.id]) for c in contracts], cursor


async def get_contract(
    session: AsyncSession, principal: Principal, provider_id: uuid.UUID, contract_id: uuid.UUID
) -> ContractView:
    query = select(Contract).where(
        Contract.id == contract_id, Contract.provider_id == provider_id, contract_scope(principal)
    )
    contract = await one_or_not_found(session, query, "contract")
    products = await _products(session, [contract.id])
    return _view(contract, products[contract.id])
