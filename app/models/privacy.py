"""Privacy rights: erasure requests (AVG art. 17, Jeugdwet 7.3.9) and retention runs (7.3.8)."""

import uuid
from datetime import datetime

from sqlalchemy import DateTime
from sqlmodel import Field, SQLModel

from app.models.base import MunicipalTable, id_field, text, timestamp


class ErasureRequest(MunicipalTable, table=True):
    """A request to erase a family's (or one member's) personal data, with its decision.

    Refused requests are kept too (``refusal_code`` names why): the decision and its reason
    are part of the record the municipality must be able to show.
    """

    __tablename__ = "erasure_requests"

    family_id: uuid.UUID = Field(foreign_key="families.id", index=True)
    member_id: uuid.UUID | None = Field(default=None, foreign_key="family_members.id")
    requested_by_member_id: uuid.UUID  # as asked: a refused request may name a non-member
    reason: str = text()
    status: str = Field(max_length=10)  # completed / refused
    refusal_code: str | None = Field(default=None, max_length=40)
    decided_by: str = Field(max_length=200)
    created_at: datetime = timestamp()
    decided_at: datetime = timestamp()


class RetentionRun(SQLModel, table=True):
    """One run of the retention job: families found and anonymised, records purged.

    ``last_family_id`` is the run's cursor, committed with each family's anonymisation, so a
    run that crashed resumes after the last family it finished.
    """

    __tablename__ = "retention_runs"

    id: uuid.UUID = id_field()
    municipality_code: str | None = Field(default=None, max_length=6)  # None: every municipality
    status: str = Field(default="running", max_length=10)  # running / completed / failed
    dry_run: bool = False
    ended_before: datetime = Field(sa_type=DateTime(timezone=True), nullable=False)
    families_found: int = 0
    families_anonymised: int = 0
    families_skipped: int = 0
    idempotency_keys_purged: int = 0
    audit_partitions_dropped: int = 0
    audit_dropped_before: datetime | None = timestamp(nullable=True)
    last_family_id: uuid.UUID | None = None
    started_by: str = Field(max_length=200)
    started_at: datetime = timestamp()
    finished_at: datetime | None = timestamp(nullable=True)
