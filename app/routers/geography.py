"""HTTP routes: regions, municipalities, districts, district indicators and teams.

Creating is for the municipality's ``admin`` (403 otherwise, and 403 ``other_municipality`` when
the body names another municipality); reading is for every authenticated role. Districts and
teams are confined to the caller's municipality: others are 404.
"""

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Query

from app.auth import Admin, CurrentPrincipal, Principal, Role, require_roles
from app.db import SessionDep
from app.identifiers import DistrictCode, MunicipalityCode
from app.models.base import Page
from app.pagination import PageParams
from app.routers.shapes import create_route, get_route, list_route
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

router = APIRouter(tags=["geography"])

IndicatorWriter = Annotated[Principal, require_roles(Role.ADMIN, Role.MUNICIPALITY_OFFICER)]
Year = Annotated[int, Path(ge=1900, le=2100)]
# A malformed code is a 400 before any lookup, like a malformed id.
MunicipalityCodePath = Annotated[MunicipalityCode, Path(examples=["GM0363"])]
DistrictCodePath = Annotated[DistrictCode, Path(examples=["WK036301"])]


# Regions, districts and teams: create, list and read have one shape each (app/routers/shapes.py).
create_route(
    router,
    "/regions",
    name="create_region",
    summary="Create a region",
    body=RegionCreate,
    public=RegionPublic,
    principal=Admin,
    create=lambda session, principal, body: geography.create_region(session, principal, body.name),
)
list_route(
    router,
    "/regions",
    name="list_regions",
    summary="List regions",
    public=RegionPublic,
    load=geography.list_regions,
)
get_route(
    router,
    "/regions/{region_id}",
    name="get_region",
    summary="Get a region",
    key_param="region_id",
    public=RegionPublic,
    load=geography.get_region,
)


create_route(
    router,
    "/municipalities",
    name="create_municipality",
    summary="Register the caller's municipality in a region",
    body=MunicipalityCreate,
    public=MunicipalityPublic,
    principal=Admin,
    create=lambda session, principal, body: geography.create_municipality(
        session, principal, body.code, body.name, body.region_id
    ),
    key=lambda municipality: municipality.code,
)


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


get_route(
    router,
    "/municipalities/{code}",
    name="get_municipality",
    summary="Get a municipality",
    key_param="code",
    key=MunicipalityCodePath,
    public=MunicipalityPublic,
    load=geography.get_municipality,
)


create_route(
    router,
    "/districts",
    name="create_district",
    summary="Create a district",
    body=DistrictCreate,
    public=DistrictPublic,
    principal=Admin,
    create=lambda session, principal, body: geography.create_district(
        session, principal, body.code, body.name, body.municipality_code
    ),
    key=lambda district: district.code,
)
list_route(
    router,
    "/districts",
    name="list_districts",
    summary="List the districts of your municipality",
    public=DistrictPublic,
    load=geography.list_districts,
)
get_route(
    router,
    "/districts/{code}",
    name="get_district",
    summary="Get a district",
    key_param="code",
    key=DistrictCodePath,
    public=DistrictPublic,
    load=geography.get_district,
)


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


create_route(
    router,
    "/teams",
    name="create_team",
    summary="Create a team of your municipality",
    body=TeamCreate,
    public=TeamPublic,
    principal=Admin,
    create=lambda session, principal, body: teams.create_team(
        session, principal, body.name, body.kind.value, body.district_codes
    ),
)
list_route(
    router,
    "/teams",
    name="list_teams",
    summary="List the teams of your municipality",
    public=TeamPublic,
    load=teams.list_teams,
)
get_route(
    router,
    "/teams/{team_id}",
    name="get_team",
    summary="Get a team",
    key_param="team_id",
    public=TeamPublic,
    load=teams.get_team,
)
