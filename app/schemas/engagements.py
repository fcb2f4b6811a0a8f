"""Request and response bodies of provider options, engagements, progress, closure and surveys."""

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import Field

from app.identifiers import AgbCode
from app.models.base import ApiModel, PublicModel, value_enum
from app.schemas.reference_providers import PaymentModel

GasScore = Annotated[int, Field(ge=-2, le=2)]
ProblemReduction = Annotated[int, Field(ge=1, le=3, description="1 none, 2 partly, 3 (largely) reduced")]
LongText = Annotated[str, Field(min_length=1, max_length=10_000)]


class EngagementStatus(StrEnum):
    REQUESTED = "requested"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    STARTED = "started"
    CLOSED = "closed"


class EndReason(StrEnum):
    """JZ588 reden beëindiging."""

    DEATH = "02"
    TEMPORARILY_ENDED = "20"
    ACCORDING_TO_PLAN = "31"
    PREMATURE_BY_CLIENT = "32"
    PREMATURE_BY_PROVIDER = "33"
    PREMATURE_BY_AGREEMENT = "34"
    PREMATURE_EXTERNAL = "35"
    BY_MUNICIPALITY = "36"
    CHANGE_REQUEST = "37"
    SWITCH_OF_PROVIDER = "38"
    OUTFLOW_OTHER_DOMAIN = "39"


View = value_enum(
    "View",
    "full",
    "restricted",
    "subcontractor",
    doc="How much of the resource the caller sees (see the resource's description).",
)
RespondentKind = value_enum("RespondentKind", "parent", "youth")
TreatmentPlanStatus = value_enum("TreatmentPlanStatus", "draft", "submitted")


class DeclineReason(StrEnum):
    """Why a provider declines a request (WJ759-like)."""

    NO_CAPACITY = "01"
    CARE_DOES_NOT_FIT = "02"
    OUTSIDE_WORKING_AREA = "03"
    CLIENT_NOT_REACHABLE = "04"
    OTHER = "05"


# ---- provider options -------------------------------------------------------------------------


class ProviderOption(PublicModel):
    provider_id: uuid.UUID
    name: str
    agb_code: str
    contract_id: uuid.UUID
    profile_code: str
    intensity_code: str
    tariff_cents: int
    waiting_days: int | None
    capacity: int | None
    free_capacity: int | None


# ---- engagement requests and transitions ------------------------------------------------------


class EngagementCreate(ApiModel):
    plan_id: uuid.UUID
    member_id: uuid.UUID
    provider_id: uuid.UUID
    choice_reason: Annotated[str | None, Field(max_length=2000)] = None
    goal_ids: Annotated[
        list[uuid.UUID] | None,
        Field(
            min_length=1,
            max_length=50,
            description="The plan goals in the engagement's scope; default: the child's open goals.",
        ),
    ] = None


class EngagementDecline(ApiModel):
    reason_code: DeclineReason
    reason: LongText


class EngagementStart(ApiModel):
    start_date: date


class ClosureGoal(ApiModel):
    goal_id: uuid.UUID
    gas_score: GasScore


class EngagementClose(ApiModel):
    end_date: date
    end_reason: EndReason
    goals: Annotated[list[ClosureGoal], Field(max_length=50)]
    problem_reduction: ProblemReduction


class ProgressGoal(ApiModel):
    goal_id: uuid.UUID
    gas_score: GasScore
    note: Annotated[str | None, Field(max_length=4000)] = None


class ProgressGoalPublic(PublicModel):
    goal_id: uuid.UUID
    gas_score: int
    note: str | None = None


class ProgressReportCreate(ApiModel):
    goals: Annotated[list[ProgressGoal], Field(min_length=1, max_length=50)]
    problem_reduction: ProblemReduction


class ExperienceSurveyCreate(ApiModel):
    respondent_member_id: uuid.UUID
    score: Annotated[int, Field(ge=1, le=10)]
    answers: Annotated[dict[str, str | int | bool | None] | None, Field(max_length=50)] = None


# ---- responses ----------------------------------------------------------------------------------


class ChildPublic(PublicModel):
    member_id: uuid.UUID
    given_name: str
    family_name: str
    birth_date: date


class EngagementGoalPublic(PublicModel):
    goal_id: uuid.UUID
    domain_code: str
    description: str | None = None
    desired_result: str | None = None
    final_gas_score: int | None = None


class EngagementFlags(PublicModel):
    request_unanswered: bool
    answer_due_date: date | None
    transition_18: bool
    adult_date: date | None


class TreatmentPlanSummary(PublicModel):
    version: int
    status: TreatmentPlanStatus
    expected_end_date: date | None
    activity_count: int
    submitted_at: datetime | None


class SubcontractPublic(PublicModel):
    id: uuid.UUID
    engagement_id: uuid.UUID
    provider_id: uuid.UUID | None
    agb_code: str
    name: str
    scope: str
    start_date: date
    end_date: date | None
    created_at: datetime


class ActivityPublic(PublicModel):
    id: uuid.UUID
    description: str | None = None
    goal_ids: list[uuid.UUID]
    subcontract_id: uuid.UUID | None
    frequency: str | None


class ExperiencePublic(PublicModel):
    parent_mean: float | None
    parent_count: int
    youth_mean: float | None
    youth_count: int


class SelfReliancePublic(PublicModel):
    domains_compared: int
    mean_change: float
    domains_improved: int
    domains_worsened: int


class OutcomePublic(PublicModel):
    end_reason: EndReason
    dropout: bool
    premature_by_agreement: bool
    problem_reduction: int | None
    goals_total: int
    goals_achieved: int
    goals_partly_achieved: int
    goal_attainment_share: float | None
    gas_t_score: float | None
    experience: ExperiencePublic
    self_reliance_change: SelfReliancePublic | None


class EngagementPublic(PublicModel):
    """An engagement as its caller may see it.

    ``view`` says how much: ``full`` (the family, its team, the main contractor under consent),
    ``restricted`` (ids, codes, states and dates only: the main contractor without consent, the
    integration bus) or ``subcontractor`` (that engagement's goals and activities only). Fields
    outside the caller's view are ``null``.
    """

    id: uuid.UUID
    view: View
    status: EngagementStatus
    provider_id: uuid.UUID | None = None
    provider_name: str | None = None
    family_id: uuid.UUID | None = None
    plan_id: uuid.UUID | None = None
    member_id: uuid.UUID | None = None
    child: ChildPublic | None = None
    district_code: str | None = None
    team_id: uuid.UUID | None = None
    profile_code: str | None = None
    intensity_code: str | None = None
    choice_reason: str | None = None
    requested_at: datetime | None = None
    answered_at: datetime | None = None
    decline_reason_code: DeclineReason | None = None
    decline_reason: str | None = None
    withdrawn_at: datetime | None = None
    assignment_number: str | None = None
    contract_id: uuid.UUID | None = None
    tariff_cents: int | None = None
    payment_model: PaymentModel | None = None
    start_share_percent: int | None = None
    result_share_percent: int | None = None
    start_date: date | None = None
    end_date: date | None = None
    end_reason: EndReason | None = None
    problem_reduction: int | None = None
    closed_at: datetime | None = None
    outcome_pending: bool | None = Field(
        default=None,
        description="Closed by an iJw end-of-care message (JW307): the closure report with the final "
        "GAS per goal is still to come (`POST /engagements/{id}/close` with the same end date and reason).",
    )
    consent_active: bool | None = None
    goals: list[EngagementGoalPublic] = []
    activities: list[ActivityPublic] | None = None
    subcontracts: list[SubcontractPublic] | None = None
    treatment_plan: TreatmentPlanSummary | None = None
    flags: EngagementFlags | None = None
    outcome: OutcomePublic | None = None


class ProgressReportPublic(PublicModel):
    id: uuid.UUID
    engagement_id: uuid.UUID
    problem_reduction: int
    goals: list[ProgressGoalPublic]
    reported_at: datetime


class ExperienceSurveyPublic(PublicModel):
    id: uuid.UUID
    engagement_id: uuid.UUID
    respondent_member_id: uuid.UUID
    respondent_kind: RespondentKind
    score: int
    submitted_at: datetime


class SubcontractCreate(ApiModel):
    agb_code: AgbCode
    name: Annotated[str, Field(min_length=1, max_length=200)]
    provider_id: uuid.UUID | None = None
    scope: LongText
    start_date: date
    end_date: date | None = None
