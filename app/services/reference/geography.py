"""Regions, municipalities, districts and district indicators.

Regions and municipalities are public reference data (CBS codes): every authenticated caller
sees all of them. Districts belong to a municipality and are confined to the caller's
municipality (:func:`district_scope`); another municipality's district is a 404.

Writes act for the caller's own municipality only: an admin of GM0363 who names GM0599 in a
body (a new municipality or district) gets a 403 ``other_municipality``; a district of
another municipality named in a path is invisible (404).
"""

import re
import uuid
from collections.abc import Sequence

from sqlalchemy import ColumnElement, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import Principal
from app.errors import Forbidden, InvalidInput, InvalidParam, NotFound
from app.models.base import utcnow
from app.models.geography import District, DistrictIndicator, Municipality, Region
from app.pagination import PageRequest
from app.services.platform.rows import one_or_not_found
from app.services.reference.common import INT, TEXT, Duplicate, cut_page, insert_new, keyset

INDICATOR_NAME = re.compile(r"^[a-z][A-Za-z0-9]{0,59}$")
MAX_INDICATORS = 50


def district_scope(principal: Principal) -> ColumnElement[bool]:
    """The districts a caller may see: those of its own municipality."""
    return District.municipality_code == principal.municipality


DUPLICATE_REGION = Duplicate("A region with this name exists.", "duplicate_region", "regions")
DUPLICATE_MUNICIPALITY = Duplicate(
    "This municipality is registered already.", "duplicate_municipality", "municipalities"
)
DUPLICATE_DISTRICT = Duplicate("A district with this code exists.", "duplicate_district", "districts")


def require_own_municipality(principal: Principal, code: str) -> None:
    """Writes act for the caller's own municipality only."""
    if code != principal.municipality:
        raise Forbidden(
            "You may only manage reference data of your own municipality.", code="other_municipality"
        )


# --- regions -------------------------------------------------------------------------------


async def create_region(session: AsyncSession, principal: Principal, name: str) -> Region:
    region = Region(name=name)
    await insert_new(session, region, DUPLICATE_REGION, select(Region.id).where(Region.name == name))
    return region


async def list_regions(
    session: AsyncSession, principal: Principal, page: PageRequest
) -> tuple[list[Region], str | None]:
    query = keyset(select(Region), [Region.name], [TEXT], page)
    rows = (await session.execute(query)).scalars().all()
    return cut_page(rows, page, lambda r: [r.name])


async def get_region(session: AsyncSession, principal: Principal, region_id: uuid.UUID) -> Region:
    region = await session.get(Region, region_id)
    if region is None:
        raise NotFound("region")
    return region


# --- municipalities ------------------------------------------------------------------------


async def create_municipality(
    session: AsyncSession, principal: Principal, code: str, name: str, region_id: uuid.UUID
) -> Municipality:
    """Register the caller's own municipality in a region."""
    require_own_municipality(principal, code)
    if await session.get(Region, region_id) is None:
        raise InvalidInput([InvalidParam("regionId", "unknown_region", "No region has this id.")])
    municipality = Municipality(code=code, name=name, region_id=region_id)
    await insert_new(session, municipality, DUPLICATE_MUNICIPALITY, code)
    return municipality


async def list_municipalities(
    session: AsyncSession, principal: Principal, page: PageRequest, *, region_id: uuid.UUID | None = None
) -> tuple[list[Municipality], str | None]:
    query = select(Municipality)
    if region_id is not None:
        query = query.where(Municipality.region_id == region_id)
    rows = (await session.execute(keyset(query, [Municipality.code], [TEXT], page))).scalars().all()
    return cut_page(rows, page, lambda m: [m.code])


async def get_municipality(session: AsyncSession, principal: Principal, code: str) -> Municipality:
    municipality = await session.get(Municipality, code)
    if municipality is None:
        raise NotFound("municipality")
    return municipality


# --- districts -----------------------------------------------------------------------------


async def create_district(
    session: AsyncSession, principal: Principal, code: str, name: str, municipality_code: str
) -> District:
    require_own_municipality(principal, municipality_code)
    problems: list[InvalidParam] = []
    if code[2:6] != municipality_code[2:6]:
        problems.append(
            InvalidParam(
                "code", "district_code_mismatch", "A district code holds its municipality's 4 digits."
            )
        )
    if await session.get(Municipality, municipality_code) is None:
        problems.append(
            InvalidParam("municipalityCode", "unknown_municipality", "This municipality is not registered.")
        )
    if problems:
        raise InvalidInput(problems)
    district = District(code=code, name=name, municipality_code=municipality_code)
    await insert_new(session, district, DUPLICATE_DISTRICT, code)
    return district


async def list_districts(
    session: AsyncSession, principal: Principal, page: PageRequest
) -> tuple[list[District], str | None]:
    query = keyset(select(District).where(district_scope(principal)), [District.code], [TEXT], page)
    rows = (await session.execute(query)).scalars().all()
    return cut_page(rows, page, lambda d: [d.code])


async def get_district(session: AsyncSession, principal: Principal, code: str) -> District:
    query = select(District).where(District.code == code, district_scope(principal))
    return await one_or_not_found(session, query, "district")


# --- indicators ----------------------------------------------------------------------------


def _check_indicator_names(values: dict[str, int | float]) -> None:
    problems = [
        InvalidParam(name, "invalid_indicator_name", "Indicator names are lowerCamelCase letters and digits.")
        for name in values
        if not INDICATOR_NAME.match(name)
    ]
    if len(values) > MAX_INDICATORS:
        problems.append(
            InvalidParam(
                "body", "too_many_indicators", f"At most {MAX_INDICATORS} indicators per district-year."
            )
        )
    if problems:
        raise InvalidInput(problems)


async def put_indicators(
    session: AsyncSession, principal: Principal, code: str, year: int, values: dict[str, int | float]
) -> DistrictIndicator:
    """Create or replace a district's indicators for a year (an upsert, safe under concurrency)."""
    district = await get_district(session, principal, code)
    _check_indicator_names(values)
    youth = values.get("youthPopulation")
    row = {
        "district_code": district.code,
        "year": year,
        "municipality_code": district.municipality_code,
        "youth_population": int(youth) if youth is not None else None,
        "values": values,
        "updated_at": utcnow(),
    }
    statement = pg_insert(DistrictIndicator).values(row)
    statement = statement.on_conflict_do_update(
        index_elements=[DistrictIndicator.district_code, DistrictIndicator.year],
        set_={k: statement.excluded[k] for k in ("youth_population", "values", "updated_at")},
    )
    await session.execute(statement)
    return DistrictIndicator(**row)


async def list_indicators(
    session: AsyncSession, principal: Principal, code: str, page: PageRequest
) -> tuple[Sequence[DistrictIndicator], str | None]:
    district = await get_district(session, principal, code)
    query = select(DistrictIndicator).where(DistrictIndicator.district_code == district.code)
    rows = (await session.execute(keyset(query, [DistrictIndicator.year], [INT], page))).scalars().all()
    return cut_page(rows, page, lambda i: [i.year])
