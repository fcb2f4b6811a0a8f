"""Cross-cutting tables: the audit trail (NEN 7513) and its seals, the event outbox, idempotency keys."""

import re
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, DateTime, Identity, Index, LargeBinary
from sqlalchemy import text as sql_text
from sqlmodel import Field, SQLModel

from app.models.base import jsonb, text, timestamp, utcnow

AUDIT_PARTITION = re.compile(r"^audit_events_(p[0-9]{6}|default)$")


def is_audit_partition(name: str | None) -> bool:
    """Whether a table is a partition of ``audit_events`` (the service creates them; not models)."""
    return bool(name and AUDIT_PARTITION.match(name))


def include_in_schema_comparison(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic ``include_name`` hook: the audit partitions are not compared with the models."""
    return not (type_ == "table" and is_audit_partition(name))


class AuditEvent(SQLModel, table=True):
    """One access to (or denied attempt at) family-linked data. Append-only.

    Partitioned by month on ``occurred_at`` (the primary key includes it); the partitions are
    created ahead by :mod:`app.services.platform.audit_partitions`. ``xact`` is the writing
    transaction's id (set by the database), by which the sealer takes committed rows in order.
    """

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_family_occurred", "family_id", "occurred_at", "id"),
        Index("ix_audit_events_subject_occurred", "subject", "occurred_at", "id"),
        Index("ix_audit_events_municipality_occurred", "municipality_code", "occurred_at", "id"),
        Index("ix_audit_events_xact", "xact"),
        {"postgresql_partition_by": "RANGE (occurred_at)"},
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    occurred_at: datetime = Field(
        default_factory=utcnow, sa_type=DateTime(timezone=True), primary_key=True
    )
    subject: str = Field(max_length=200)
    role: str = Field(max_length=40)
    organisation: str = Field(max_length=120)
    municipality_code: str | None = Field(default=None, max_length=6)
    action: str = Field(max_length=20)  # create/read/update/delete/export/search/emergency
    resource_type: str = Field(max_length=60)
    resource_id: str | None = Field(default=None, max_length=80)
    family_id: uuid.UUID | None = Field(default=None)
    outcome: str = Field(max_length=10)  # success/denied
    request_id: str = Field(max_length=80)
    xact: int | None = Field(
        default=None,
        sa_column=Column(
            BigInteger, nullable=False, server_default=sql_text("(pg_current_xact_id()::text::bigint)")
        ),
    )


class AuditSeal(SQLModel, table=True):
    """A sealed checkpoint over the audit rows of a range of finished transactions.

    ``entries`` holds, per sealed row in (xact, occurred_at, id) order, its id (16 bytes), its
    time in microseconds since the epoch (8) and the first 8 bytes of its SHA-256 digest, so a
    verification can name the first row altered or removed. ``hash`` chains the checkpoints:
    SHA-256 of the previous checkpoint's hash and these entries.
    """

    __tablename__ = "audit_seals"

    id: int | None = Field(
        default=None, sa_column=Column(BigInteger, Identity(always=True), primary_key=True)
    )
    from_xact: int = Field(sa_column=Column(BigInteger, nullable=False, unique=True))
    to_xact: int = Field(sa_column=Column(BigInteger, nullable=False))
    rows: int
    first_occurred_at: datetime | None = timestamp(nullable=True)
    last_occurred_at: datetime | None = timestamp(nullable=True)
    entries: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    previous_hash: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    hash: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    sealed_at: datetime = timestamp()


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
