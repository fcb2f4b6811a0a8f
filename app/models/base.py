"""Shared pieces of the models: naming convention, column helpers and schema base classes.

Tables are SQLModel classes with ``table=True`` (those whose rows belong to one municipality
built on :class:`MunicipalTable`); request and response schemas are plain
pydantic models built on :class:`ApiModel` (input: camelCase, unknown properties refused)
and :class:`PublicModel` (output: camelCase, read from ORM attributes).
"""

import re
import uuid
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, field_validator
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError
from sqlalchemy import BigInteger, Date, DateTime, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION


def utcnow() -> datetime:
    return datetime.now(UTC)


def id_field() -> Any:
    return Field(default_factory=uuid.uuid4, primary_key=True)


def fk(target: str, *, nullable: bool = False, index: bool = True, ondelete: str | None = None) -> Any:
    return Field(
        default=None if nullable else ...,
        foreign_key=target,
        nullable=nullable,
        index=index,
        ondelete=ondelete,
    )


def municipality_field() -> Any:
    """The municipality code every case table carries (distribution key, DESIGN §12)."""
    return Field(foreign_key="municipalities.code", index=True, max_length=6)


class MunicipalTable(SQLModel):
    """Base of the tables whose rows belong to one municipality: their UUID key, and the
    municipality code every such table carries (the distribution key, DESIGN §12)."""

    id: uuid.UUID = id_field()
    municipality_code: str = municipality_field()


def timestamp(*, nullable: bool = False, default_now: bool = True) -> Any:
    if default_now and not nullable:
        return Field(default_factory=utcnow, sa_type=DateTime(timezone=True), nullable=False)
    return Field(default=None, sa_type=DateTime(timezone=True), nullable=True)


def day(*, nullable: bool = False) -> Any:
    return Field(default=None if nullable else ..., sa_type=Date, nullable=nullable)


def text(*, nullable: bool = False, default: str | None = None) -> Any:
    if nullable:
        return Field(default=None, sa_type=Text, nullable=True)
    return Field(default=default if default is not None else ..., sa_type=Text, nullable=False)


def jsonb(*, nullable: bool = False, default_factory: Any = dict) -> Any:
    if nullable:
        return Field(default=None, sa_type=JSONB, nullable=True)
    return Field(default_factory=default_factory, sa_type=JSONB, nullable=False)


def cents(*, nullable: bool = False) -> Any:
    return Field(default=None if nullable else ..., sa_type=BigInteger, nullable=nullable)


# PostgreSQL text and JSONB cannot hold the NUL character: refuse it at the edge (400), for
# every string of every request body, including keys and values inside free JSON objects.
NO_NUL = r"^[^\x00]*$"


def _contains_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_contains_nul(k) or _contains_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return any(_contains_nul(v) for v in value)
    return False


class ApiModel(BaseModel):
    """Base of request bodies: camelCase on the wire, unknown properties rejected, no NUL."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", str_strip_whitespace=True
    )

    @field_validator("*", mode="after")
    @classmethod
    def _refuse_nul(cls, value: Any) -> Any:
        if _contains_nul(value):
            raise PydanticCustomError("nul_character", "Text may not contain the NUL character.")
        return value


ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
EARLIEST_YEAR, LATEST_YEAR = 1900, 2999


def _iso_date_text(value: Any) -> Any:
    """A date in a query string is written YYYY-MM-DD (not a number read as a timestamp)."""
    if isinstance(value, str) and not ISO_DATE.fullmatch(value):
        raise PydanticCustomError("date_format", "Dates are written YYYY-MM-DD.")
    return value


def _plausible_year(value: date) -> date:
    """Periods are computed around query dates; year 1 or 9999 would overflow that arithmetic."""
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise PydanticCustomError("date_range", "The date lies outside the years 1900–2999.")
    return value


QueryDate = Annotated[date, BeforeValidator(_iso_date_text), AfterValidator(_plausible_year)]


class PublicModel(BaseModel):
    """Base of response bodies: camelCase on the wire, built from ORM objects."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, from_attributes=True)


def value_enum(name: str, *values: str, doc: str | None = None) -> type[StrEnum]:
    """A string enum whose members are named by their values (``"01"``, ``"in_use"``).

    The OpenAPI document shows it as one named schema (``$ref``), so generated clients get
    one typed enum instead of a plain string or an anonymous inline one per property.
    """
    enum = StrEnum(name, [(value, value) for value in values], module="app.schemas")  # type: ignore[misc]
    enum.__doc__ = doc
    return enum


T = TypeVar("T")


class Page(PublicModel, Generic[T]):
    """A page of a keyset-paginated list."""

    items: list[T]
    next_cursor: str | None = None


__all__ = [
    "ApiModel",
    "MunicipalTable",
    "Page",
    "PublicModel",
    "SQLModel",
    "date",
    "datetime",
    "uuid",
    "value_enum",
]
