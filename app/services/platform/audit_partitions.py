"""The monthly partitions of the audit trail: created ahead of time, dropped whole by retention.

``audit_events`` is partitioned by month on ``occurred_at`` (``audit_events_pYYYYMM``), with a
default partition that catches a row outside every month so an audit insert never fails. The
service creates the coming months ahead (at start-up, and by the sealer's loop); a month whose
rows already landed in the default partition gets them moved into its own partition as it is
attached. Retention drops partitions that lie wholly before its cut-off (detach, then drop) —
never deleting audit rows one by one.
"""

import logging
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

logger = logging.getLogger(__name__)

MONTHS_AHEAD = 3
PARTITION_NAME = re.compile(r"^audit_events_p([0-9]{4})([0-9]{2})$")
PARTITION_LOCK = 0x5E4_A0D2  # one partition maintainer at a time


def month_start(day: date, add: int = 0) -> date:
    index = day.year * 12 + day.month - 1 + add
    return date(index // 12, index % 12 + 1, 1)


def _bound(day: date) -> str:
    return f"{day.isoformat()}T00:00:00+00:00"


@dataclass(frozen=True)
class Partition:
    name: str
    start: date

    @property
    def end(self) -> date:
        return month_start(self.start, 1)


async def partitions(conn: AsyncConnection) -> list[Partition]:
    """The monthly partitions, oldest first (the default partition is not listed)."""
    names = (
        await conn.execute(
            text(
                "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                " WHERE i.inhparent = 'audit_events'::regclass"
            )
        )
    ).scalars()
    found = []
    for name in names:
        if match := PARTITION_NAME.match(name):
            found.append(Partition(name, date(int(match[1]), int(match[2]), 1)))
    return sorted(found, key=lambda p: p.start)


async def _create(conn: AsyncConnection, start: date) -> None:
    """Create the month's partition, moving any of its rows out of the default partition."""
    name, end = f"audit_events_p{start:%Y%m}", month_start(start, 1)
    await conn.execute(text(f"CREATE TABLE {name} (LIKE audit_events INCLUDING DEFAULTS)"))
    await conn.execute(
        text(
            f"WITH moved AS (DELETE FROM audit_events_default WHERE occurred_at >= :lo AND occurred_at < :hi"
            f" RETURNING *) INSERT INTO {name} SELECT * FROM moved"
        ),
        {
            "lo": datetime.combine(start, datetime.min.time(), UTC),
            "hi": datetime.combine(end, datetime.min.time(), UTC),
        },
    )
    await conn.execute(
        text(
            f"ALTER TABLE audit_events ATTACH PARTITION {name}"
            f" FOR VALUES FROM ('{_bound(start)}') TO ('{_bound(end)}')"
        )
    )
    logger.info("audit_partition_created", extra={"partition": name})


async def ensure_months(conn: AsyncConnection, first: date, last: date) -> int:
    """Create the partitions of the months from ``first`` to ``last`` where missing (in the
    caller's transaction); returns how many were created."""
    if not (await conn.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": PARTITION_LOCK})).scalar():
        return 0
    existing = {p.start for p in await partitions(conn)}
    created, start = 0, month_start(first)
    while start <= last:
        if start not in existing:
            await _create(conn, start)
            created += 1
        start = month_start(start, 1)
    return created


async def ensure_ahead(conn: AsyncConnection, today: date, months: int = MONTHS_AHEAD) -> int:
    """This month's and the next ``months`` months' partitions (see :func:`ensure_months`)."""
    return await ensure_months(conn, today, month_start(today, months))


async def drop_before(
    conn: AsyncConnection, cutoff: datetime, *, dry_run: bool
) -> tuple[int, datetime | None]:
    """Detach and drop every monthly partition that ends on or before ``cutoff``; returns how many,
    and the end of the newest one dropped (rows before it are gone by design)."""
    old = [p for p in await partitions(conn) if datetime.combine(p.end, datetime.min.time(), UTC) <= cutoff]
    if not old:
        return 0, None
    if not dry_run:
        # DETACH locks the parent exclusively: wait at most a moment for the requests writing audit
        # rows (a retention run that cannot get the lock fails and is resumed later) rather than
        # queue every new request behind it
        await conn.execute(text("SET LOCAL lock_timeout = '3s'"))
        for partition in old:
            await conn.execute(text(f"ALTER TABLE audit_events DETACH PARTITION {partition.name}"))
            await conn.execute(text(f"DROP TABLE {partition.name}"))
            logger.info("audit_partition_dropped", extra={"partition": partition.name})
    return len(old), datetime.combine(old[-1].end, datetime.min.time(), UTC)
