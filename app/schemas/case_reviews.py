"""Request and response bodies of the case-review queue (overlegtafel)."""

import uuid
from datetime import date, datetime

from pydantic import Field

from app.models.base import ApiModel, PublicModel, value_enum
from app.schemas.families import MemberRole

Flag = value_enum(
    "ReviewFlag",
    "past_expected_end",
    "overdue_handoff",
    "declined_by_providers",
    "waiting_over_8_weeks",
    "turning_18",
    "allocation_request_late",
)
DecisionCode = value_enum(
    "ReviewDecision",
    "discuss_with_family",
    "extend_engagement",
    "switch_provider",
    "arrange_municipal_service",
    "escalate",
    "close_engagement",
    "no_action",
)
ReviewStatus = value_enum("ReviewStatus", "open", "decided", "resolved")
ReviewSubjectType = value_enum("ReviewSubjectType", "engagement", "handoff", "support_profile")


class DecisionCreate(ApiModel):
    decision: DecisionCode
    note: str | None = Field(default=None, max_length=2000, description="Shown to the team only.")


class DecisionPublic(PublicModel):
    id: uuid.UUID
    decision: DecisionCode
    note: str | None = Field(description="Null for municipality officers.")
    decided_by_role: str
    decided_at: datetime


class CaseMember(PublicModel):
    id: uuid.UUID
    role: MemberRole
    given_name: str
    family_name: str
    birth_date: date


class CaseDetails(PublicModel):
    """The case behind the pseudonym: only for the family's own team."""

    subject_type: ReviewSubjectType
    subject_id: uuid.UUID
    family_id: uuid.UUID
    members: list[CaseMember]


class CaseReviewPublic(PublicModel):
    id: uuid.UUID
    pseudonym: str
    flag: Flag
    district_code: str
    team_id: uuid.UUID
    status: ReviewStatus
    flagged_at: datetime
    decisions: list[DecisionPublic]
    case: CaseDetails | None = Field(description="Null for municipality officers.")
