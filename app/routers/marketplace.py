"""HTTP routes: the public care marketplace (no authentication)."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from app.db import ReadSessionDep
from app.models.base import Page
from app.pagination import ListQuery
from app.routers.filters import ByIntensity, ByProfile
from app.routers.shapes import page_of
from app.schemas.reference_geography import MunicipalityCode
from app.schemas.reference_marketplace import MarketplaceProvider
from app.services.reference import marketplace

router = APIRouter(tags=["marketplace"])

CACHE_SECONDS = 60


@dataclass
class PublicProviderQuery(ListQuery):
    """The marketplace's page, the family's municipality and optionally one product."""

    municipality: Annotated[MunicipalityCode, Query(description="CBS code of the family's municipality.")]
    profile_code: ByProfile = None
    intensity_code: ByIntensity = None


@router.get(
    "/public/providers",
    summary="The care marketplace: contracted providers, their products and waiting days",
    description="Public, no token: the providers a family in the municipality can choose from today, "
    "optionally for one product, with the median waiting days. No personal data.",
    openapi_extra={"security": []},
)
async def list_public_providers(
    session: ReadSessionDep, query: Annotated[PublicProviderQuery, Depends()], response: Response
) -> Page[MarketplaceProvider]:
    asked = marketplace.MarketplaceQuery(**query.filters())
    found = await marketplace.list_public_providers(session, query.page, asked)
    response.headers["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    return page_of(MarketplaceProvider, found)
