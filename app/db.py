"""Async engine, session factory and the request-owned session.

The request's session commits when the endpoint succeeds and rolls back when it
raises; services only ``flush()``. The dependency uses ``scope="function"`` so the
commit happens before the response is sent: an audit row is durable before the
caller sees the data it records.
"""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from app.config import Settings


def create_engine(url: str, settings: Settings) -> AsyncEngine:
    """An asyncpg engine; the statement cache is off behind PgBouncer (transaction pooling)."""
    # Timestamps the database renders itself (JSON aggregates) are then always in UTC.
    connect_args: dict[str, object] = {
        "server_settings": {"application_name": "perspectief", "timezone": "UTC"},
        # A database that does not answer is a quick 503 (app/outage.py), not a hung request.
        "timeout": settings.db_connect_timeout_seconds,
    }
    if not settings.db_statement_cache:
        connect_args["statement_cache_size"] = 0
        connect_args["prepared_statement_cache_size"] = 0
    return create_async_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_pool_size,
        # A ping costs a round trip per checkout; recycling old connections is enough unless the
        # network drops idle connections (then set PERSPECTIEF_DB_PRE_PING=true).
        pool_pre_ping=settings.db_pre_ping,
        pool_recycle=settings.db_pool_recycle_seconds,
        connect_args=connect_args,
        pool_timeout=settings.db_pool_timeout_seconds,
    )


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


async def _request_session(request: Request) -> AsyncIterator[AsyncSession]:
    sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    async with sessionmaker() as session:
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        else:
            await session.commit()


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
