"""The database connection pools in ``/metrics``: connections open and in use, and opened so far.

A pool is sized to what one worker may have in the database at once and does not overflow, so
under a burst requests wait for a connection instead of opening (and closing) new ones; the
counter of opened connections shows whether that holds. Each worker reports its own; in
multiprocess mode the gauges are summed over the live workers.
"""

from typing import Any

from prometheus_client import Counter, Gauge
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

CONNECTIONS = Gauge(
    "perspectief_db_connections",
    "Database connections of the pool: open (idle or in use) and in use",
    ["pool", "state"],
    multiprocess_mode="livesum",
)
OPENED = Counter("perspectief_db_connections_opened", "Database connections opened by the pool", ["pool"])


def watch(engine: AsyncEngine, pool: str) -> None:
    """Count the engine's connections under ``pool`` (``primary`` or ``replica``)."""
    open_, in_use = CONNECTIONS.labels(pool, "open"), CONNECTIONS.labels(pool, "in_use")
    opened = OPENED.labels(pool)

    def connected(*_: Any) -> None:
        opened.inc()
        open_.inc()

    target = engine.sync_engine
    event.listen(target, "connect", connected)
    event.listen(target, "close", lambda *_: open_.dec())
    event.listen(target, "close_detached", lambda *_: open_.dec())
    event.listen(target, "checkout", lambda *_: in_use.inc())
    event.listen(target, "checkin", lambda *_: in_use.dec())
