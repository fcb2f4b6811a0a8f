"""The provider register: AGB code, name and the municipalities a provider serves.

Like the AGB register it mirrors, the provider register is public reference data: every
authenticated role reads it (the marketplace even without a token). What a provider may
deliver where, and at what price, lives in region-confined contracts and tariffs.
"""

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import Principal
from app.errors import InvalidInput
from app.models.geography import Municipality
from app.models.providers import Provider
from app.pagination import PageRequest
from app.services.platform.rows import one_or_not_found, where_given
from app.services.reference.common import (
    TEXT,
    Duplicate,
    cut_page,
    insert_new,
    keyset,
    listed_codes_problems,
)

DUPLICATE_PROVIDER = Duplicate("A provider with this AGB code exists.", "duplicate_provider", "providers")


async def _check_municipalities(session: AsyncSession, codes: list[str]) -> None:
    known = set()
    if codes:
        query = select(Municipality.code).where(Municipality.code.in_(codes))
        known = set((await session.execute(query)).scalars().all())
    unknown = ("unknown_municipality", "This municipality is not registered.")
    problems = listed_codes_problems("municipalities", codes, known, "municipality", unknown)
    if problems:
        raise InvalidInput(problems)


async def create_provider(
    session: AsyncSession, principal: Principal, agb_code: str, name: str, municipalities: list[str]
) -> Provider:
    await _check_municipalities(session, municipalities)
    provider = Provider(agb_code=agb_code, name=name, municipalities=municipalities)
    existing = select(Provider.id).where(Provider.agb_code == agb_code)
    await insert_new(session, provider, DUPLICATE_PROVIDER, existing)
    return provider


@dataclass(frozen=True)
class ProviderFilter:
    """Narrows the provider list: to those serving a municipality, or to one AGB code."""

    municipality: str | None = None
    agb_code: str | None = None


async def list_providers(
    session: AsyncSession, principal: Principal, page: PageRequest, only: ProviderFilter
) -> tuple[list[Provider], str | None]:
    query = where_given(select(Provider), (Provider.agb_code, only.agb_code))
    if only.municipality is not None:
        query = query.where(Provider.municipalities.any(only.municipality))
    rows = (await session.execute(keyset(query, [Provider.agb_code], [TEXT], page))).scalars().all()
    return cut_page(rows, page, lambda p: [p.agb_code])


async def get_provider(session: AsyncSession, principal: Principal, provider_id: uuid.UUID) -> Provider:
    return await one_or_not_found(session, select(Provider).where(Provider.id == provider_id), "provider")


async def provider_ids_by_agb(session: AsyncSession, agb_codes: set[str]) -> dict[str, uuid.UUID]:
    """AGB code → provider id for the codes that are registered, in one query."""
    if not agb_codes:
        return {}
    query = select(Provider.agb_code, Provider.id).where(Provider.agb_code.in_(agb_codes))
    return {agb: provider_id for agb, provider_id in (await session.execute(query)).all()}
