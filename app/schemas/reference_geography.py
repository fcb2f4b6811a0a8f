"""Request and response bodies of regions, municipalities, districts, indicators and teams."""

import math
import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from app.identifiers import DistrictCode, MunicipalityCode
from app.models.base import NO_NUL, ApiModel, PublicModel

# Text may hold any character but NUL, which PostgreSQL text cannot store (400, not 500).
# The largest value an integer column holds.
INT32_MAX = 2_147_483_647

Name = Annotated[str, Field(min_length=1, max_length=200, pattern=NO_NUL)]
Description = Annotated[str, Field(max_length=4000, pattern=NO_NUL)]


class TeamKind(StrEnum):
    PARENT_CHILD = "parent_child"
    SAMEN_DOEN = "samen_doen"
    NEIGHBOURHOOD = "neighbourhood"
    INTAKE = "intake"


class RegionCreate(ApiModel):
    name: Name


class RegionPublic(PublicModel):
    id: uuid.UUID
    name: str
    created_at: datetime


class MunicipalityCreate(ApiModel):
    code: MunicipalityCode
    name: Name
    region_id: uuid.UUID


class MunicipalityPublic(PublicModel):
    code: str
    name: str
    region_id: uuid.UUID


class DistrictCreate(ApiModel):
    code: DistrictCode = Field(description="CBS wijkcode: `WK` + the municipality's 4 digits + 2 digits.")
    name: Name
    municipality_code: MunicipalityCode


class DistrictPublic(PublicModel):
    code: str
    name: str
    municipality_code: str


class TeamCreate(ApiModel):
    name: Name
    kind: TeamKind
    district_codes: list[DistrictCode] = Field(
        default_factory=list,
        max_length=200,
        description="Districts of the caller's municipality the team serves; may be empty only for `intake`.",
    )


class TeamPublic(PublicModel):
    id: uuid.UUID
    name: str
    kind: TeamKind
    municipality_code: str
    district_codes: list[str]
    created_at: datetime


def _finite_number(value: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PydanticCustomError("not_a_number", "Indicator values must be numbers.")
    if isinstance(value, float) and not math.isfinite(value):
        raise PydanticCustomError("not_a_number", "Indicator values must be finite numbers.")
    return value


IndicatorNumber = Annotated[Any, AfterValidator(_finite_number)]


class DistrictIndicatorsPut(ApiModel):
    """A district's indicators for a year; properties beyond the named ones must be numbers."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "additionalProperties": {"type": "number"},
            "examples": [{"youthPopulation": 4210, "lowIncomeShare": 0.12, "singleParentShare": 0.09}],
        },
    )
    __pydantic_extra__: dict[str, IndicatorNumber]

    youth_population: Annotated[
        int, Field(strict=True, ge=0, le=INT32_MAX, description="Residents aged 0–17.")
    ]
    low_income_share: Annotated[
        float | None,
        Field(strict=True, ge=0, le=1, description="Share of low-income households, 0–1."),
    ] = None

    def indicator_values(self) -> dict[str, int | float]:
        """All indicators keyed by their camelCase names, as stored and used for allocation."""
        values: dict[str, int | float] = {"youthPopulation": self.youth_population}
        if self.low_income_share is not None:
            values["lowIncomeShare"] = self.low_income_share
        values.update(self.__pydantic_extra__ or {})
        return values


class DistrictIndicatorsPublic(PublicModel):
    district_code: str
    year: int
    youth_population: int | None
    values: dict[str, int | float]
    updated_at: datetime
