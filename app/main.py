"""The application factory: routers, middleware, exception handlers, lifespan."""

import asyncio
import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from app import API_VERSION
from app.auth import TokenVerifier
from app.config import ConfigurationError, Settings, get_settings
from app.dashboard import install_dashboard
from app.db import as_asyncpg_url, create_engine, create_sessionmaker
from app.docs import install_docs
from app.embedded_pg import ensure_embedded, stop_embedded, to_asyncpg_url
from app.errors import install_error_handlers
from app.http_methods import HttpMethodsMiddleware
from app.idempotency import IdempotencyMiddleware
from app.logging_setup import configure_logging
from app.metrics import worker_stopped
from app.middleware import RequestBounds, RequestContextMiddleware
from app.openapi import install_openapi
from app.routers import ROUTERS
from app.services.ijw.allocations import install as install_ijw_allocations
from app.services.platform import audit_seal
from app.services.platform.audit import record_denied_request
from app.services.platform.audit_writer import AuditWriter

API_PREFIX = "/api/v1"
logger = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, *, database_url: str | None = None) -> FastAPI:
    """Build the service. ``database_url`` overrides the configured database.

    Building the app never starts a database: without any URL (dev only) the embedded server
    is found or started when the app starts serving, so ``create_app().openapi()`` is pure.
    Logging is configured here, not by the command that starts the server, so that it is the
    same whichever way the app is started (``perspectief serve``, ``uvicorn --factory
    app.main:create_app``, a test): JSON lines, no URL and no query string from the server.
    """
    settings = settings or get_settings()
    configure_logging(settings.log_level)
    url = database_url or settings.database_url

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        embedded = None
        if not hasattr(app.state, "engine"):
            embedded = await asyncio.to_thread(ensure_embedded, settings.data_dir)
            _attach_database(app, settings, to_asyncpg_url(embedded.uri, "perspectief"))
        logger.info("started", extra={"apiVersion": API_VERSION, "env": settings.env})
        # audit trail upkeep: the coming months' partitions, and sealing what has committed
        maintenance = (
            asyncio.create_task(audit_seal.maintain(app.state.engine, settings.audit_seal_seconds))
            if settings.audit_seal_seconds > 0
            else None
        )
        yield
        if app.state.audit_writer is not None:
            await app.state.audit_writer.close()
        if maintenance is not None:
            maintenance.cancel()
            with suppress(asyncio.CancelledError):
                await maintenance
        worker_stopped()
        await app.state.engine.dispose()
        if app.state.read_engine is not app.state.engine:
            await app.state.read_engine.dispose()
        if embedded is not None and embedded.started:
            await asyncio.to_thread(stop_embedded, settings.data_dir)
        logger.info("stopped")

    app = FastAPI(
        title="Perspectief",
        version=API_VERSION,
        lifespan=lifespan,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
    )
    app.state.settings = settings
    if url:
        _attach_database(app, settings, url)
    app.state.verifier = TokenVerifier(settings)

    app.state.denial_recorder = record_denied_request
    install_ijw_allocations()
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
    install_openapi(app)
    install_dashboard(app)
    install_docs(app, API_PREFIX)
    # The last added middleware is the outermost: the request context (request id, body cap,
    # API-Version, last-resort 500) wraps the idempotency layer, which wraps the routes.
    app.add_middleware(IdempotencyMiddleware)
    app.add_middleware(HttpMethodsMiddleware)  # HEAD, OPTIONS, a complete Allow on 405
    app.add_middleware(
        RequestContextMiddleware, max_body_bytes=settings.max_body_bytes, bounds=request_bounds(settings)
    )
    if settings.cors_allow_origins:  # outermost, so every answer (a 413 or 500 too) carries CORS
        app.add_middleware(CORSMiddleware, **cors_options(settings.cors_allow_origins))
    return app


def _attach_database(app: FastAPI, settings: Settings, url: str) -> None:
    """Engines and session factories for the primary (and the read replica, when configured)."""
    app.state.engine = create_engine(as_asyncpg_url(url), settings)
    app.state.sessionmaker = create_sessionmaker(app.state.engine)
    app.state.read_engine = (
        create_engine(as_asyncpg_url(settings.read_database_url), settings, "replica")
        if settings.read_database_url
        else app.state.engine
    )
    app.state.read_sessionmaker = create_sessionmaker(app.state.read_engine)
    app.state.audit_writer = AuditWriter(app.state.engine) if settings.audit_group_commit else None


def request_bounds(settings: Settings) -> RequestBounds:
    return RequestBounds(
        max_header_bytes=settings.max_header_bytes,
        max_headers_total_bytes=settings.max_headers_total_bytes,
        max_uri_bytes=settings.max_uri_bytes,
        body_timeout_seconds=settings.body_timeout_seconds,
    )


def cors_options(origins: list[str]) -> dict[str, Any]:
    """CORS for browser frontends on other origins: the listed origins, bearer tokens (no cookies)."""
    return {
        "allow_origins": origins,
        "allow_credentials": False,
        "allow_methods": ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        "allow_headers": [
            "Authorization",
            "Content-Type",
            "If-Match",
            "If-None-Match",
            "Idempotency-Key",
            "X-Request-ID",
        ],
        "expose_headers": ["API-Version", "ETag", "Location", "X-Request-ID", "Allow", "Retry-After"],
        "max_age": 600,
    }


def app_factory() -> FastAPI:
    """Entry point for ``uvicorn --factory app.main:app_factory``."""
    try:
        settings = get_settings()
    except ConfigurationError as exc:
        print(f"perspectief: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    return create_app(settings)
