"""Request and response bodies of the support-profile catalogue."""

from enum import StrEnum
from typing import Annotated

from pydantic import Field

from app import identifiers
from app.models.base import ApiModel, PublicModel
from app.schemas.reference_geography import Description, Name

ProfileCode = identifiers.ProfileCode
IntensityCode = identifiers.IntensityCode


class Segment(StrEnum):
    A = "A"  # local team, free access
    B = "B"  # specialist, referral, regional tariff
    C = "C"  # multi-problem, provider-specific tariff


class IntensityCreate(ApiModel):
    code: IntensityCode
    name: Name
    max_months: Annotated[
        int, Field(ge=1, le=120, description="The longest a trajectory at this intensity runs.")
    ]


class SupportProfileCreate(ApiModel):
    code: ProfileCode
    name: Name
    segment: Segment
    description: Description | None = None
    intensities: Annotated[list[IntensityCreate], Field(min_length=1, max_length=4)]


class IntensityPublic(PublicModel):
    code: str
    name: str
    max_months: int


class SupportProfilePublic(PublicModel):
    code: str
    name: str
    segment: Segment
    description: str | None
    intensities: list[IntensityPublic]
