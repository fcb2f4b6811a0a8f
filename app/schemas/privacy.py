"""Bodies of the privacy endpoints: erasure requests, retention runs, audit search and verification."""

import uuid
from datetime import date, datetime

from pydantic import Field

from app.auth import Role
from app.models.base import ApiModel, PublicModel, value_enum
from app.schemas.families import AuditOutcome

ErasureStatus = value_enum("ErasureStatus", "completed", "refused")
RetentionRunStatus = value_enum("RetentionRunStatus", "running", "completed", "failed")
AuditRowProblem = value_enum("AuditRowProblem", "altered", "removed", "inserted", "checkpoint")


class ErasureRequestCreate(ApiModel):
    family_id: uuid.UUID
    member_id: uuid.UUID | None = Field(
        default=None, description="Erase only this member's data (a child of 12+ asks for its own)."
    )
    requested_by_member_id: uuid.UUID = Field(description="The parent, carer or child who asked.")
    reason: str = Field(min_length=1, max_length=2000, description="Why, as recorded with the decision.")


class ErasureRequestPublic(PublicModel):
    id: uuid.UUID
    family_id: uuid.UUID
    member_id: uuid.UUID | None
    requested_by_member_id: uuid.UUID
    reason: str
    status: ErasureStatus
    refusal_code: str | None
    decided_by: str
    created_at: datetime
    decided_at: datetime


class RetentionRunCreate(ApiModel):
    dry_run: bool = Field(description="Only count what the run would anonymise and purge.")
    ended_before: date | None = Field(
        default=None,
        description="Anonymise families whose care ended before this day (default: 20 years ago).",
    )


class RetentionRunPublic(PublicModel):
    id: uuid.UUID
    status: RetentionRunStatus
    dry_run: bool
    ended_before: datetime = Field(description="The cut-off: care that ended before this moment.")
    families_found: int
    families_anonymised: int
    families_skipped: int = Field(description="Due, but with an open engagement or an unpaid payment.")
    idempotency_keys_purged: int
    audit_partitions_dropped: int
    started_at: datetime
    finished_at: datetime | None


class AuditEventPublic(PublicModel):
    """One audit row (NEN 7513): when, who for which organisation, what, on which family, allowed or not."""

    id: uuid.UUID
    occurred_at: datetime
    subject: str
    role: Role
    organisation: str
    municipality_code: str | None
    action: str
    resource_type: str
    resource_id: str | None
    family_id: uuid.UUID | None
    outcome: AuditOutcome
    request_id: str


class BrokenAuditRow(PublicModel):
    id: uuid.UUID
    occurred_at: datetime
    problem: AuditRowProblem


class AuditVerificationPublic(PublicModel):
    verified_through: datetime | None = Field(description="The time of the newest sealed row checked.")
    rows: int
    intact: bool
    first_broken: BrokenAuditRow | None = None
