"""Group commit for the audit rows of reads.

A read writes nothing but its audit row, yet that row alone made every read commit with a WAL
flush of its own. Reads instead hand their rows to one writer per process: it takes whatever has
queued up, writes it in one INSERT and one commit (one flush for all of them), and then lets
each waiting read answer. So a read is never answered before its audit row is durable — a crash
of PostgreSQL after the answer loses nothing — while concurrent reads share the flush. When the
writer cannot write, the waiting reads fail (503) instead of answering unaudited.

Writes (POST, PUT, PATCH, DELETE) keep their audit rows in their own transaction: the row must
commit or roll back with the change it describes.

Off by default (``PERSPECTIEF_AUDIT_GROUP_COMMIT``): where a WAL flush is cheap, PostgreSQL's own
grouping of concurrent flushes wins and the extra hop and transaction cost more than they save
(``bench/audit.py`` measures both); it pays where every flush is slow.
"""

import asyncio
import logging
from contextlib import suppress
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from app.errors import AppError
from app.models.core import AuditEvent

logger = logging.getLogger(__name__)

MAX_ROWS_PER_COMMIT = 2000


class AuditUnavailable(AppError):
    """The access could not be recorded, so it is not granted (503)."""

    status = 503
    code = "audit_unavailable"


Batch = tuple[list[dict[str, Any]], "asyncio.Future[None]"]


class AuditWriter:
    """One per process; started on first use in the running event loop."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._queue: asyncio.Queue[Batch] | None = None
        self._task: asyncio.Task[None] | None = None

    async def write(self, rows: list[dict[str, Any]]) -> None:
        """Return once ``rows`` are committed; raise :class:`AuditUnavailable` when they cannot be."""
        loop = asyncio.get_running_loop()
        if self._task is None or self._task.done() or self._task.get_loop() is not loop:
            self._queue = asyncio.Queue()
            self._task = loop.create_task(self._run(self._queue))
        assert self._queue is not None
        done: asyncio.Future[None] = loop.create_future()
        self._queue.put_nowait((rows, done))
        await asyncio.shield(done)  # a cancelled request still leaves its row written

    async def _run(self, queue: "asyncio.Queue[Batch]") -> None:
        while True:
            batch = [await queue.get()]
            count = len(batch[0][0])
            while not queue.empty() and count < MAX_ROWS_PER_COMMIT:
                batch.append(queue.get_nowait())
                count += len(batch[-1][0])
            try:
                async with self._engine.begin() as conn:
                    rows = [row for rows, _ in batch for row in rows]
                    await conn.execute(insert(AuditEvent.__table__), rows)
            except Exception as exc:
                logger.error("audit_write_failed", extra={"errorType": type(exc).__name__, "rows": count})
                for _, done in batch:
                    if not done.done():
                        done.set_exception(AuditUnavailable("The access could not be recorded; try again."))
            else:
                for _, done in batch:
                    if not done.done():
                        done.set_result(None)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task
