"""Rows of a catalogue import (CSV or JSON) and the import's result.

Every row names its ``kind``; the other properties are those of that kind (the CSV columns
of the same names). See the ``POST /catalogue-imports`` description for the layout.
"""

from datetime import date
from typing import Annotated, Literal

from pydantic import Field

from app.models.base import ApiModel, PublicModel
from app.schemas.reference_catalogue import IjwCategory, IjwProductCode, IntensityCode, ProfileCode, Segment
from app.schemas.reference_geography import Name
from app.schemas.reference_providers import AgbCode, AmountCents, Capacity, PaymentModel, Percent, Product


class ProfileRow(ApiModel):
    """One intensity of a profile; rows of the same ``profileCode`` make up one profile."""

    kind: Literal["profile"]
    profile_code: ProfileCode
    profile_name: Name
    segment: Segment
    intensity_code: IntensityCode
    intensity_name: Name
    max_months: Annotated[int, Field(ge=1, le=120)]
    ijw_category: IjwCategory | None = None
    ijw_code: IjwProductCode | None = None


class TariffRow(ApiModel):
    kind: Literal["tariff"]
    profile_code: ProfileCode
    intensity_code: IntensityCode
    provider_agb_code: AgbCode | None = None
    valid_from: date
    valid_to: date | None = None
    amount_cents: AmountCents


class ContractRow(ApiModel):
    kind: Literal["contract"]
    provider_agb_code: AgbCode
    valid_from: date
    valid_to: date | None = None
    payment_model: PaymentModel
    start_share_percent: Percent = 70
    result_share_percent: Percent | None = None
    completion_on_dropout: bool = False
    capacity: Capacity | None = None
    lumpsum_period_cents: AmountCents | None = None
    products: Annotated[list[Product], Field(min_length=1, max_length=500)]


class CatalogueImportDocument(ApiModel):
    """The JSON form of a catalogue import (the CSV form has the same columns)."""

    rows: list[Annotated[ProfileRow | TariffRow | ContractRow, Field(discriminator="kind")]]


class CatalogueImportUpload(ApiModel):
    """A ``multipart/form-data`` upload: the CSV or JSON document as the part ``file``."""

    file: bytes = Field(description="The document; its type or a `.csv`/`.json` name tells the format.")


ROW_MODELS: dict[str, type[ApiModel]] = {"profile": ProfileRow, "tariff": TariffRow, "contract": ContractRow}
COLUMNS = (
    "kind",
    "profileCode",
    "profileName",
    "segment",
    "intensityCode",
    "intensityName",
    "maxMonths",
    "providerAgbCode",
    "validFrom",
    "validTo",
    "amountCents",
    "paymentModel",
    "startSharePercent",
    "resultSharePercent",
    "completionOnDropout",
    "capacity",
    "lumpsumPeriodCents",
    "products",
    "ijwCategory",
    "ijwCode",
)


class CatalogueImportResult(PublicModel):
    """What an accepted import wrote."""

    rows: int
    profiles: int
    intensities: int
    tariffs: int
    contracts: int


class RowErrorPublic(PublicModel):
    row: int = Field(description="1-based position of the data row (the CSV header is not counted).")
    name: str
    code: str
    reason: str
