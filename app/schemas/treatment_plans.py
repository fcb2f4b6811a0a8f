"""Request and response bodies of treatment plans (behandelplannen)."""

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import Field

from app.models.base import ApiModel, PublicModel
from app.schemas.engagements import ActivityPublic, TreatmentPlanStatus, View


class ActivityInput(ApiModel):
    description: Annotated[str, Field(min_length=1, max_length=4000)]
    goal_ids: Annotated[list[uuid.UUID], Field(min_length=1, max_length=50)]
    subcontract_id: uuid.UUID | None = None
    frequency: Annotated[str | None, Field(max_length=120, examples=["weekly"])] = None


class TreatmentPlanPut(ApiModel):
    approach: Annotated[str, Field(min_length=1, max_length=10_000)]
    expected_end_date: date | None = None
    activities: Annotated[list[ActivityInput], Field(max_length=100)]


class TreatmentPlanPublic(PublicModel):
    """The treatment plan. A subcontractor sees only its activities (``approach`` null); the
    restricted view (no consent, integration bus) carries no texts."""

    id: uuid.UUID
    engagement_id: uuid.UUID
    view: View
    version: int
    status: TreatmentPlanStatus
    approach: str | None
    expected_end_date: date | None
    activities: list[ActivityPublic]
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
