"""The perspective plan (perspectiefplan) and its parts."""

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Index, UniqueConstraint
from sqlalchemy import text as sql_text
from sqlmodel import Field, SQLModel

from app.models.base import MunicipalTable, day, id_field, jsonb, text, timestamp


class Plan(MunicipalTable, table=True):
    """One family's integral plan. ``version`` is bumped on every change and is the ETag.

    ``agreed_version`` is the snapshot in force; while a revision is being drafted the plan
    keeps its status (agreed/active) and ``revision_open`` is true.
    """

    __tablename__ = "plans"
    __table_args__ = (
        Index(
            "uq_plans_one_open_per_family",
            "family_id",
            unique=True,
            postgresql_where=sql_text("status IN ('draft','agreed','active','evaluating')"),
        ),
    )

    family_id: uuid.UUID = Field(foreign_key="families.id", index=True)
    status: str = Field(default="draft", max_length=12)
    version: int = 1
    agreed_version: int | None = None
    revision_open: bool = False
    family_vision: str | None = text(nullable=True)
    summary: str | None = text(nullable=True)
    created_by: str = Field(max_length=200)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()
    agreed_at: datetime | None = timestamp(nullable=True)
    activated_at: datetime | None = timestamp(nullable=True)
    evaluating_at: datetime | None = timestamp(nullable=True)
    evaluated_at: datetime | None = timestamp(nullable=True)
    closed_at: datetime | None = timestamp(nullable=True)
    withdrawn_at: datetime | None = timestamp(nullable=True)


class PlanAssessment(SQLModel, table=True):
    """Assessment of one life domain: ZRM score 1–5 or explicitly not relevant."""

    __tablename__ = "plan_assessments"
    __table_args__ = (UniqueConstraint("plan_id", "domain_code"),)

    id: uuid.UUID = id_field()
    plan_id: uuid.UUID = Field(foreign_key="plans.id", index=True, ondelete="CASCADE")
    domain_code: str = Field(foreign_key="life_domains.code", max_length=40)
    score: int | None = None
    relevant: bool = True
    situation: str | None = text(nullable=True)
    family_wish: str | None = text(nullable=True)
    final_score: int | None = None  # recorded at evaluation
    updated_at: datetime = timestamp()


class Goal(MunicipalTable, table=True):
    __tablename__ = "goals"

    plan_id: uuid.UUID = Field(foreign_key="plans.id", index=True, ondelete="CASCADE")
    domain_code: str = Field(foreign_key="life_domains.code", max_length=40)
    member_id: uuid.UUID | None = Field(default=None, foreign_key="family_members.id")
    description: str = text()
    desired_result: str | None = text(nullable=True)
    target_date: date | None = day(nullable=True)
    status: str = Field(default="open", max_length=16)
    created_by: str = Field(max_length=200)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class PlanSupportProfile(SQLModel, table=True):
    """A support profile × intensity attached to the plan for one child."""

    __tablename__ = "plan_support_profiles"

    id: uuid.UUID = id_field()
    plan_id: uuid.UUID = Field(foreign_key="plans.id", index=True, ondelete="CASCADE")
    member_id: uuid.UUID = Field(foreign_key="family_members.id", index=True)
    profile_code: str = Field(foreign_key="support_profiles.code", max_length=3)
    intensity_code: str = Field(max_length=2)
    problem_description: str = text()
    referral_id: uuid.UUID | None = Field(default=None, foreign_key="referrals.id")
    created_at: datetime = timestamp()


class PlanSignature(SQLModel, table=True):
    __tablename__ = "plan_signatures"

    id: uuid.UUID = id_field()
    plan_id: uuid.UUID = Field(foreign_key="plans.id", index=True, ondelete="CASCADE")
    version: int
    signer_kind: str = Field(max_length=12)  # family / professional
    member_id: uuid.UUID | None = Field(default=None, foreign_key="family_members.id")
    team_id: uuid.UUID | None = Field(default=None, foreign_key="teams.id")
    subject: str = Field(max_length=200)
    signed_at: datetime = timestamp()


class PlanVersion(SQLModel, table=True):
    """A frozen snapshot of an agreed version of the plan."""

    __tablename__ = "plan_versions"

    plan_id: uuid.UUID = Field(foreign_key="plans.id", primary_key=True, ondelete="CASCADE")
    version: int = Field(primary_key=True)
    snapshot: dict[str, Any] = jsonb()
    agreed_at: datetime = timestamp()
