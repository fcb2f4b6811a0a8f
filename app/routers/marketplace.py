"""HTTP routes: the public care marketplace (no authentication)."""

from typing import Annotated

from fastapi import APIRouter, Query, Response

from app.db import ReadSessionDep
from app.models.base import Page
from app.pagination import PageParams
from app.schemas.reference_catalogue import IntensityCode, ProfileCode
from app.schemas.reference_geography import MunicipalityCode
from app.schemas.reference_marketplace import MarketplaceProvider
from app.services.reference import marketplace

router = APIRouter(tags=["marketplace"])

CACHE_SECONDS = 60


@router.get(
    "/public/providers",
    response_model=Page[MarketplaceProvider],
    summary="The care marketplace: contracted providers, their products and waiting days",
    description="Public, no token: the providers a family in the municipality can choose from today, "
    "optionally for one product, with the median waiting days. No personal data.",
    openapi_extra={"security": []},
)
async def list_public_providers(
    session: ReadSessionDep,
    page: PageParams,
    response: Response,
    municipality: Annotated[MunicipalityCode, Query(description="CBS code of the family's municipality.")],
    profile_code: Annotated[ProfileCode | None, Query(alias="profileCode")] = None,
    intensity_code: Annotated[IntensityCode | None, Query(alias="intensityCode")] = None,
) -> Page[MarketplaceProvider]:
    asked = marketplace.MarketplaceQuery(
        municipality=municipality, profile_code=profile_code, intensity_code=intensity_code
    )
    items, cursor = await marketplace.list_public_providers(session, page, asked)
    response.headers["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    return Page[MarketplaceProvider](
        items=[MarketplaceProvider.model_validate(e) for e in items], next_cursor=cursor
    )
