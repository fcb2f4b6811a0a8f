"""Delivery metrics (Prometheus).

The dispatcher counts its outcomes and the lag from commit to receipt in its own process (served
by ``perspectief dispatch --metrics-port``). The backlog is a fact of the database, so the API's
``/metrics`` refreshes it from there on every scrape: owed deliveries by status, the age of the
oldest one, and the unhealthy subscriptions.
"""

import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from prometheus_client import Counter, Gauge, Histogram
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.config import Settings

logger = logging.getLogger(__name__)

DELIVERIES = Counter(
    "perspectief_event_deliveries_total",
    "Delivery attempts by outcome (delivered, failed, dead).",
    ["outcome"],
)
LAG = Histogram(
    "perspectief_event_delivery_lag_seconds",
    "From the event's commit to its successful delivery.",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600, 86400),
)
REQUEST_SECONDS = Histogram(
    "perspectief_event_delivery_request_seconds", "Duration of one callback request.",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)  # fmt: skip
OWED = Gauge(
    "perspectief_event_deliveries_owed",
    "Deliveries by status (pending, failed, dead) in the database.",
    ["status"],
    multiprocess_mode="mostrecent",
)
OLDEST = Gauge(
    "perspectief_event_backlog_oldest_age_seconds",
    "Age of the oldest event still owed to a subscription (0 when none).",
    multiprocess_mode="mostrecent",
)
UNHEALTHY = Gauge(
    "perspectief_event_subscriptions_unhealthy",
    "Subscriptions that keep failing or hold dead letters.",
    multiprocess_mode="mostrecent",
)

BACKLOG = text(
    """
    SELECT status, count(*) AS n, min(created_at) AS oldest
    FROM event_deliveries WHERE status IN ('pending', 'failed', 'dead') GROUP BY status
    """
)
UNHEALTHY_COUNT = text(
    """
    SELECT count(*) FROM event_subscriptions s
    WHERE s.consecutive_failures >= :threshold
       OR EXISTS (SELECT 1 FROM event_deliveries d WHERE d.subscription_id = s.id AND d.status = 'dead')
    """
)


def observe(outcomes: Iterable[Any]) -> None:
    now = datetime.now(UTC)
    for outcome in outcomes:
        if outcome.delivered:
            DELIVERIES.labels("delivered").inc()
            LAG.observe(max((now - outcome.delivery.created_at).total_seconds(), 0.0))
        else:
            DELIVERIES.labels("failed" if outcome.next_attempt_at else "dead").inc()


async def refresh(engine: AsyncEngine, settings: Settings) -> None:
    """Read the backlog from the database into the gauges; a database error leaves them as they were."""
    try:
        async with engine.connect() as conn:
            rows = (await conn.execute(BACKLOG)).all()
            unhealthy = (
                await conn.execute(UNHEALTHY_COUNT, {"threshold": settings.dispatch_unhealthy_after_failures})
            ).scalar_one()
    except Exception as exc:  # metrics never fail the scrape
        logger.warning("delivery metrics unavailable", extra={"error": type(exc).__name__})
        return
    by_status = {row.status: row for row in rows}
    now = datetime.now(UTC)
    for status in ("pending", "failed", "dead"):
        row = by_status.get(status)
        OWED.labels(status).set(row.n if row else 0)
    owed = [by_status[s].oldest for s in ("pending", "failed") if s in by_status]
    OLDEST.set(max((now - min(owed)).total_seconds(), 0.0) if owed else 0.0)
    UNHEALTHY.set(unhealthy)
