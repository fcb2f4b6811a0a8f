"""Tamper evidence for the audit trail (NEN 7513): sealed checkpoints, and their verification.

Sealing runs after the fact, never in a request. A sealer takes the audit rows of transactions
that have *finished* — every transaction id below the ``xmin`` of its snapshot: all of those
have committed or rolled back, so no row can still appear among them — and seals them in one
checkpoint (``audit_seals``): per row its id, its time and a digest of all its columns, and a
hash chaining the checkpoint to the one before. Requests insert audit rows without any lock or
shared counter, so sealing never serialises them.

Transaction ids are global to the server, so one long transaction anywhere on it holds sealing
back (never the requests) until it ends.

Verification recomputes every sealed row's digest and every checkpoint's hash and names the
first row that was altered, removed or slipped into a sealed range. Rows of audit partitions
that a retention run dropped (``retention_runs.audit_dropped_before``, written in the transaction
that drops them) are expected to be gone.
A sealer logs each checkpoint's hash: a copy of the chain's head outside the database, so even
someone who rewrites both the rows and the checkpoints is caught by comparing with the log.
"""

import asyncio
import hashlib
import logging
import struct
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Row, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

logger = logging.getLogger(__name__)

SEAL_LOCK = 0x5E4_A0D1  # advisory lock key: one sealer at a time
MAX_ROWS_PER_SEAL = 10_000
GENESIS = bytes(32)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ENTRY = struct.Struct(">16sq8s")  # row id, microseconds since the epoch, first 8 bytes of its digest

# The digest covers every column, in a JSON array (which keeps NULL apart from '' and escapes
# separators); the time is taken in microseconds so the session's time zone cannot change it.
DIGESTED_ROWS = """
SELECT xact, id, occurred_at,
       sha256(convert_to(json_build_array(
           id, (extract(epoch FROM occurred_at) * 1000000)::bigint, subject, role, organisation,
           municipality_code, action, resource_type, resource_id, family_id, outcome, request_id, xact
       )::text, 'UTF8')) AS digest
FROM audit_events
"""


@dataclass(frozen=True)
class Broken:
    id: uuid.UUID
    occurred_at: datetime
    problem: str  # altered / removed / inserted / checkpoint


@dataclass(frozen=True)
class Verification:
    verified_through: datetime | None
    rows: int
    intact: bool
    first_broken: Broken | None = None


def _micros(moment: datetime) -> int:
    delta = moment - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _moment(micros: int) -> datetime:
    return EPOCH + timedelta(microseconds=micros)


def _chain(previous: bytes, from_xact: int, to_xact: int, entries: bytes) -> bytes:
    return hashlib.sha256(previous + struct.pack(">qq", from_xact, to_xact) + entries).digest()


# The same entries, built by the database as one bytea (no per-row work in the service's loop).
PACKED_ENTRIES = f"""
SELECT count(*) AS rows, min(occurred_at) AS first, max(occurred_at) AS last,
       coalesce(string_agg(uuid_send(id) || int8send((extract(epoch FROM occurred_at) * 1000000)::bigint)
                           || substring(digest FROM 1 FOR 8), ''::bytea ORDER BY xact, occurred_at, id),
                ''::bytea) AS entries
FROM ({DIGESTED_ROWS} WHERE xact >= :low AND xact < :high) sealed
"""


async def _packed(conn: AsyncConnection, low: int, high: int) -> Row:
    return (await conn.execute(text(PACKED_ENTRIES), {"low": low, "high": high})).one()


async def _cut(conn: AsyncConnection, low: int, finished_below: int, max_rows: int) -> int | None:
    """The end (exclusive) of the next checkpoint: at most ``max_rows`` rows, whole transactions;
    None when there is nothing to seal."""
    window = "FROM audit_events WHERE xact >= :low AND xact < :high"
    params = {"low": low, "high": finished_below, "n": max_rows}
    first = (await conn.execute(text(f"SELECT min(xact) {window}"), params)).scalar()
    if first is None:
        return None
    nth = text(f"SELECT xact {window} ORDER BY xact OFFSET :n LIMIT 1")
    beyond = (await conn.execute(nth, params)).scalar()
    if beyond is None:
        return finished_below
    return beyond if beyond > first else beyond + 1  # one transaction with more rows: sealed whole


async def _rows_between(conn: AsyncConnection, low: int, high: int) -> list[Row]:
    query = DIGESTED_ROWS + " WHERE xact >= :low AND xact < :high ORDER BY xact, occurred_at, id"
    return list((await conn.execute(text(query), {"low": low, "high": high})).all())


async def seal_once(engine: AsyncEngine, max_rows: int = MAX_ROWS_PER_SEAL) -> int:
    """Seal the next checkpoint of finished transactions' rows; returns how many rows it sealed."""
    async with engine.connect() as raw:
        conn = await raw.execution_options(isolation_level="REPEATABLE READ")
        async with conn.begin():
            if not (
                await conn.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": SEAL_LOCK})
            ).scalar():
                return 0
            finished_below = (
                await conn.execute(text("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint"))
            ).scalar_one()
            last = (
                await conn.execute(text("SELECT to_xact, hash FROM audit_seals ORDER BY id DESC LIMIT 1"))
            ).first()
            if last is not None:
                low, previous = int(last.to_xact), bytes(last.hash)
            else:
                oldest = (await conn.execute(text("SELECT min(xact) FROM audit_events"))).scalar()
                if oldest is None:
                    return 0
                low, previous = int(oldest), GENESIS
            high = await _cut(conn, low, finished_below, max_rows)
            if high is None:
                return 0
            packed = await _packed(conn, low, high)
            entries = bytes(packed.entries)
            digest = _chain(previous, low, high, entries)
            await conn.execute(
                text(
                    "INSERT INTO audit_seals (from_xact, to_xact, rows, first_occurred_at, last_occurred_at,"
                    " entries, previous_hash, hash, sealed_at) VALUES (:low, :high, :rows, :first, :last,"
                    " :entries, :previous, :hash, now())"
                ),
                {
                    "low": low,
                    "high": high,
                    "rows": packed.rows,
                    "first": packed.first,
                    "last": packed.last,
                    "entries": entries,
                    "previous": previous,
                    "hash": digest,
                },
            )
    logger.info("audit_sealed", extra={"throughXact": high, "rows": packed.rows, "hash": digest.hex()})
    return int(packed.rows)


async def seal_all(engine: AsyncEngine, max_rows: int = MAX_ROWS_PER_SEAL) -> int:
    """Seal every finished transaction's rows, checkpoint after checkpoint."""
    total = 0
    while sealed := await seal_once(engine, max_rows):
        total += sealed
    return total


def _compare(stored: bytes, current: Sequence[Row], horizon_us: int | None) -> Broken | None:
    """The first difference between a checkpoint's entries and the rows now in its range."""
    now = {r.id.bytes: (_micros(r.occurred_at), bytes(r.digest)[:8]) for r in current}
    seen: set[bytes] = set()
    for raw_id, micros, digest in ENTRY.iter_unpack(stored):
        seen.add(raw_id)
        if horizon_us is not None and micros < horizon_us:
            continue  # in a partition a retention run dropped
        found = now.get(raw_id)
        if found is None:
            return Broken(uuid.UUID(bytes=raw_id), _moment(micros), "removed")
        if found != (micros, digest):
            return Broken(uuid.UUID(bytes=raw_id), _moment(micros), "altered")
    for r in current:
        if r.id.bytes not in seen:
            return Broken(r.id, r.occurred_at, "inserted")
    return None


async def verify(engine: AsyncEngine) -> Verification:
    """Check every checkpoint and every sealed row; stops at the first that does not match."""
    rows = 0
    through: datetime | None = None
    previous, previous_to = GENESIS, None
    async with engine.connect() as raw:
        conn = await raw.execution_options(isolation_level="REPEATABLE READ")
        async with conn.begin():
            horizon = (
                await conn.execute(
                    text("SELECT max(audit_dropped_before) FROM retention_runs")
                )
            ).scalar()
            horizon_us = _micros(horizon) if horizon is not None else None
            last_id = 0
            while True:
                seal = (
                    await conn.execute(
                        text("SELECT * FROM audit_seals WHERE id > :after ORDER BY id LIMIT 1"),
                        {"after": last_id},
                    )
                ).first()
                if seal is None:
                    break
                last_id = seal.id
                entries = bytes(seal.entries)
                chained = _chain(previous, seal.from_xact, seal.to_xact, entries)
                contiguous = previous_to is None or seal.from_xact == previous_to
                if bytes(seal.previous_hash) != previous or bytes(seal.hash) != chained or not contiguous:
                    first = ENTRY.unpack_from(entries) if entries else None
                    broken = (
                        Broken(uuid.UUID(bytes=first[0]), _moment(first[1]), "checkpoint")
                        if first
                        else Broken(uuid.UUID(int=0), seal.sealed_at, "checkpoint")
                    )
                    return Verification(through, rows, False, broken)
                packed = await _packed(conn, seal.from_xact, seal.to_xact)
                if bytes(packed.entries) != entries:  # something differs: find the first row that does
                    current = await _rows_between(conn, seal.from_xact, seal.to_xact)
                    broken = _compare(entries, current, horizon_us)
                    if broken is not None:
                        return Verification(through, rows, False, broken)
                rows += int(packed.rows)
                through = seal.last_occurred_at or through
                previous, previous_to = chained, seal.to_xact
    return Verification(through, rows, True)


async def maintain(engine: AsyncEngine, interval_seconds: float) -> None:
    """The service's background duty: keep the coming months' partitions and seal what finished.

    Runs until cancelled; a failure is logged and tried again at the next interval.
    """
    from app.services.platform import audit_partitions, clock

    while True:
        try:
            async with engine.begin() as conn:
                await audit_partitions.ensure_ahead(conn, clock.today())
            await seal_all(engine)
        except Exception as exc:  # the database may be away for a while; try again later
            logger.warning("audit_maintenance_failed", extra={"errorType": type(exc).__name__})
        await asyncio.sleep(interval_seconds)
