"""Webhook subscriptions of the ``integration`` role, confined to its municipality in every query,
their deliveries (the dead letters among them), a retry of one and a replay of all dead ones."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import Principal
from app.config import Settings
from app.errors import Conflict, InvalidInput, InvalidParam, NotFound
from app.models.core import OutboxEvent
from app.models.integration import EventDelivery, EventSubscription
from app.pagination import PageRequest, cursor_key, encode_cursor
from app.services.integration import callbacks
from app.services.platform import paging
from app.services.platform.events import format_sequence


@dataclass(frozen=True)
class SubscriptionView:
    subscription: EventSubscription
    dead_letters: int
    unhealthy_after: int

    @property
    def health(self) -> str:
        failing = self.subscription.consecutive_failures >= self.unhealthy_after
        return "unhealthy" if failing or self.dead_letters else "healthy"

    def public(self) -> dict[str, Any]:
        s = self.subscription
        return {
            "id": s.id,
            "callback_url": s.callback_url,
            "types": s.types,
            "created_at": s.created_at,
            "health": self.health,
            "consecutive_failures": s.consecutive_failures,
            "dead_letters": self.dead_letters,
            "last_success_at": s.last_success_at,
            "last_failure_at": s.last_failure_at,
        }


class DeliveryNotRetryable(Conflict):
    code = "delivery_not_retryable"


class DeliveryInProgress(Conflict):
    code = "delivery_in_progress"


def _scope(principal: Principal) -> Any:
    return EventSubscription.municipality_code == principal.municipality


def _dead_letters() -> Any:
    return (
        select(func.count())
        .where(EventDelivery.subscription_id == EventSubscription.id, EventDelivery.status == "dead")
        .correlate(EventSubscription)
        .scalar_subquery()
    )


async def create(
    session: AsyncSession,
    principal: Principal,
    settings: Settings,
    callback_url: str,
    types: list[str],
    secret: str,
) -> SubscriptionView:
    """A new subscription; it receives the events that commit from now on."""
    try:
        await callbacks.check(callback_url, settings, resolve=settings.env == "prod")
    except callbacks.CallbackRefused as exc:
        raise InvalidInput([InvalidParam("callbackUrl", exc.code, exc.reason)]) from exc
    subscription = EventSubscription(
        municipality_code=principal.municipality,
        callback_url=callback_url,
        types=types,
        secret=secret,
        created_by=principal.sub,
    )
    session.add(subscription)
    await session.flush()
    return SubscriptionView(subscription, 0, settings.dispatch_unhealthy_after_failures)


async def list_subscriptions(
    session: AsyncSession, principal: Principal, settings: Settings, page: PageRequest, health: str | None
) -> tuple[list[SubscriptionView], str | None]:
    """The municipality's subscriptions, oldest first; ``health`` filters on the computed state."""
    dead = _dead_letters().label("dead")
    query = select(EventSubscription, dead).where(_scope(principal))
    threshold = settings.dispatch_unhealthy_after_failures
    unhealthy = or_(EventSubscription.consecutive_failures >= threshold, _dead_letters() > 0)
    if health == "unhealthy":
        query = query.where(unhealthy)
    elif health == "healthy":
        query = query.where(~unhealthy)
    key = cursor_key(page, _aware, uuid.UUID)
    if key:
        query = query.where(
            or_(
                EventSubscription.created_at > key[0],
                and_(EventSubscription.created_at == key[0], EventSubscription.id > key[1]),
            )
        )
    rows = (
        await session.execute(
            query.order_by(EventSubscription.created_at, EventSubscription.id).limit(page.size + 1)
        )
    ).all()
    items, cursor = paging.cut(rows, page, lambda row: (row[0].created_at, row[0].id))
    return [SubscriptionView(s, n, threshold) for s, n in items], cursor


def _aware(value: str) -> datetime:
    from app.pagination import aware_datetime

    return aware_datetime(value)


async def get(
    session: AsyncSession, principal: Principal, settings: Settings, sid: uuid.UUID
) -> SubscriptionView:
    row = (
        await session.execute(
            select(EventSubscription, _dead_letters()).where(EventSubscription.id == sid, _scope(principal))
        )
    ).first()
    if row is None:
        raise NotFound("The subscription does not exist or is not visible to you.")
    return SubscriptionView(row[0], row[1], settings.dispatch_unhealthy_after_failures)


async def delete(session: AsyncSession, principal: Principal, sid: uuid.UUID) -> None:
    """Remove the subscription and what it is still owed (deliveries go with it)."""
    removed = await session.execute(
        EventSubscription.__table__.delete()
        .where(EventSubscription.id == sid, _scope(principal))
        .returning(EventSubscription.id)
    )
    if removed.first() is None:
        raise NotFound("The subscription does not exist or is not visible to you.")


def _delivery_columns() -> tuple[Any, ...]:
    return (EventDelivery, OutboxEvent.type)


def delivery_public(delivery: EventDelivery, event_type: str) -> dict[str, Any]:
    open_ = delivery.status in ("pending", "failed")
    return {
        "id": delivery.id,
        "event_id": delivery.event_id,
        "event_type": event_type,
        "event_sequence": format_sequence(delivery.event_sequence),
        "subject": delivery.subject,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "last_status_code": delivery.last_status_code,
        "last_error": delivery.last_error,
        "next_attempt_at": delivery.next_attempt_at if open_ else None,
        "delivered_at": delivery.delivered_at,
    }


async def list_deliveries(
    session: AsyncSession,
    principal: Principal,
    settings: Settings,
    sid: uuid.UUID,
    page: PageRequest,
    status: str | None,
) -> tuple[list[dict[str, Any]], str | None]:
    """The subscription's deliveries in event order, optionally of one status (``dead``: dead letters)."""
    await get(session, principal, settings, sid)
    query = (
        select(*_delivery_columns())
        .join(OutboxEvent, OutboxEvent.id == EventDelivery.event_id)
        .where(
            EventDelivery.subscription_id == sid, EventDelivery.municipality_code == principal.municipality
        )
    )
    if status:
        query = query.where(EventDelivery.status == status)
    key = cursor_key(page, int)
    if key:
        query = query.where(EventDelivery.event_sequence > key[0])
    rows = (await session.execute(query.order_by(EventDelivery.event_sequence).limit(page.size + 1))).all()
    items = [delivery_public(d, t) for d, t in rows[: page.size]]
    cursor = encode_cursor([rows[page.size - 1][0].event_sequence]) if len(rows) > page.size else None
    return items, cursor


_REOPEN = {
    EventDelivery.status: "pending",
    EventDelivery.attempts: case((EventDelivery.status == "dead", 0), else_=EventDelivery.attempts),
    EventDelivery.next_attempt_at: func.now(),
    EventDelivery.window_started_at: case(
        (EventDelivery.status == "dead", func.now()), else_=EventDelivery.window_started_at
    ),
}


def _unclaimed() -> Any:
    return or_(EventDelivery.claimed_until.is_(None), EventDelivery.claimed_until < func.now())


async def retry(
    session: AsyncSession, principal: Principal, settings: Settings, sid: uuid.UUID, delivery_id: uuid.UUID
) -> dict[str, Any]:
    """Try one delivery again now: a dead letter gets a new retry window; a delivered one is 409."""
    await get(session, principal, settings, sid)
    row = (
        await session.execute(
            select(*_delivery_columns())
            .join(OutboxEvent, OutboxEvent.id == EventDelivery.event_id)
            .where(EventDelivery.id == delivery_id, EventDelivery.subscription_id == sid)
            .with_for_update(of=EventDelivery)
        )
    ).first()
    if row is None:
        raise NotFound("The delivery does not exist or is not visible to you.")
    delivery, event_type = row
    if delivery.status == "delivered":
        raise DeliveryNotRetryable("The event was delivered already.")
    if delivery.claimed_until is not None and delivery.claimed_until > await session.scalar(
        select(func.now())
    ):
        raise DeliveryInProgress("A dispatcher is delivering it right now.")
    await session.execute(update(EventDelivery).where(EventDelivery.id == delivery_id).values(_REOPEN))
    await session.refresh(delivery)
    await _wake(session)
    return delivery_public(delivery, event_type)


async def replay(session: AsyncSession, principal: Principal, settings: Settings, sid: uuid.UUID) -> int:
    """Every dead letter of the subscription back in the queue, each with a fresh retry window."""
    await get(session, principal, settings, sid)
    result = await session.execute(
        update(EventDelivery)
        .where(EventDelivery.subscription_id == sid, EventDelivery.status == "dead", _unclaimed())
        .values(_REOPEN)
        .returning(EventDelivery.id)
    )
    count = len(result.all())
    if count:
        await session.execute(
            update(EventSubscription).where(EventSubscription.id == sid).values(consecutive_failures=0)
        )
        await _wake(session)
    return count


async def _wake(session: AsyncSession) -> None:
    """Dispatchers listen; they hear this when the transaction commits."""
    await session.execute(select(func.pg_notify("perspectief_deliveries", "")))
