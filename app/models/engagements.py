"""Engagements (toewijzing + hoofdaannemerschap): one child's trajectory with one provider."""

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import DateTime, Index, Sequence
from sqlalchemy import text as sql_text
from sqlmodel import Field, SQLModel

from app.models.base import MunicipalTable, cents, day, id_field, jsonb, text, timestamp

# iJw ToewijzingNummer: issued at acceptance, 8 digits, unique across the service.
ASSIGNMENT_NUMBER_SEQUENCE = Sequence("engagement_assignment_number_seq", metadata=SQLModel.metadata)


class Engagement(MunicipalTable, table=True):
    """States: requested → accepted → started → closed; requested → declined;
    requested|accepted → withdrawn. Tariff, contract and payment model frozen at acceptance.
    """

    __tablename__ = "engagements"
    __table_args__ = (
        # a provider's engagements in a municipality, oldest request first (keyset)
        Index("ix_engagements_provider_requested", "provider_id", "municipality_code", "requested_at", "id"),
        # insights: engagements started, and closed, in a period
        Index("ix_engagements_municipality_start", "municipality_code", "start_date"),
        Index(
            "ix_engagements_municipality_closed",
            "municipality_code",
            "end_date",
            postgresql_where=sql_text("status = 'closed'"),
        ),
    )

    family_id: uuid.UUID = Field(foreign_key="families.id", index=True)
    plan_id: uuid.UUID = Field(foreign_key="plans.id", index=True)
    member_id: uuid.UUID = Field(foreign_key="family_members.id", index=True)
    plan_support_profile_id: uuid.UUID = Field(foreign_key="plan_support_profiles.id")
    referral_id: uuid.UUID | None = Field(default=None, foreign_key="referrals.id")
    district_code: str = Field(foreign_key="districts.code", index=True, max_length=8)
    team_id: uuid.UUID = Field(foreign_key="teams.id", index=True)
    profile_code: str = Field(foreign_key="support_profiles.code", max_length=3)
    intensity_code: str = Field(max_length=2)
    provider_id: uuid.UUID = Field(foreign_key="providers.id", index=True)
    status: str = Field(default="requested", max_length=10, index=True)
    choice_reason: str | None = text(nullable=True)
    requested_by: str = Field(max_length=200)
    requested_at: datetime = timestamp()
    answered_at: datetime | None = timestamp(nullable=True)
    decline_reason_code: str | None = Field(default=None, max_length=4)
    decline_reason: str | None = text(nullable=True)
    withdrawn_at: datetime | None = timestamp(nullable=True)
    assignment_number: str | None = Field(default=None, max_length=20, unique=True)
    contract_id: uuid.UUID | None = Field(default=None, foreign_key="contracts.id")
    tariff_cents: int | None = cents(nullable=True)
    payment_model: str | None = Field(default=None, max_length=10)
    start_share_percent: int | None = None
    result_share_percent: int | None = None
    start_date: date | None = day(nullable=True)
    end_date: date | None = day(nullable=True)
    end_reason: str | None = Field(default=None, max_length=2)
    problem_reduction: int | None = None
    closed_at: datetime | None = timestamp(nullable=True)
    # Closed by an end-of-care message (JW307) that carries no goal scores: the closure report
    # (final GAS per goal, problem reduction) follows; outcome figures leave it out until then.
    outcome_pending: bool = Field(default=False, sa_column_kwargs={"server_default": "false"})


class EngagementGoal(SQLModel, table=True):
    """A plan goal in an engagement's scope, with its final GAS score at closure."""

    __tablename__ = "engagement_goals"

    engagement_id: uuid.UUID = Field(foreign_key="engagements.id", primary_key=True, ondelete="CASCADE")
    goal_id: uuid.UUID = Field(foreign_key="goals.id", primary_key=True)
    final_gas_score: int | None = None


class TreatmentPlan(MunicipalTable, table=True):
    __tablename__ = "treatment_plans"

    engagement_id: uuid.UUID = Field(foreign_key="engagements.id", unique=True)
    version: int = 1
    status: str = Field(default="draft", max_length=10)  # draft / submitted
    approach: str = text()
    expected_end_date: date | None = day(nullable=True)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()
    submitted_at: datetime | None = timestamp(nullable=True)


class TreatmentActivity(SQLModel, table=True):
    __tablename__ = "treatment_activities"

    id: uuid.UUID = id_field()
    treatment_plan_id: uuid.UUID = Field(foreign_key="treatment_plans.id", index=True, ondelete="CASCADE")
    position: int = 0
    description: str = text()
    frequency: str | None = Field(default=None, max_length=120)
    subcontract_id: uuid.UUID | None = Field(default=None, foreign_key="subcontracts.id")


class TreatmentActivityGoal(SQLModel, table=True):
    __tablename__ = "treatment_activity_goals"

    activity_id: uuid.UUID = Field(
        foreign_key="treatment_activities.id", primary_key=True, ondelete="CASCADE"
    )
    goal_id: uuid.UUID = Field(foreign_key="goals.id", primary_key=True)


class Subcontract(MunicipalTable, table=True):
    __tablename__ = "subcontracts"

    engagement_id: uuid.UUID = Field(foreign_key="engagements.id", index=True)
    provider_id: uuid.UUID | None = Field(default=None, foreign_key="providers.id", index=True)
    agb_code: str = Field(max_length=8)
    name: str = Field(max_length=200)
    scope: str = text()
    start_date: date = day()
    end_date: date | None = day(nullable=True)
    created_at: datetime = timestamp()


class Handoff(MunicipalTable, table=True):
    """A request to the municipality to act on another life domain (signaal)."""

    __tablename__ = "handoffs"

    family_id: uuid.UUID = Field(foreign_key="families.id", index=True)
    plan_id: uuid.UUID = Field(foreign_key="plans.id", index=True)
    engagement_id: uuid.UUID | None = Field(default=None, foreign_key="engagements.id", index=True)
    domain_code: str = Field(foreign_key="life_domains.code", max_length=40)
    need: str = text()
    urgency: str = Field(max_length=8)  # crisis / urgent / routine
    route_to: str = Field(default="team", max_length=80)  # team, or a municipal service name
    team_id: uuid.UUID | None = Field(default=None, foreign_key="teams.id", index=True)
    status: str = Field(default="open", max_length=12)
    raised_by: str = Field(max_length=200)
    raised_by_role: str = Field(max_length=40)
    raised_by_provider_id: uuid.UUID | None = Field(default=None, foreign_key="providers.id")
    due_at: datetime = Field(sa_type=DateTime(timezone=True), index=True)
    created_at: datetime = timestamp()
    acknowledged_at: datetime | None = timestamp(nullable=True)
    started_at: datetime | None = timestamp(nullable=True)
    resolved_at: datetime | None = timestamp(nullable=True)
    declined_at: datetime | None = timestamp(nullable=True)
    resolution: str | None = text(nullable=True)
    decline_reason: str | None = text(nullable=True)


class ProgressReport(MunicipalTable, table=True):
    __tablename__ = "progress_reports"

    engagement_id: uuid.UUID = Field(foreign_key="engagements.id", index=True)
    problem_reduction: int
    goals: list[dict[str, Any]] = jsonb(default_factory=list)  # [{goalId, gasScore, note}]
    reported_by: str = Field(max_length=200)
    reported_at: datetime = timestamp()


class ExperienceSurvey(MunicipalTable, table=True):
    __tablename__ = "experience_surveys"

    engagement_id: uuid.UUID = Field(foreign_key="engagements.id", index=True)
    respondent_member_id: uuid.UUID = Field(foreign_key="family_members.id")
    respondent_kind: str = Field(max_length=6)  # parent / youth
    score: int
    answers: dict[str, Any] = jsonb()
    submitted_at: datetime = timestamp()
