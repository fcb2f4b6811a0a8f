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
from app.routers.shapes import Collection, page_of
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
from app.services.reference import geography
from app.services.reference import teams as team_service

router = APIRouter(tags=["geography"])

IndicatorWriter = Annotated[Principal, require_roles(Role.ADMIN, Role.MUNICIPALITY_OFFICER)]
Year = Annotated[int, Path(ge=1900, le=2100)]
# A malformed code is a 400 before any lookup, like a malformed id.
MunicipalityCodePath = Annotated[MunicipalityCode, Path(examples=["GM0363"])]
DistrictCodePath = Annotated[DistrictCode, Path(examples=["WK036301"])]


# Regions, municipalities, districts and teams: create, list and read have one shape each.
regions = Collection(router, "/regions", RegionPublic, creator=Admin)
regions.create(
    "create_region",
    "Create a region",
    RegionCreate,
    lambda session, principal, body: geography.create_region(session, principal, body.name),
)
regions.list("list_regions", "List regions", geography.list_regions)
regions.get("/regions/{region_id}", "get_region", "Get a region", geography.get_region)

municipalities = Collection(router, "/municipalities", MunicipalityPublic, creator=Admin)
municipalities.create(
    "create_municipality",
    "Register the caller's municipality in a region",
    MunicipalityCreate,
    lambda session, principal, body: geography.create_municipality(
        session, principal, body.code, body.name, body.region_id
    ),
    key=lambda municipality: municipality.code,
)


@router.get("/municipalities", summary="List municipalities")
async def list_municipalities(
    session: SessionDep,
    principal: CurrentPrincipal,
    page: PageParams,
    region_id: Annotated[uuid.UUID | None, Query(alias="regionId")] = None,
) -> Page[MunicipalityPublic]:
    return page_of(
        MunicipalityPublic, await geography.list_municipalities(session, principal, page, region_id=region_id)
    )


municipalities.get(
    "/municipalities/{code}",
    "get_municipality",
    "Get a municipality",
    geography.get_municipality,
    key=MunicipalityCodePath,
)

districts = Collection(router, "/districts", DistrictPublic, creator=Admin)
districts.create(
    "create_district",
    "Create a district",
    DistrictCreate,
    lambda session, principal, body: geography.create_district(
        session, principal, body.code, body.name, body.municipality_code
    ),
    key=lambda district: district.code,
)
districts.list("list_districts", "List the districts of your municipality", geography.list_districts)
districts.get(
    "/districts/{code}", "get_district", "Get a district", geography.get_district, key=DistrictCodePath
)


@router.put(
    "/districts/{code}/indicators/{year}",
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


@router.get("/districts/{code}/indicators", summary="List a district's indicators per year")
async def list_indicators(
    code: DistrictCodePath, session: SessionDep, principal: CurrentPrincipal, page: PageParams
) -> Page[DistrictIndicatorsPublic]:
    return page_of(DistrictIndicatorsPublic, await geography.list_indicators(session, principal, code, page))


teams = Collection(router, "/teams", TeamPublic, creator=Admin)
teams.create(
    "create_team",
    "Create a team of your municipality",
    TeamCreate,
    lambda session, principal, body: team_service.create_team(
        session, principal, body.name, body.kind.value, body.district_codes
    ),
)
teams.list("list_teams", "List the teams of your municipality", team_service.list_teams)
teams.get("/teams/{team_id}", "get_team", "Get a team", team_service.get_team)
