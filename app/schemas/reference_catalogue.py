"""Request and response bodies of the support-profile catalogue."""

from enum import StrEnum
from typing import Annotated

from pydantic import Field

from app import identifiers
from app.ijw.standard import PRODUCT_CATEGORIES, enumeration
from app.models.base import ApiModel, PublicModel
from app.schemas.reference_geography import Description, Name

ProfileCode = identifiers.ProfileCode
IntensityCode = identifiers.IntensityCode


class Segment(StrEnum):
    A = "A"  # local team, free access
    B = "B"  # specialist, referral, regional tariff
    C = "C"  # multi-problem, provider-specific tariff


# iJw product categories (JZ020), read from the iJw 3.2 basisschema.
IjwCategory = StrEnum(  # type: ignore[misc]
    "IjwCategory", {f"C{value}": value for value in sorted(enumeration(PRODUCT_CATEGORIES))}
)
IjwProductCode = Annotated[str, Field(pattern=r"^[A-Za-z0-9]{1,5}$", examples=["P06I2"])]


class IjwProduct(ApiModel):
    """The iJw product (category JZ020 + product code, at most 5 characters) allocated in JW301."""

    category: IjwCategory
    code: IjwProductCode


class IntensityCreate(ApiModel):
    code: IntensityCode
    name: Name
    max_months: Annotated[
        int, Field(ge=1, le=120, description="The longest a trajectory at this intensity runs.")
    ]
    ijw_product: IjwProduct | None = Field(
        default=None,
        description="Without it the iJw product is category `50`, code profile + intensity (`P06I2`).",
    )


class IjwProductPublic(PublicModel):
    category: IjwCategory
    code: str


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
    ijw_product: IjwProductPublic = Field(
        description="The iJw product in force (the default when none is set)."
    )


class SupportProfilePublic(PublicModel):
    code: str
    name: str
    segment: Segment
    description: str | None
    intensities: list[IntensityPublic]
