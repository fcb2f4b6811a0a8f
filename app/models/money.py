"""Money: the append-only payment ledger, export batches, budgets and allocations."""

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, Index
from sqlmodel import Field, SQLModel

from app.models.base import MunicipalTable, cents, day, id_field, jsonb, text, timestamp


class PaymentLine(MunicipalTable, table=True):
    """One ledger line: scheduled → approved → exported → paid. Corrections are new lines."""

    __tablename__ = "payment_lines"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('start','completion','monthly','result','lumpsum','correction')", name="kind"
        ),
        Index("ix_payment_lines_status_period", "municipality_code", "status", "period"),
        # insights and budget status: lines due in a period
        Index("ix_payment_lines_municipality_due", "municipality_code", "due_date"),
    )

    engagement_id: uuid.UUID | None = Field(default=None, foreign_key="engagements.id", index=True)
    contract_id: uuid.UUID = Field(foreign_key="contracts.id", index=True)
    provider_id: uuid.UUID = Field(foreign_key="providers.id", index=True)
    district_code: str | None = Field(default=None, foreign_key="districts.code", max_length=8)
    kind: str = Field(max_length=12)
    amount_cents: int = cents()
    due_date: date = day()
    period: str = Field(max_length=7)  # YYYY-MM
    status: str = Field(default="scheduled", max_length=10)
    batch_id: uuid.UUID | None = Field(default=None, foreign_key="payment_batches.id", index=True)
    corrects_line_id: uuid.UUID | None = Field(default=None, foreign_key="payment_lines.id")
    note: str | None = text(nullable=True)
    created_at: datetime = timestamp()
    approved_at: datetime | None = timestamp(nullable=True)
    approved_by: str | None = Field(default=None, max_length=200)


class PaymentBatch(MunicipalTable, table=True):
    """An export of approved lines for a period; asking again returns the same batch."""

    __tablename__ = "payment_batches"
    __table_args__ = (
        Index("uq_payment_batches_key", "municipality_code", "period", "provider_key", unique=True),
    )

    period: str = Field(max_length=7)
    provider_key: str = text()  # sorted provider ids, or '*'
    line_count: int
    total_cents: int = cents()
    created_by: str = Field(max_length=200)
    created_at: datetime = timestamp()


class Budget(MunicipalTable, table=True):
    __tablename__ = "budgets"
    __table_args__ = (
        Index(
            "uq_budgets_key",
            "municipality_code",
            "district_code",
            "year",
            "category",
            unique=True,
            postgresql_nulls_not_distinct=True,
        ),
        CheckConstraint(
            "category IN ('specialist','local_team','prevention','lumpsum')", name="category"
        ),
    )

    district_code: str | None = Field(default=None, foreign_key="districts.code", max_length=8)
    year: int
    category: str = Field(max_length=12)
    amount_cents: int = cents()
    allocation_id: uuid.UUID | None = Field(default=None, foreign_key="budget_allocations.id")
    updated_at: datetime = timestamp()


class BudgetAllocation(MunicipalTable, table=True):
    """An allocation of a municipality total over its districts by weighted indicators."""

    __tablename__ = "budget_allocations"

    year: int
    category: str = Field(max_length=12)
    total_cents: int = cents()
    weights: dict[str, Any] = jsonb()
    result: list[dict[str, Any]] = jsonb(default_factory=list)
    created_by: str = Field(max_length=200)
    created_at: datetime = timestamp()


class CaseReview(MunicipalTable, table=True):
    """A flagged case for the case-review table (overlegtafel)."""

    __tablename__ = "case_reviews"
    __table_args__ = (Index("uq_case_reviews_flag", "flag", "subject_id", unique=True),)

    pseudonym: str = Field(max_length=20, unique=True)
    flag: str = Field(max_length=30)
    subject_type: str = Field(max_length=20)  # engagement / handoff / plan
    subject_id: uuid.UUID
    family_id: uuid.UUID = Field(foreign_key="families.id", index=True)
    team_id: uuid.UUID = Field(foreign_key="teams.id", index=True)
    district_code: str = Field(foreign_key="districts.code", max_length=8)
    status: str = Field(default="open", max_length=10)  # open / decided
    flagged_at: datetime = timestamp()


class CaseReviewDecision(SQLModel, table=True):
    __tablename__ = "case_review_decisions"

    id: uuid.UUID = id_field()
    case_review_id: uuid.UUID = Field(foreign_key="case_reviews.id", index=True)
    decision: str = Field(max_length=40)
    note: str | None = text(nullable=True)
    decided_by: str = Field(max_length=200)
    decided_by_role: str = Field(max_length=40)
    decided_at: datetime = timestamp()
