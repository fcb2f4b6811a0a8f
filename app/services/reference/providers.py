"""The provider register: AGB code, name and the municipalities a provider serves.

Like the AGB register it mirrors, the provider register is public reference data: every
authenticated role reads it (the marketplace even without a token). What a provider may
deliver where, and at what price, lives in region-confined contracts and tariffs.
"""

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import Principal
from app.errors import Conflict, InvalidInput, InvalidParam, NotFound
from app.models.geography import Municipality
from app.models.providers import Provider
from app.pagination import PageRequest
from app.services.reference.common import TEXT, insert_unless_exists, keyset, page_of, resource_url


async def _check_municipalities(session: AsyncSession, codes: list[str]) -> None:
    known = set()
    if codes:
        query = select(Municipality.code).where(Municipality.code.in_(codes))
        known = set((await session.execute(query)).scalars().all())
    problems: list[InvalidParam] = []
    seen: set[str] = set()
    for i, code in enumerate(codes):
        if code in seen:
            problems.append(
                InvalidParam(f"municipalities[{i}]", "duplicate", "This municipality is listed twice.")
            )
        elif code not in known:
            problems.append(
                InvalidParam(
                    f"municipalities[{i}]", "unknown_municipality", "This municipality is not registered."
                )
            )
        seen.add(code)
    if problems:
        raise InvalidInput(problems)


async def create_provider(
    session: AsyncSession, principal: Principal, agb_code: str, name: str, municipalities: list[str]
) -> Provider:
    await _check_municipalities(session, municipalities)
    provider = Provider(agb_code=agb_code, name=name, municipalities=municipalities)
    if not await insert_unless_exists(session, provider):
        existing = (
            await session.execute(select(Provider.id).where(Provider.agb_code == agb_code))
        ).scalar_one()
        raise Conflict(
            "A provider with this AGB code exists.",
            code="duplicate_provider",
            existing=resource_url("providers", existing),
        )
    return provider


async def list_providers(
    session: AsyncSession,
    principal: Principal,
    page: PageRequest,
    *,
    municipality: str | None = None,
    agb_code: str | None = None,
) -> tuple[list[Provider], str | None]:
    query = select(Provider)
    if municipality is not None:
        query = query.where(Provider.municipalities.any(municipality))
    if agb_code is not None:
        query = query.where(Provider.agb_code == agb_code)
    rows = (await session.execute(keyset(query, [Provider.agb_code], [TEXT], page))).scalars().all()
    return page_of(rows, page, lambda p: [p.agb_code])


async def get_provider(session: AsyncSession, principal: Principal, provider_id: uuid.UUID) -> Provider:
    provider = (
        await session.execute(select(Provider).where(Provider.id == provider_id))
    ).scalar_one_or_none()
    if provider is None:
        raise NotFound("provider")
    return provider


async def provider_ids_by_agb(session: AsyncSession, agb_codes: set[str]) -> dict[str, uuid.UUID]:
    """AGB code → provider id for the codes that are registered, in one query."""
    if not agb_codes:
        return {}
    query = select(Provider.agb_code, Provider.id).where(Provider.agb_code.in_(agb_codes))
    return {agb: provider_id for agb, provider_id in (await session.execute(query)).all()}
