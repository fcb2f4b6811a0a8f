"""The application under test made afresh (own settings, probe routers) and a client of its API."""

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager

import httpx
from fastapi import APIRouter, FastAPI

from app.config import Settings, get_settings
from app.main import create_app


@asynccontextmanager
async def fresh_app(
    database_url: str, settings: Settings | None = None, routers: Iterable[APIRouter] = ()
) -> AsyncIterator[FastAPI]:
    """An application on ``database_url`` with ``routers`` mounted beside its own; its engine is
    disposed when the block ends."""
    application = create_app(settings or get_settings(), database_url=database_url)
    for router in routers:
        application.include_router(router, prefix="/api/v1")
    try:
        yield application
    finally:
        await application.state.engine.dispose()


@asynccontextmanager
async def api_client(application: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the application's API over ASGI, based at /api/v1."""
    transport = httpx.ASGITransport(app=application)
    async with httpx.AsyncClient(transport=transport, base_url="http://test/api/v1") as client:
        yield client


@asynccontextmanager
async def fresh_client(
    database_url: str, settings: Settings | None = None, routers: Iterable[APIRouter] = ()
) -> AsyncIterator[httpx.AsyncClient]:
    """``api_client`` of a ``fresh_app``."""
    async with fresh_app(database_url, settings, routers) as application, api_client(application) as client:
        yield client
