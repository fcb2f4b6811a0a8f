"""Generated rows into the database: INSERTs in a session, or ``COPY`` for large sets."""

import json
from operator import itemgetter
from typing import Any

import asyncpg
from sqlalchemy import JSON, insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.generate.rows import WRITE_ORDER, Rows

INSERT_CHUNK = 2000


async def insert_rows(session: AsyncSession, rows: Rows) -> None:
    """Multi-row INSERTs in the caller's transaction (the demo, the tests)."""
    for model in WRITE_ORDER:
        batch = rows.data.get(model, [])
        for start in range(0, len(batch), INSERT_CHUNK):
            await session.execute(insert(model), batch[start : start + INSERT_CHUNK])


def _records(model: Any, batch: list[dict[str, Any]]) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The column list of the batch (its first row's keys, in table order) and its records."""
    columns = [c for c in model.__table__.columns if c.name in batch[0]]
    names = [c.name for c in columns]
    records = list(map(itemgetter(*names), batch)) if len(names) > 1 else [(r[names[0]],) for r in batch]
    json_positions = [i for i, c in enumerate(columns) if isinstance(c.type, JSON)]
    if json_positions:
        records = [_dump_json(r, json_positions) for r in records]
    return names, records


def _dump_json(record: tuple[Any, ...], positions: list[int]) -> tuple[Any, ...]:
    values = list(record)
    for i in positions:
        if values[i] is not None:
            values[i] = json.dumps(values[i], default=str)
    return tuple(values)


async def copy_rows(conn: asyncpg.Connection, rows: Rows) -> int:
    """``COPY`` every table of ``rows`` (binary, through asyncpg); returns the rows written.

    Columns are named explicitly, so a table that gained columns with defaults (or became
    partitioned) takes the rows unchanged.
    """
    written = 0
    for model in WRITE_ORDER:
        batch = rows.data.get(model)
        if not batch:
            continue
        names, records = _records(model, batch)
        await conn.copy_records_to_table(model.__tablename__, records=records, columns=names)
        written += len(records)
    return written
