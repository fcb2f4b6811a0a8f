"""Providers (AGB code), their framework contracts with products, and tariffs."""

import uuid
from datetime import date, datetime

from sqlalchemy import ARRAY, DDL, CheckConstraint, String, event, text
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlmodel import Field, SQLModel

from app.models.base import cents, day, id_field, timestamp

# Stands for "no provider" (a regional tariff) in the tariff exclusion constraint.
NO_PROVIDER = "00000000-0000-0000-0000-000000000000"


class Provider(SQLModel, table=True):
    __tablename__ = "providers"

    id: uuid.UUID = id_field()
    agb_code: str = Field(max_length=8, unique=True)
    name: str = Field(max_length=200)
    municipalities: list[str] = Field(default_factory=list, sa_type=ARRAY(String(6)))
    created_at: datetime = timestamp()


class Contract(SQLModel, table=True):
    """Which products a provider may deliver in a region, from when, on which payment model."""

    __tablename__ = "contracts"
    __table_args__ = (
        CheckConstraint("payment_model IN ('milestone','monthly','lumpsum')", name="payment_model"),
        CheckConstraint("start_share_percent BETWEEN 0 AND 100", name="start_share"),
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="period"),
    )

    id: uuid.UUID = id_field()
    provider_id: uuid.UUID = Field(foreign_key="providers.id", index=True)
    region_id: uuid.UUID = Field(foreign_key="regions.id", index=True)
    valid_from: date = day()
    valid_to: date | None = day(nullable=True)
    payment_model: str = Field(max_length=10)
    start_share_percent: int = 70
    result_share_percent: int | None = None
    completion_on_dropout: bool = False
    capacity: int | None = None
    lumpsum_period_cents: int | None = cents(nullable=True)
    created_at: datetime = timestamp()


class ContractProduct(SQLModel, table=True):
    __tablename__ = "contract_products"

    contract_id: uuid.UUID = Field(foreign_key="contracts.id", primary_key=True, ondelete="CASCADE")
    profile_code: str = Field(foreign_key="support_profiles.code", primary_key=True, max_length=3)
    intensity_code: str = Field(primary_key=True, max_length=2)


class Tariff(SQLModel, table=True):
    """Price of a profile × intensity: regional (segment B) or per provider (segment C).

    Validity periods (``valid_to`` inclusive, open-ended when null) of the same region,
    product and provider never overlap: an exclusion constraint (btree_gist) enforces it,
    also between concurrent transactions.
    """

    __tablename__ = "tariffs"
    __table_args__ = (
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="period"),
        ExcludeConstraint(
            ("region_id", "="),
            ("profile_code", "="),
            ("intensity_code", "="),
            (text(f"coalesce(provider_id, '{NO_PROVIDER}'::uuid)"), "="),
            (text("daterange(valid_from, valid_to, '[]')"), "&&"),
            using="gist",
            name="ex_tariffs_no_overlap",
        ),
    )

    id: uuid.UUID = id_field()
    region_id: uuid.UUID = Field(foreign_key="regions.id", index=True)
    profile_code: str = Field(foreign_key="support_profiles.code", max_length=3)
    intensity_code: str = Field(max_length=2)
    provider_id: uuid.UUID | None = Field(default=None, foreign_key="providers.id", index=True)
    valid_from: date = day()
    valid_to: date | None = day(nullable=True)
    amount_cents: int = cents()
    created_at: datetime = timestamp()


# The exclusion constraint on tariffs needs btree_gist (equality on uuid and text in a GiST index).
event.listen(Tariff.__table__, "before_create", DDL("CREATE EXTENSION IF NOT EXISTS btree_gist"))
