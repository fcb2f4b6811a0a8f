"""Request and response bodies of handoffs (signalen) to other life domains."""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import Field, model_validator

from app.identifiers import DomainCode
from app.models.base import ApiModel, PublicModel
from app.schemas.engagements import View

LongText = Annotated[str, Field(min_length=1, max_length=10_000)]


class Urgency(StrEnum):
    CRISIS = "crisis"
    URGENT = "urgent"
    ROUTINE = "routine"


class HandoffStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    DECLINED = "declined"


class HandoffCreate(ApiModel):
    engagement_id: uuid.UUID | None = None
    plan_id: uuid.UUID | None = None
    domain_code: DomainCode
    need: LongText
    urgency: Urgency
    route_to: Annotated[
        str,
        Field(
            pattern=r"^[a-z][a-z0-9_]{1,79}$",
            examples=["team", "debt_counselling"],
            description="'team' (the family's district team, the default) or a named municipal service.",
        ),
    ] = "team"

    @model_validator(mode="after")
    def _one_subject(self) -> "HandoffCreate":
        if self.engagement_id is None and self.plan_id is None:
            raise ValueError("Name the engagementId or the planId the handoff is about.")
        return self


class HandoffResolve(ApiModel):
    resolution: LongText


class HandoffDecline(ApiModel):
    reason: LongText


class HandoffPublic(PublicModel):
    """A handoff; ``need``, ``resolution`` and ``declineReason`` are null in the restricted view."""

    id: uuid.UUID
    view: View
    family_id: uuid.UUID
    plan_id: uuid.UUID
    engagement_id: uuid.UUID | None
    domain_code: str
    need: str | None
    urgency: Urgency
    route_to: str
    team_id: uuid.UUID | None
    status: HandoffStatus
    raised_by_role: str
    raised_by_provider_id: uuid.UUID | None
    due_at: datetime
    overdue: bool
    created_at: datetime
    acknowledged_at: datetime | None
    started_at: datetime | None
    resolved_at: datetime | None
    declined_at: datetime | None
    resolution: str | None
    decline_reason: str | None
