"""HTTP routes: the support-profile catalogue (profiles × intensities).

Purchasing officers add profiles; every authenticated role reads the catalogue.
"""

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response

from app.auth import CurrentPrincipal, PurchasingOfficer
from app.db import SessionDep
from app.identifiers import ProfileCode
from app.models.base import Page
from app.pagination import ListQuery
from app.routers.shapes import Collection, located, page_of
from app.schemas.reference_catalogue import Segment, SupportProfileCreate, SupportProfilePublic
from app.services.reference import support_profiles
from app.services.reference.support_profiles import IntensitySpec, ProfileSpec

router = APIRouter(tags=["catalogue"])

# A malformed code is a 400 before any lookup, like a malformed id.
ProfileCodePath = Annotated[ProfileCode, Path(examples=["P06"])]


@dataclass
class ProfileQuery(ListQuery):
    """The catalogue list's page and segment."""

    segment: Annotated[Segment | None, Query()] = None


@router.post(
    "/support-profiles",
    status_code=201,
    summary="Add a support profile with its intensities",
)
async def create_support_profile(
    body: SupportProfileCreate, session: SessionDep, principal: PurchasingOfficer, response: Response
) -> SupportProfilePublic:
    spec = ProfileSpec(
        code=body.code,
        name=body.name,
        segment=body.segment.value,
        description=body.description,
        intensities=[
            IntensitySpec(
                i.code,
                i.name,
                i.max_months,
                i.ijw_product.category.value if i.ijw_product else None,
                i.ijw_product.code if i.ijw_product else None,
            )
            for i in body.intensities
        ],
    )
    profile = await support_profiles.create_profile(session, principal, spec)
    return located(response, SupportProfilePublic.model_validate(profile), "support-profiles", profile.code)


@router.get("/support-profiles", summary="List the support profiles")
async def list_support_profiles(
    session: SessionDep, principal: CurrentPrincipal, query: Annotated[ProfileQuery, Depends()]
) -> Page[SupportProfilePublic]:
    return page_of(
        SupportProfilePublic,
        await query.ask(support_profiles.list_profiles, session, principal, support_profiles.ProfileFilter),
    )


Collection(router, "/support-profiles", SupportProfilePublic).get(
    "/support-profiles/{code}",
    "get_support_profile",
    "Get a support profile",
    support_profiles.get_profile,
    key=ProfileCodePath,
)
