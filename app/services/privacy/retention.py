"""The retention job (Jeugdwet art. 7.3.8): a file is kept 20 years after the care ended, then
anonymised like an erasure; and what must not outlive its purpose is purged.

* Families whose care ended before the cut-off (``care_ended_at``; no plan open since) are
  anonymised one by one, each in one transaction together with the run's cursor
  (``last_family_id``) and counters, so a crash leaves every family whole and the next run
  resumes where the crashed one stopped. A family with an open engagement or an unpaid payment
  is skipped and counted. A dry run only counts.
* Idempotency records past their hours (they hold responses with personal data) are deleted.
* Audit partitions older than the audit retention are detached and dropped whole; the run
  records up to when, so the verification of the sealed trail expects those rows to be gone.
* Other stores that must be purged register a step in :data:`PURGES`: delivered webhook
  attempts older than ``delivered_webhook_days`` (their record is only needed while an operator
  may still look into a delivery).

One run at a time: a session-level advisory lock, held for the whole run (409 otherwise).
"""

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from app.auth import Principal
from app.config import Settings
from app.errors import AppError, Conflict
from app.models.base import utcnow
from app.models.privacy import RetentionRun
from app.services.platform import audit, audit_partitions, clock
from app.services.platform.audit import Action
from app.services.platform.rows import one_or_not_found
from app.services.privacy.anonymise import anonymise

RUN_LOCK = 0x5E4_A0D3
BATCH = 200
OPEN_PLAN_STATES = "('draft','agreed','active','evaluating')"
OPEN_ENGAGEMENT_STATES = "('requested','accepted','started')"

DUE = f"""
f.care_ended_at < :cutoff AND f.status <> 'anonymised'
AND (CAST(:municipality AS text) IS NULL OR f.municipality_code = :municipality)
AND NOT EXISTS (SELECT 1 FROM plans p WHERE p.family_id = f.id AND p.status IN {OPEN_PLAN_STATES})
"""
BLOCKED = f"""
(EXISTS (SELECT 1 FROM engagements e WHERE e.family_id = f.id AND e.status IN {OPEN_ENGAGEMENT_STATES})
 OR EXISTS (SELECT 1 FROM payment_lines l JOIN engagements e ON e.id = l.engagement_id
            WHERE e.family_id = f.id AND l.status <> 'paid'))
"""
NEXT_FAMILIES = f"""
SELECT f.id, f.municipality_code, {BLOCKED} AS blocked FROM families f
WHERE {DUE} AND f.id > :after ORDER BY f.id LIMIT :batch
"""
LOCK_FAMILY = f"SELECT f.id FROM families f WHERE f.id = :id AND {DUE} AND NOT {BLOCKED} FOR UPDATE"
COUNT_DUE = f"SELECT count(*), count(*) FILTER (WHERE {BLOCKED}) FROM families f WHERE {DUE}"

# A purge step: (connection in a transaction, settings, dry run) → rows (or items) purged.
Purge = Callable[[AsyncConnection, Settings, bool], Awaitable[int]]


async def _delete_where(
    conn: AsyncConnection, table: str, where: str, params: dict[str, Any], dry_run: bool
) -> int:
    """Delete the rows of ``table`` matching ``where``; on a dry run only count them."""
    if dry_run:
        return (await conn.execute(text(f"SELECT count(*) FROM {table} WHERE {where}"), params)).scalar_one()
    return (await conn.execute(text(f"DELETE FROM {table} WHERE {where}"), params)).rowcount


async def purge_idempotency_keys(conn: AsyncConnection, settings: Settings, dry_run: bool) -> int:
    where = "created_at < now() - make_interval(hours => :hours)"
    params = {"hours": settings.idempotency_hours}
    return await _delete_where(conn, "idempotency_keys", where, params, dry_run)


async def purge_delivered_webhooks(conn: AsyncConnection, settings: Settings, dry_run: bool) -> int:
    where = "status = 'delivered' AND delivered_at < now() - make_interval(days => :days)"
    params = {"days": settings.delivered_webhook_days}
    return await _delete_where(conn, "event_deliveries", where, params, dry_run)


# Steps beyond the idempotency keys and the audit partitions.
PURGES: tuple[Purge, ...] = (purge_delivered_webhooks,)


class RetentionInterrupted(AppError):
    """The run stopped part-way (the database failed); every family is whole, the next run resumes."""

    status = 503
    code = "retention_run_interrupted"


@dataclass(frozen=True)
class RetentionAsk:
    dry_run: bool
    ended_before: date | None  # a Dutch calendar day; None: the configured years ago
    municipality: str | None  # None: every municipality (the scheduler's run)
    actor: Principal


def default_cutoff(settings: Settings) -> datetime:
    now = utcnow()
    try:
        return now.replace(year=now.year - settings.retention_years)
    except ValueError:  # 29 February
        return now.replace(year=now.year - settings.retention_years, day=28)


async def run_retention(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, ask: RetentionAsk
) -> RetentionRun:
    """Run (or resume) a retention run; 409 ``retention_run_in_progress`` while another runs."""
    async with engine.connect() as lock:
        held = (await lock.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": RUN_LOCK})).scalar()
        await lock.commit()
        if not held:
            raise Conflict("A retention run is already running.", code="retention_run_in_progress")
        try:
            return await _run(engine, sessionmaker, settings, ask)
        finally:
            await lock.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": RUN_LOCK})
            await lock.commit()


async def _start(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, ask: RetentionAsk
) -> RetentionRun:
    """A new run, or the unfinished one of the same scope (a crashed or interrupted run) resumed."""
    async with sessionmaker() as s:
        run = None
        if not ask.dry_run:
            run = (
                await s.execute(
                    select(RetentionRun)
                    .where(
                        RetentionRun.status.in_(("running", "failed")),
                        RetentionRun.dry_run.is_(False),
                        RetentionRun.municipality_code.is_not_distinct_from(ask.municipality),
                    )
                    .order_by(RetentionRun.started_at)
                    .limit(1)
                )
            ).scalar_one_or_none()
        resumed = run is not None
        if run is None:
            run = RetentionRun(
                municipality_code=ask.municipality,
                dry_run=ask.dry_run,
                ended_before=(
                    datetime.combine(ask.ended_before, time(), clock.LOCAL_TIMEZONE)
                    if ask.ended_before
                    else default_cutoff(settings)
                ),
                started_by=ask.actor.sub,
            )
            s.add(run)
            await s.flush()
        audit.record(s, ask.actor, Action.UPDATE if resumed else Action.CREATE, "retention-run", run.id)
        run.status = "running"
        params = {"cutoff": run.ended_before, "municipality": ask.municipality}
        due, blocked = (await s.execute(text(COUNT_DUE), params)).one()
        run.families_found = run.families_anonymised + due
        run.families_skipped = blocked
        await s.commit()
        return run


async def _anonymise_due(
    sessionmaker: async_sessionmaker[AsyncSession], run: RetentionRun, ask: RetentionAsk
) -> None:
    after = run.last_family_id or uuid.UUID(int=0)
    params = {"cutoff": run.ended_before, "municipality": ask.municipality, "batch": BATCH}
    while True:
        async with sessionmaker() as s:
            batch = (await s.execute(text(NEXT_FAMILIES), {**params, "after": after})).all()
        if not batch:
            return
        for family_id, municipality, blocked in batch:
            after = family_id
            if blocked:
                continue
            async with sessionmaker() as s:
                locked = (await s.execute(text(LOCK_FAMILY), {**params, "id": family_id})).first()
                if locked is None:
                    continue
                await anonymise(s, family_id)
                actor = replace(ask.actor, municipality=municipality)
                audit.record(s, actor, Action.DELETE, "family", family_id, family_id=family_id)
                await s.execute(
                    update(RetentionRun)
                    .where(RetentionRun.id == run.id)
                    .values(
                        last_family_id=family_id, families_anonymised=RetentionRun.families_anonymised + 1
                    )
                )
                await s.commit()


async def _purge(engine: AsyncEngine, settings: Settings, run: RetentionRun) -> None:
    async with engine.begin() as conn:
        keys = await purge_idempotency_keys(conn, settings, run.dry_run)
        for step in PURGES:
            await step(conn, settings, run.dry_run)
        cutoff = utcnow() - timedelta(days=settings.audit_retention_months * 366 // 12)
        dropped, before = await audit_partitions.drop_before(conn, cutoff, dry_run=run.dry_run)
        values: dict[str, object] = {"idempotency_keys_purged": keys, "audit_partitions_dropped": dropped}
        if before is not None and not run.dry_run:
            values["audit_dropped_before"] = before
        await conn.execute(update(RetentionRun).where(RetentionRun.id == run.id).values(**values))


async def _run(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, ask: RetentionAsk
) -> RetentionRun:
    run = await _start(sessionmaker, settings, ask)
    try:
        if not run.dry_run:
            await _anonymise_due(sessionmaker, run, ask)
        await _purge(engine, settings, run)
    except Exception as exc:
        async with sessionmaker() as s:
            await s.execute(update(RetentionRun).where(RetentionRun.id == run.id).values(status="failed"))
            await s.commit()
        raise RetentionInterrupted(
            "The retention run stopped part-way; run it again to resume.",
            retention_run=f"/api/v1/retention-runs/{run.id}",
        ) from exc
    async with sessionmaker() as s:
        await s.execute(
            update(RetentionRun)
            .where(RetentionRun.id == run.id)
            .values(status="completed", finished_at=utcnow())
        )
        await s.commit()
        return (await s.execute(select(RetentionRun).where(RetentionRun.id == run.id))).scalar_one()


async def get_retention_run(session: AsyncSession, principal: Principal, run_id: uuid.UUID) -> RetentionRun:
    return await one_or_not_found(
        session,
        select(RetentionRun).where(
            RetentionRun.id == run_id,
            RetentionRun.municipality_code.is_(None)
            | (RetentionRun.municipality_code == principal.municipality),
        ),
        "retention run",
    )
