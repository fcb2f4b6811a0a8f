"""Request and response bodies of the perspective plan and its parts."""

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import Field

from app.models.base import ApiModel, PublicModel, value_enum
from app.schemas.engagements import EngagementStatus
from app.schemas.family_fields import DomainCode, IntensityCode, ProfileCode, Text
from app.schemas.handoffs import HandoffStatus, Urgency

Score = Annotated[int, Field(ge=1, le=5, description="ZRM self-reliance: 1 acute … 5 fully self-reliant.")]
GoalStatus = value_enum("GoalStatus", "open", "achieved", "partly_achieved", "not_achieved", "dropped")
PlanStatus = value_enum(
    "PlanStatus",
    "draft",
    "agreed",
    "active",
    "evaluating",
    "closed",
    "withdrawn",
    doc="draft → agreed → active → evaluating → closed; draft or agreed → withdrawn.",
)
SignerKind = value_enum("SignerKind", "family", "professional")


class PlanCreate(ApiModel):
    family_vision: Text | None = None
    summary: Text | None = None


class PlanUpdate(ApiModel):
    """The family's texts; only the properties sent change (``null`` empties one)."""

    family_vision: Text | None = None
    summary: Text | None = None


class AssessmentPut(ApiModel):
    score: Score | None = None
    relevant: bool = True
    situation: Text | None = None
    family_wish: Text | None = None


class GoalCreate(ApiModel):
    domain_code: DomainCode
    member_id: uuid.UUID | None = None
    description: Text = Field(description="The goal in the family's own words.")
    desired_result: Text | None = None
    target_date: date | None = None


class GoalUpdate(ApiModel):
    domain_code: DomainCode | None = None
    member_id: uuid.UUID | None = None
    description: Text | None = None
    desired_result: Text | None = None
    target_date: date | None = None
    status: GoalStatus | None = None


class PlanSupportProfileCreate(ApiModel):
    """A support profile the plan asks for one child (the catalogue's ``SupportProfile`` is the product)."""

    member_id: uuid.UUID = Field(description="The child the profile is for (the tariff is per child).")
    profile_code: ProfileCode
    intensity_code: IntensityCode
    problem_description: Text
    referral_id: uuid.UUID | None = None


class SignatureCreate(ApiModel):
    """A family member signs for itself (``memberId`` may name only the caller); a professional for its
    team (no body needed)."""

    member_id: uuid.UUID | None = None


class FinalScore(ApiModel):
    domain_code: DomainCode
    final_score: Score


class GoalOutcome(ApiModel):
    goal_id: uuid.UUID
    status: GoalStatus


class EvaluationCreate(ApiModel):
    scores: list[FinalScore] = Field(
        min_length=1, max_length=40, description="A final score for every domain assessed with a score."
    )
    goals: list[GoalOutcome] = Field(default_factory=list, max_length=500)


class AssessmentPublic(PublicModel):
    domain_code: str
    score: int | None
    relevant: bool
    situation: str | None
    family_wish: str | None
    final_score: int | None
    updated_at: datetime


class GoalPublic(PublicModel):
    id: uuid.UUID
    domain_code: str
    member_id: uuid.UUID | None
    description: str
    desired_result: str | None
    target_date: date | None
    status: GoalStatus
    created_at: datetime
    updated_at: datetime


class PlanSupportProfilePublic(PublicModel):
    id: uuid.UUID
    member_id: uuid.UUID
    profile_code: str
    intensity_code: str
    problem_description: str
    referral_id: uuid.UUID | None
    created_at: datetime


class SignaturePublic(PublicModel):
    id: uuid.UUID
    version: int
    signer_kind: SignerKind
    member_id: uuid.UUID | None
    team_id: uuid.UUID | None
    signed_at: datetime


class SignatureResult(SignaturePublic):
    """The signature and the plan's state after it (``agreed`` when both kinds are on this version)."""

    plan_status: PlanStatus
    plan_version: int
    agreed_version: int | None


class EngagementSummary(PublicModel):
    id: uuid.UUID
    member_id: uuid.UUID
    provider_id: uuid.UUID
    profile_code: str
    intensity_code: str
    status: EngagementStatus
    transition18_due: bool = Field(
        description="The child turns 18 within 6 months of this running engagement (18-/18+)."
    )
    adult_date: date | None = Field(default=None, description="The 18th birthday, when flagged.")


class HandoffSummary(PublicModel):
    id: uuid.UUID
    domain_code: str
    urgency: Urgency
    status: HandoffStatus
    due_at: datetime
    overdue: bool


class PlanSummary(PublicModel):
    id: uuid.UUID
    family_id: uuid.UUID
    status: PlanStatus
    version: int
    agreed_version: int | None
    revision_open: bool
    created_at: datetime
    updated_at: datetime
    agreed_at: datetime | None
    activated_at: datetime | None
    evaluated_at: datetime | None
    closed_at: datetime | None
    withdrawn_at: datetime | None


class PlanContent(PlanSummary):
    """The plan's own content: what a signature agrees to and a version snapshot freezes."""

    family_vision: str | None
    summary: str | None
    assessments: list[AssessmentPublic]
    goals: list[GoalPublic]
    support_profiles: list[PlanSupportProfilePublic]
    signatures: list[SignaturePublic]


class PlanPublic(PlanContent):
    """The whole plan, with summaries of its engagements and handoffs."""

    engagements: list[EngagementSummary]
    handoffs: list[HandoffSummary]
    transition18_due: bool = Field(description="A running engagement of the plan has the 18-/18+ flag.")


class PlanVersionSummary(PublicModel):
    version: int
    agreed_at: datetime


class PlanVersionPublic(PublicModel):
    plan_id: uuid.UUID
    version: int
    agreed_at: datetime
    plan: PlanContent = Field(description="The plan as agreed in this version, frozen.")
