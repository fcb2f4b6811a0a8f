"""Request and response bodies of providers, their contracts, and tariffs."""

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, ClassVar

from pydantic import Field

from app import identifiers
from app.models.base import ApiModel, PublicModel
from app.rules import ModelRule
from app.schemas.reference_catalogue import IntensityCode, ProfileCode
from app.schemas.reference_geography import INT32_MAX, MunicipalityCode, Name

AgbCode = Annotated[identifiers.AgbCode, Field(examples=["12345678"], description="AGB code: 8 digits.")]
Percent = Annotated[int, Field(ge=0, le=100)]
# Amounts up to €100 million; beyond that an amount is a typing error, not a price.
AmountCents = Annotated[int, Field(gt=0, le=100_000_000_00)]
Capacity = Annotated[int, Field(ge=0, le=INT32_MAX)]


def _period_order(raw: dict[str, Any]) -> list[tuple[str, str, str]]:
    try:
        start, end = date.fromisoformat(raw["validFrom"]), date.fromisoformat(raw["validTo"])
    except (KeyError, TypeError, ValueError):
        return []
    return [("validTo", "invalid_period", "validTo lies before validFrom.")] if end < start else []


class Period(ApiModel):
    """``validFrom`` … ``validTo`` (inclusive, open-ended when left out). The service checks the
    order with its other rules; ``raw_rules`` lets a 400 of the schema list it too."""

    raw_rules: ClassVar[tuple[ModelRule, ...]] = (_period_order,)

    valid_from: date
    valid_to: date | None = None



class PaymentModel(StrEnum):
    MILESTONE = "milestone"
    MONTHLY = "monthly"
    LUMPSUM = "lumpsum"


class ProviderCreate(ApiModel):
    agb_code: AgbCode
    name: Name
    municipalities: Annotated[
        list[MunicipalityCode], Field(max_length=400, description="The municipalities the provider serves.")
    ] = []


class ProviderPublic(PublicModel):
    id: uuid.UUID
    agb_code: str
    name: str
    municipalities: list[str]
    created_at: datetime


class Product(ApiModel):
    """A priced product: a support profile at an intensity."""

    profile_code: ProfileCode
    intensity_code: IntensityCode


class ProductPublic(PublicModel):
    profile_code: str
    intensity_code: str


class ContractCreate(Period):
    region_id: Annotated[
        uuid.UUID | None,
        Field(description="Your region (the token's `region`); taken from the token when left out."),
    ] = None
    payment_model: PaymentModel
    start_share_percent: Annotated[Percent, Field(description="Share of the tariff paid at the start.")] = 70
    result_share_percent: Annotated[
        Percent | None,
        Field(description="Share of the completion part paid only when outcome criteria are met."),
    ] = None
    completion_on_dropout: Annotated[
        bool, Field(description="Whether the completion part is paid after a dropout (end reason 32/33).")
    ] = False
    capacity: Annotated[Capacity | None, Field(description="Trajectories the provider can run at once.")] = (
        None
    )
    lumpsum_period_cents: Annotated[
        AmountCents | None,
        Field(description="Fixed amount per period; required for (and only for) `lumpsum`."),
    ] = None
    products: Annotated[list[Product], Field(min_length=1, max_length=500)]


class ContractPublic(PublicModel):
    id: uuid.UUID
    provider_id: uuid.UUID
    region_id: uuid.UUID
    valid_from: date
    valid_to: date | None
    payment_model: PaymentModel
    start_share_percent: int
    result_share_percent: int | None
    completion_on_dropout: bool
    capacity: int | None
    lumpsum_period_cents: int | None
    products: list[ProductPublic]
    created_at: datetime


class TariffCreate(Period):
    profile_code: ProfileCode
    intensity_code: IntensityCode
    provider_id: Annotated[
        uuid.UUID | None,
        Field(description="Required for segment C (provider tariff), forbidden for A and B."),
    ] = None
    amount_cents: AmountCents


class TariffPublic(PublicModel):
    id: uuid.UUID
    region_id: uuid.UUID
    profile_code: str
    intensity_code: str
    provider_id: uuid.UUID | None
    valid_from: date
    valid_to: date | None
    amount_cents: int
    created_at: datetime
