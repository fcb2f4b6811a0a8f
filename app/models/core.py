"""Cross-cutting tables: the audit trail (NEN 7513), the event outbox, idempotency keys."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, Index
from sqlmodel import Field, SQLModel

from app.models.base import id_field, jsonb, text, timestamp


class AuditEvent(SQLModel, table=True):
    """One access to (or denied attempt at) family-linked data. Append-only."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_family_occurred", "family_id", "occurred_at"),
        Index("ix_audit_events_subject_occurred", "subject", "occurred_at"),
    )

    id: uuid.UUID = id_field()
    occurred_at: datetime = timestamp()
    subject: str = Field(max_length=200)
    role: str = Field(max_length=40)
    organisation: str = Field(max_length=120)
    municipality_code: str | None = Field(default=None, max_length=6, index=True)
    action: str = Field(max_length=20)  # create/read/update/delete/export/search/emergency
    resource_type: str = Field(max_length=60)
    resource_id: str | None = Field(default=None, max_length=80)
    family_id: uuid.UUID | None = Field(default=None)
    outcome: str = Field(max_length=10)  # success/denied
    request_id: str = Field(max_length=80)


class OutboxEvent(SQLModel, table=True):
    """A CloudEvents (NL GOV profile) event, written in the transaction of its state change."""

    __tablename__ = "outbox_events"
    __table_args__ = (Index("ix_outbox_events_municipality_sequence", "municipality_code", "sequence"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    # Assigned when the writing transaction commits (a deferred trigger, one committer at a time),
    # so sequence order is commit order: a reader that has seen N has seen everything below N.
    sequence: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True, unique=True))
    type: str = Field(max_length=120, index=True)
    source: str = Field(max_length=200)
    subject: str = Field(max_length=80)
    time: datetime = timestamp()
    dataref: str = text()
    data: dict[str, Any] = jsonb()
    municipality_code: str | None = Field(default=None, max_length=6, index=True)



class IdempotencyKey(SQLModel, table=True):
    """A creating POST remembered per caller and key for 24 hours (IETF httpapi draft)."""

    __tablename__ = "idempotency_keys"

    subject: str = Field(primary_key=True, max_length=200)
    key: str = Field(primary_key=True, max_length=255)
    method: str = Field(max_length=10)
    path: str = text()
    request_hash: str = Field(max_length=64)
    state: str = Field(max_length=12)  # in_progress/done
    response_status: int | None = None
    response_body: str | None = text(nullable=True)
    response_headers: dict[str, Any] = jsonb()
    created_at: datetime = timestamp()
