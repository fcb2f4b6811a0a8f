"""Request and response bodies of the payment ledger and payment batches."""

import uuid
from datetime import date, datetime

from pydantic import Field

from app.identifiers import Period
from app.models.base import ApiModel, PublicModel, value_enum

LineKind = value_enum("PaymentLineKind", "start", "completion", "monthly", "result", "lumpsum", "correction")
LineStatus = value_enum("PaymentLineStatus", "scheduled", "approved", "exported", "paid")


class PaymentLinePublic(PublicModel):
    id: uuid.UUID
    engagement_id: uuid.UUID | None
    provider_id: uuid.UUID
    contract_id: uuid.UUID
    district_code: str | None
    kind: LineKind
    amount_cents: int
    due_date: date
    period: str
    status: LineStatus
    batch_id: uuid.UUID | None
    corrects_line_id: uuid.UUID | None
    created_at: datetime
    approved_at: datetime | None


class ApproveBody(ApiModel):
    ids: list[uuid.UUID] = Field(min_length=1, max_length=1000)


class CorrectionBody(ApiModel):
    amount_cents: int = Field(description="Negative takes back, positive adds; never 0.")
    reason: str | None = Field(default=None, max_length=500, description="Why (no personal data).")


class SchedulingRunBody(ApiModel):
    period: Period


class SchedulingRunPublic(PublicModel):
    period: str
    monthly_lines: int
    lumpsum_lines: int


class BatchCreate(ApiModel):
    period: Period
    provider_ids: list[uuid.UUID] | None = Field(
        default=None, max_length=200, description="Only these providers; all when absent."
    )


class BatchLinePublic(PublicModel):
    id: uuid.UUID
    engagement_id: uuid.UUID | None
    assignment_number: str | None
    provider_id: uuid.UUID
    agb_code: str
    contract_id: uuid.UUID
    kind: LineKind
    amount_cents: int
    due_date: date
    period: str
    status: LineStatus


class BatchSummaryPublic(PublicModel):
    id: uuid.UUID
    period: str
    line_count: int
    total_cents: int
    created_at: datetime


class BatchPublic(BatchSummaryPublic):
    provider_ids: list[uuid.UUID] | None
    lines: list[BatchLinePublic]
