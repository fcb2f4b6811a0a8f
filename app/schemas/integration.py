"""Request and response bodies of the integration bus: subscriptions, deliveries, the pull feed."""

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import Field, field_validator
from pydantic_core import PydanticCustomError

from app.config import get_settings
from app.models.base import ApiModel, PublicModel, value_enum
from app.services.integration import callbacks
from app.services.platform.events import EVENT_TYPE_PREFIX, EVENT_TYPES

DeliveryStatus = value_enum("DeliveryStatus", "pending", "delivered", "failed", "dead")
Health = value_enum("SubscriptionHealth", "healthy", "unhealthy")
KNOWN_TYPES = frozenset(EVENT_TYPE_PREFIX + t for t in EVENT_TYPES)


def check_types(values: list[str]) -> list[str]:
    unknown = sorted({v for v in values if v not in KNOWN_TYPES})
    if unknown:
        raise PydanticCustomError(
            "unknown_event_type", "Unknown event types: {unknown}.", {"unknown": ", ".join(unknown)}
        )
    return sorted(set(values))


class SubscriptionCreate(ApiModel):
    """A receiver: its callback URL, the event types it wants (full names), a shared secret."""

    callback_url: str = Field(min_length=1, max_length=callbacks.MAX_URL_LENGTH)
    types: list[str] = Field(min_length=1, max_length=len(KNOWN_TYPES))
    secret: str = Field(min_length=16, max_length=200, description="Signs every delivery; never returned.")

    @field_validator("callback_url")
    @classmethod
    def _url(cls, value: str) -> str:
        try:
            callbacks.parse(value, get_settings())
        except callbacks.CallbackRefused as exc:
            raise PydanticCustomError(exc.code, exc.reason) from exc
        return value

    @field_validator("types")
    @classmethod
    def _types(cls, value: list[str]) -> list[str]:
        return check_types(value)


class SubscriptionPublic(PublicModel):
    """A subscription as the bus sees it; the secret is never part of it."""

    id: uuid.UUID
    callback_url: str
    types: list[str]
    created_at: datetime
    health: Health
    consecutive_failures: int
    dead_letters: int
    last_success_at: datetime | None
    last_failure_at: datetime | None


class DeliveryPublic(PublicModel):
    """One event owed to a subscription: ids and delivery state only, never the event's data."""

    id: uuid.UUID
    event_id: uuid.UUID
    event_type: str
    event_sequence: str
    subject: str
    status: DeliveryStatus
    attempts: int
    last_status_code: int | None
    last_error: str | None
    next_attempt_at: datetime | None
    delivered_at: datetime | None


class ReplayRequest(ApiModel):
    status: Literal["dead"] = "dead"


class ReplayResult(PublicModel):
    replayed: int


class EventPage(PublicModel):
    """A page of the pull feed: CloudEvents in ``sequence`` order. Pass the last ``sequence`` seen
    as ``afterSequence``; ``nextCursor`` is that value when the page is full, else null."""

    items: list[dict[str, Any]]
    next_cursor: str | None = None
