"""The delivery queue in SQL: claim due deliveries under a lease, record outcomes, release claims.

A claim takes due deliveries with ``FOR UPDATE SKIP LOCKED`` and stamps them with a lease
(``claimed_until``) and a token in one short transaction; the HTTP request happens outside any
transaction; the outcome is written only where the token still matches. A dispatcher that dies
mid-delivery leaves a lease that expires, after which another dispatcher claims the delivery.

Per subscription, a delivery is due only when no earlier event of the same subject is still owed
to it (``pending`` or ``failed``), so one subject's events arrive in sequence order while the
other subjects go on.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from app.services.platform.events import to_cloudevent

CLAIM = text(
    """
    WITH due AS (
        SELECT d.id FROM event_deliveries d
        WHERE d.status IN ('pending', 'failed')
          AND d.next_attempt_at <= now()
          AND (d.claimed_until IS NULL OR d.claimed_until < now())
          AND NOT EXISTS (
              SELECT 1 FROM event_deliveries e
              WHERE e.subscription_id = d.subscription_id AND e.subject = d.subject
                AND e.event_sequence < d.event_sequence AND e.status IN ('pending', 'failed'))
        ORDER BY d.next_attempt_at
        LIMIT :limit
        FOR UPDATE OF d SKIP LOCKED
    )
    UPDATE event_deliveries d
    SET claimed_until = now() + make_interval(secs => :lease), claim_token = :token,
        attempts = d.attempts + 1
    FROM due, outbox_events o, event_subscriptions s
    WHERE d.id = due.id AND o.id = d.event_id AND s.id = d.subscription_id
    RETURNING d.id, d.subscription_id, d.attempts, d.window_started_at, d.created_at,
              s.callback_url, s.secret,
              o.id AS event_id, o.source, o.type, o.subject, o.time, o.dataref, o.sequence, o.data
    """
)

DELIVERED = text(
    """
    UPDATE event_deliveries d
    SET status = 'delivered', delivered_at = now(), last_status_code = u.code, last_error = NULL,
        claimed_until = NULL, claim_token = NULL
    FROM unnest(CAST(:ids AS uuid[]), CAST(:codes AS int[])) AS u(id, code)
    WHERE d.id = u.id AND d.claim_token = :token
    """
)

FAILED = text(
    """
    UPDATE event_deliveries d
    SET status = CASE WHEN u.next IS NULL THEN 'dead' ELSE 'failed' END,
        next_attempt_at = coalesce(u.next, d.next_attempt_at),
        last_status_code = u.code, last_error = u.error, claimed_until = NULL, claim_token = NULL
    FROM unnest(CAST(:ids AS uuid[]), CAST(:codes AS int[]), CAST(:errors AS text[]),
                CAST(:nexts AS timestamptz[])) AS u(id, code, error, next)
    WHERE d.id = u.id AND d.claim_token = :token
    """
)

SUBSCRIPTION_OUTCOMES = text(
    """
    UPDATE event_subscriptions s
    SET consecutive_failures = CASE WHEN u.failures = 0 THEN 0
                                    ELSE s.consecutive_failures + u.failures END,
        last_success_at = CASE WHEN u.successes > 0 THEN now() ELSE s.last_success_at END,
        last_failure_at = CASE WHEN u.failures > 0 THEN now() ELSE s.last_failure_at END
    FROM unnest(CAST(:ids AS uuid[]), CAST(:successes AS int[]), CAST(:failures AS int[]))
         AS u(id, successes, failures)
    WHERE s.id = u.id
    """
)

LOCK_SUBSCRIPTIONS = text(
    "SELECT id FROM event_subscriptions WHERE id = ANY(CAST(:ids AS uuid[])) ORDER BY id FOR NO KEY UPDATE"
)

RELEASE = text(
    """
    UPDATE event_deliveries
    SET claimed_until = NULL, claim_token = NULL, attempts = greatest(attempts - 1, 0)
    WHERE claim_token = ANY(CAST(:tokens AS uuid[])) AND status IN ('pending', 'failed')
    """
)

NEXT_DUE = text(
    """
    SELECT min(greatest(next_attempt_at, coalesce(claimed_until, next_attempt_at)))
    FROM event_deliveries WHERE status IN ('pending', 'failed')
    """
)


@dataclass(frozen=True)
class Claimed:
    """A claimed delivery with what is needed to send it."""

    id: uuid.UUID
    subscription_id: uuid.UUID
    attempts: int
    window_started_at: datetime
    created_at: datetime
    callback_url: str
    secret: str
    event: dict[str, Any]
    event_id: uuid.UUID


@dataclass
class Outcome:
    delivery: Claimed
    status_code: int | None
    error: str | None
    next_attempt_at: datetime | None = None

    @property
    def delivered(self) -> bool:
        return self.error is None and self.status_code is not None and 200 <= self.status_code < 300


async def claim(conn: AsyncConnection, token: uuid.UUID, limit: int, lease_seconds: float) -> list[Claimed]:
    rows = (
        (await conn.execute(CLAIM, {"limit": limit, "lease": lease_seconds, "token": token})).mappings().all()
    )
    claimed = []
    for r in rows:
        event = SimpleNamespace(
            id=r["event_id"], source=r["source"], type=r["type"], subject=r["subject"], time=r["time"],
            dataref=r["dataref"], sequence=r["sequence"], data=r["data"],
        )  # fmt: skip
        claimed.append(
            Claimed(
                r["id"],
                r["subscription_id"],
                r["attempts"],
                r["window_started_at"],
                r["created_at"],
                r["callback_url"],
                r["secret"],
                to_cloudevent(event),
                r["event_id"],
            )
        )
    return claimed


async def record(conn: AsyncConnection, token: uuid.UUID, outcomes: list[Outcome]) -> None:
    """Write every outcome of one claim in one transaction (only where the claim is still ours)."""
    done = [o for o in outcomes if o.delivered]
    failed = [o for o in outcomes if not o.delivered]
    if done:
        await conn.execute(
            DELIVERED,
            {"ids": [o.delivery.id for o in done], "codes": [o.status_code for o in done], "token": token},
        )
    if failed:
        await conn.execute(
            FAILED,
            {
                "ids": [o.delivery.id for o in failed],
                "codes": [o.status_code for o in failed],
                "errors": [o.error for o in failed],
                "nexts": [o.next_attempt_at for o in failed],
                "token": token,
            },
        )
    per_subscription: dict[uuid.UUID, list[int]] = {}
    for o in outcomes:
        counts = per_subscription.setdefault(o.delivery.subscription_id, [0, 0])
        counts[0 if o.delivered else 1] += 1
    ids = sorted(per_subscription)
    # Lock the subscription rows in one order first: dispatchers recording at once never deadlock.
    # NO KEY UPDATE does not block the commits that insert deliveries referring to these rows.
    await conn.execute(LOCK_SUBSCRIPTIONS, {"ids": ids})
    await conn.execute(
        SUBSCRIPTION_OUTCOMES,
        {
            "ids": ids,
            "successes": [per_subscription[i][0] for i in ids],
            "failures": [per_subscription[i][1] for i in ids],
        },
    )


async def release(conn: AsyncConnection, tokens: list[uuid.UUID]) -> None:
    """Give back claims that were never tried (a dispatcher stopping)."""
    if tokens:
        await conn.execute(RELEASE, {"tokens": tokens})


async def next_due(conn: AsyncConnection) -> datetime | None:
    return (await conn.execute(NEXT_DUE)).scalar_one()
