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
    """Count the engine's connections under ``pool`` (``primary`` or ``replica``).

    The gauges are set from the pool's own counts at every event rather than moved up and down,
    so an event without its pair (a connection invalidated during an outage) cannot skew them.
    """
    open_, in_use = CONNECTIONS.labels(pool, "open"), CONNECTIONS.labels(pool, "in_use")
    opened = OPENED.labels(pool)

    def update(*_: Any, returning: int = 0) -> None:
        current: Any = engine.sync_engine.pool  # read at each event: dispose() replaces the pool
        in_use.set(current.checkedout() - returning)
        open_.set(current.checkedout() + current.checkedin())

    def checked_in(*_: Any) -> None:
        update(returning=1)  # the event comes just before the connection is back in the pool

    def connected(*args: Any) -> None:
        opened.inc()
        update()

    target = engine.sync_engine
    event.listen(target, "connect", connected)
    event.listen(target, "checkin", checked_in)
    for name in ("checkout", "close", "close_detached"):
        event.listen(target, name, update)
