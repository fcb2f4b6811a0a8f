"""Request and response bodies of budgets, budget allocations and budget status."""

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import Field

from app.identifiers import DistrictCode, IndicatorName, MunicipalityCode
from app.models.base import ApiModel, PublicModel, value_enum

Category = value_enum("BudgetCategory", "specialist", "local_team", "prevention", "lumpsum")
Year = Annotated[int, Field(ge=2000, le=2100)]


class BudgetPut(ApiModel):
    district_code: DistrictCode | None = Field(
        default=None, description="Absent: the municipality as a whole."
    )
    amount_cents: int = Field(ge=0, le=10**13)


class BudgetPublic(PublicModel):
    id: uuid.UUID
    municipality_code: str
    district_code: str | None
    year: int
    category: Category
    amount_cents: int
    allocation_id: uuid.UUID | None
    updated_at: datetime


class AllocationCreate(ApiModel):
    municipality: MunicipalityCode
    year: Year
    category: Category
    total_cents: int = Field(ge=0, le=10**13)
    weights: dict[IndicatorName, float] = Field(
        min_length=1, max_length=20, examples=[{"youthPopulation": 0.7, "lowIncomeShare": 0.3}]
    )


class AllocationDistrict(PublicModel):
    district_code: str
    district_name: str
    indicators: dict[str, float] = Field(description="The indicator values used.")
    indicator_shares: dict[str, float] = Field(description="The district's share of each indicator's total.")
    share: float = Field(description="Weighted mean of the indicator shares.")
    amount_cents: int


class AllocationPublic(PublicModel):
    id: uuid.UUID
    municipality_code: str
    year: int
    category: Category
    total_cents: int
    weights: dict[str, float]
    districts: list[AllocationDistrict] = Field(validation_alias="result")
    created_at: datetime


class BudgetStatusRow(PublicModel):
    district_code: str | None
    category: Category
    allocated_cents: int | None
    committed_cents: int
    spent_cents: int
    forecast_cents: int
    over_committed: bool
    forecast_overrun: bool


class BudgetStatusPublic(PublicModel):
    municipality_code: str
    year: int
    as_of_date: date
    items: list[BudgetStatusRow]
    totals: list[BudgetStatusRow] = Field(description="Per category over all districts and the municipality.")
