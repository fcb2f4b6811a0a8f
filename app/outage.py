"""Telling an outage of the database apart from a bug: the one is a 503, the other a 500.

While PostgreSQL is down (stopped, restarting, unreachable, or every pooled connection
busy) a request cannot be served, but nothing is wrong with it: the caller gets
``503 Service Unavailable`` with ``Retry-After`` and may simply try again. The engine's
connect timeout (``PERSPECTIEF_DB_CONNECT_TIMEOUT_SECONDS``) bounds how long that takes.
Each such answer is counted in ``perspectief_dependency_unavailable_total``.
"""

from collections.abc import Iterator

from asyncpg.exceptions import ConnectionDoesNotExistError
from prometheus_client import Counter
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

UNAVAILABLE = Counter(
    "perspectief_dependency_unavailable_total",
    "Requests answered 503 because a dependency was unavailable",
    ["dependency"],
)
RETRY_AFTER_SECONDS = 5
DETAIL = "The database is unavailable at the moment; retry after a few seconds."
# SQLSTATEs of a server that is shutting down or starting up, and every connection exception.
_UNAVAILABLE_STATES = {"57P01", "57P02", "57P03"}
_DRIVER_PATHS = ("/asyncpg/", "/sqlalchemy/")


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    pending = [exc]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        if isinstance(current, BaseExceptionGroup):
            pending.extend(current.exceptions)
        pending.extend(e for e in (current.__cause__, current.__context__) if e is not None)


def _raised_by_driver(exc: BaseException) -> bool:
    """An OS error (refused, reset, timed out) counts only when the database driver raised it."""
    tb = exc.__traceback__
    while tb is not None:
        if any(part in tb.tb_frame.f_code.co_filename for part in _DRIVER_PATHS):
            return True
        tb = tb.tb_next
    return False


def database_unavailable(exc: BaseException) -> bool:
    """True when ``exc`` (or what caused it) says the database cannot be reached right now."""
    for error in _chain(exc):
        if isinstance(error, DBAPIError) and error.connection_invalidated:
            return True
        if isinstance(error, PoolTimeout | ConnectionDoesNotExistError):
            return True
        if isinstance(error, OSError) and _raised_by_driver(error):
            return True
        state = getattr(error, "sqlstate", None)
        if isinstance(state, str) and (state.startswith("08") or state in _UNAVAILABLE_STATES):
            return True
    return False


def record_unavailable() -> dict[str, str]:
    """Count a 503 for the database and return the ``Retry-After`` header to send with it."""
    UNAVAILABLE.labels("database").inc()
    return {"Retry-After": str(RETRY_AFTER_SECONDS)}
