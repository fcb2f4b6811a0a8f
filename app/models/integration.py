"""Webhook subscriptions of the integration bus and the delivery of each event to each of them."""

import uuid
from datetime import datetime

from sqlalchemy import ARRAY, BigInteger, Column, ForeignKey, Index, String, UniqueConstraint, Uuid
from sqlalchemy import text as sql
from sqlmodel import Field, SQLModel

from app.models.base import MunicipalTable, text, timestamp

# A delivery still owed to its subscription; only these are claimed, ordered and counted as backlog.
OPEN_STATUSES = ("pending", "failed")
_OPEN = sql("status IN ('pending', 'failed')")


class EventSubscription(MunicipalTable, table=True):
    """A receiver of the municipality's events: a callback URL, the types it wants, its secret."""

    __tablename__ = "event_subscriptions"

    callback_url: str = text()
    types: list[str] = Field(sa_column=Column(ARRAY(String(120)), nullable=False))
    # Kept to sign every delivery (HMAC needs the key itself); never returned by the API.
    secret: str = text()
    created_by: str = Field(max_length=200)
    created_at: datetime = timestamp()
    consecutive_failures: int = 0
    last_success_at: datetime | None = timestamp(nullable=True)
    last_failure_at: datetime | None = timestamp(nullable=True)


class EventDelivery(SQLModel, table=True):
    """One event owed to one subscription, written when the event commits (database trigger).

    ``status``: ``pending`` (not tried yet), ``failed`` (tried, retried at ``next_attempt_at``),
    ``delivered`` or ``dead`` (the retry window passed). A dispatcher claims a delivery by
    setting ``claimed_until`` (a lease) and ``claim_token``; only the holder of the token may
    record the outcome, and an expired lease may be claimed by another dispatcher.
    """

    __tablename__ = "event_deliveries"
    __table_args__ = (
        UniqueConstraint("subscription_id", "event_id"),
        Index("ix_event_deliveries_due", "next_attempt_at", postgresql_where=_OPEN),
        Index(
            "ix_event_deliveries_subject_order",
            "subscription_id",
            "subject",
            "event_sequence",
            postgresql_where=_OPEN,
        ),
        Index("ix_event_deliveries_subscription_status", "subscription_id", "status", "event_sequence"),
    )

    id: uuid.UUID = Field(
        default_factory=uuid.uuid4,
        sa_column=Column(Uuid, primary_key=True, server_default=sql("gen_random_uuid()")),
    )
    subscription_id: uuid.UUID = Field(
        sa_column=Column(Uuid, ForeignKey("event_subscriptions.id", ondelete="CASCADE"), nullable=False)
    )
    event_id: uuid.UUID = Field(
        sa_column=Column(Uuid, ForeignKey("outbox_events.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    event_sequence: int = Field(sa_type=BigInteger)
    subject: str = Field(max_length=80)
    municipality_code: str = Field(max_length=6)
    status: str = Field(default="pending", max_length=10)
    attempts: int = 0
    next_attempt_at: datetime = timestamp()
    # Retries go on for the configured window from here (the event, or the last replay).
    window_started_at: datetime = timestamp()
    claimed_until: datetime | None = timestamp(nullable=True)
    claim_token: uuid.UUID | None = None
    last_status_code: int | None = None
    last_error: str | None = Field(default=None, max_length=200)
    delivered_at: datetime | None = timestamp(nullable=True)
    created_at: datetime = timestamp()
