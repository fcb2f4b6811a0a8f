"""Async engine, session factory and the request-owned session.

The request's session commits when the endpoint succeeds and rolls back when it
raises; services only ``flush()``. The dependency uses ``scope="function"`` so the
commit happens before the response is sent: an audit row is durable before the
caller sees the data it records.
"""

import uuid
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from app import pool_metrics
from app.config import Settings
from app.services.platform import audit


def as_asyncpg_url(url: str) -> str:
    """``postgresql://…`` (as operators write it) → the asyncpg dialect SQLAlchemy needs."""
    return url.replace("postgresql://", "postgresql+asyncpg://", 1)


def create_engine(url: str, settings: Settings, pool: str = "primary") -> AsyncEngine:
    """An asyncpg engine with a fixed pool of ``db_pool_size`` connections (counted in
    ``/metrics`` as ``pool``); the statement cache is off behind PgBouncer (transaction pooling)."""
    # Timestamps the database renders itself (JSON aggregates) are then always in UTC.
    connect_args: dict[str, object] = {
        "server_settings": {"application_name": "perspectief", "timezone": "UTC"},
        # A database that does not answer is a quick 503 (app/outage.py), not a hung request.
        "timeout": settings.db_connect_timeout_seconds,
    }
    if not settings.db_statement_cache:
        # PgBouncer in transaction mode hands each transaction any server connection: no cached
        # statements, and each prepared statement under a name of its own, never reused
        connect_args["statement_cache_size"] = 0
        connect_args["prepared_statement_cache_size"] = 0
        connect_args["prepared_statement_name_func"] = lambda: f"__perspectief_{uuid.uuid4().hex}__"
    engine = create_async_engine(
        url,
        # no overflow: a burst waits for a pooled connection rather than opening and closing more
        pool_size=settings.db_pool_size,
        max_overflow=0,
        # A ping costs a round trip per checkout; recycling old connections is enough unless the
        # network drops idle connections (then set PERSPECTIEF_DB_PRE_PING=true).
        pool_pre_ping=settings.db_pre_ping,
        pool_recycle=settings.db_pool_recycle_seconds,
        connect_args=connect_args,
        pool_timeout=settings.db_pool_timeout_seconds,
    )
    pool_metrics.watch(engine, pool)
    return engine


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


async def _request_session(request: Request) -> AsyncIterator[AsyncSession]:
    sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    writer = getattr(request.app.state, "audit_writer", None)
    async with sessionmaker() as session:
        if writer is not None and request.method in ("GET", "HEAD"):
            audit.defer_to(session, writer)  # a read's audit rows share a group commit
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        else:
            await session.commit()
            await audit.write_deferred(session)


async def _read_session(request: Request) -> AsyncIterator[AsyncSession]:
    """A session for read-only aggregate queries (a replica when one is configured)."""
    sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.read_sessionmaker
    async with sessionmaker() as session:
        try:
            yield session
        finally:
            await session.rollback()


SessionDep = Annotated[AsyncSession, Depends(_request_session, scope="function")]
ReadSessionDep = Annotated[AsyncSession, Depends(_read_session, scope="function")]
