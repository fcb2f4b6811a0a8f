"""HTTP routes: regions, municipalities, districts, district indicators and teams.

Creating is for the municipality's ``admin`` (403 otherwise, and 403 ``other_municipality`` when
the body names another municipality); reading is for every authenticated role. Districts and
teams are confined to the caller's municipality: others are 404.
"""

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from app.auth import Admin, CurrentPrincipal, Principal, Role, require_roles
from app.db import SessionDep
from app.identifiers import DistrictCode, MunicipalityCode
from app.models.base import Page
from app.pagination import PageParams
from app.schemas.reference_geography import (
    DistrictCreate,
    DistrictIndicatorsPublic,
    DistrictIndicatorsPut,
    DistrictPublic,
    MunicipalityCreate,
    MunicipalityPublic,
    RegionCreate,
    RegionPublic,
    TeamCreate,
    TeamPublic,
)
from app.services.reference import geography, teams
from app.services.reference.common import resource_url

router = APIRouter(tags=["geography"])

IndicatorWriter = Annotated[Principal, require_roles(Role.ADMIN, Role.MUNICIPALITY_OFFICER)]
Year = Annotated[int, Path(ge=1900, le=2100)]
# A malformed code is a 400 before any lookup, like a malformed id.
MunicipalityCodePath = Annotated[MunicipalityCode, Path(examples=["GM0363"])]
DistrictCodePath = Annotated[DistrictCode, Path(examples=["WK036301"])]


@router.post("/regions", response_model=RegionPublic, status_code=201, summary="Create a region")
async def create_region(
    body: RegionCreate, session: SessionDep, principal: Admin, response: Response
) -> RegionPublic:
    region = await geography.create_region(session, principal, body.name)
    response.headers["Location"] = resource_url("regions", region.id)
    return RegionPublic.model_validate(region)


@router.get("/regions", response_model=Page[RegionPublic], summary="List regions")
async def list_regions(
    session: SessionDep, principal: CurrentPrincipal, page: PageParams
) -> Page[RegionPublic]:
    items, cursor = await geography.list_regions(session, principal, page)
    return Page[RegionPublic](items=[RegionPublic.model_validate(r) for r in items], next_cursor=cursor)


@router.get("/regions/{region_id}", response_model=RegionPublic, summary="Get a region")
async def get_region(region_id: uuid.UUID, session: SessionDep, principal: CurrentPrincipal) -> RegionPublic:
    return RegionPublic.model_validate(await geography.get_region(session, principal, region_id))


@router.post(
    "/municipalities",
    response_model=MunicipalityPublic,
    status_code=201,
    summary="Register the caller's municipality in a region",
)
async def create_municipality(
    body: MunicipalityCreate, session: SessionDep, principal: Admin, response: Response
) -> MunicipalityPublic:
    municipality = await geography.create_municipality(
        session, principal, body.code, body.name, body.region_id
    )
    response.headers["Location"] = resource_url("municipalities", municipality.code)
    return MunicipalityPublic.model_validate(municipality)


@router.get("/municipalities", response_model=Page[MunicipalityPublic], summary="List municipalities")
async def list_municipalities(
    session: SessionDep,
    principal: CurrentPrincipal,
    page: PageParams,
    region_id: Annotated[uuid.UUID | None, Query(alias="regionId")] = None,
) -> Page[MunicipalityPublic]:
    items, cursor = await geography.list_municipalities(session, principal, page, region_id=region_id)
    return Page[MunicipalityPublic](
        items=[MunicipalityPublic.model_validate(m) for m in items], next_cursor=cursor
    )


@router.get("/municipalities/{code}", response_model=MunicipalityPublic, summary="Get a municipality")
async def get_municipality(
    code: MunicipalityCodePath, session: SessionDep, principal: CurrentPrincipal
) -> MunicipalityPublic:
    return MunicipalityPublic.model_validate(await geography.get_municipality(session, principal, code))


@router.post("/districts", response_model=DistrictPublic, status_code=201, summary="Create a district")
async def create_district(
    body: DistrictCreate, session: SessionDep, principal: Admin, response: Response
) -> DistrictPublic:
    district = await geography.create_district(
        session, principal, body.code, body.name, body.municipality_code
    )
    response.headers["Location"] = resource_url("districts", district.code)
    return DistrictPublic.model_validate(district)


@router.get(
    "/districts", response_model=Page[DistrictPublic], summary="List the districts of your municipality"
)
async def list_districts(
    session: SessionDep, principal: CurrentPrincipal, page: PageParams
) -> Page[DistrictPublic]:
    items, cursor = await geography.list_districts(session, principal, page)
    return Page[DistrictPublic](items=[DistrictPublic.model_validate(d) for d in items], next_cursor=cursor)


@router.get("/districts/{code}", response_model=DistrictPublic, summary="Get a district")
async def get_district(
    code: DistrictCodePath, session: SessionDep, principal: CurrentPrincipal
) -> DistrictPublic:
    return DistrictPublic.model_validate(await geography.get_district(session, principal, code))


@router.put(
    "/districts/{code}/indicators/{year}",
    response_model=DistrictIndicatorsPublic,
    status_code=200,
    summary="Set a district's indicators for a year",
    description="Numbers used for budget allocation and per-1000 rates. `youthPopulation` is required; "
    "any further lowerCamelCase property must be a number. Replaces the year's indicators.",
)
async def put_indicators(
    code: DistrictCodePath,
    year: Year,
    body: DistrictIndicatorsPut,
    session: SessionDep,
    principal: IndicatorWriter,
) -> DistrictIndicatorsPublic:
    row = await geography.put_indicators(session, principal, code, year, body.indicator_values())
    return DistrictIndicatorsPublic.model_validate(row)


@router.get(
    "/districts/{code}/indicators",
    response_model=Page[DistrictIndicatorsPublic],
    summary="List a district's indicators per year",
)
async def list_indicators(
    code: DistrictCodePath, session: SessionDep, principal: CurrentPrincipal, page: PageParams
) -> Page[DistrictIndicatorsPublic]:
    items, cursor = await geography.list_indicators(session, principal, code, page)
    return Page[DistrictIndicatorsPublic](
        items=[DistrictIndicatorsPublic.model_validate(i) for i in items], next_cursor=cursor
    )


@router.post(
    "/teams", response_model=TeamPublic, status_code=201, summary="Create a team of your municipality"
)
async def create_team(
    body: TeamCreate, session: SessionDep, principal: Admin, response: Response
) -> TeamPublic:
    team = await teams.create_team(session, principal, body.name, body.kind.value, body.district_codes)
    response.headers["Location"] = resource_url("teams", team.id)
    return TeamPublic.model_validate(team)


@router.get("/teams", response_model=Page[TeamPublic], summary="List the teams of your municipality")
async def list_teams(session: SessionDep, principal: CurrentPrincipal, page: PageParams) -> Page[TeamPublic]:
    items, cursor = await teams.list_teams(session, principal, page)
    return Page[TeamPublic](items=[TeamPublic.model_validate(t) for t in items], next_cursor=cursor)


@router.get("/teams/{team_id}", response_model=TeamPublic, summary="Get a team")
async def get_team(team_id: uuid.UUID, session: SessionDep, principal: CurrentPrincipal) -> TeamPublic:
    return TeamPublic.model_validate(await teams.get_team(session, principal, team_id))
