"""The application factory: routers, middleware, exception handlers, lifespan."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from app import API_VERSION
from app.auth import TokenVerifier
from app.config import Settings, get_settings
from app.db import create_engine, create_sessionmaker
from app.embedded_pg import resolve_database_url
from app.errors import install_error_handlers
from app.http_methods import HttpMethodsMiddleware
from app.idempotency import IdempotencyMiddleware
from app.logging_setup import configure_logging
from app.metrics import watch_pool, worker_stopped
from app.middleware import RequestContextMiddleware
from app.openapi import install_openapi
from app.routers import ROUTERS
from app.services.platform.audit import record_denied_request

API_PREFIX = "/api/v1"
logger = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, *, database_url: str | None = None) -> FastAPI:
    """Build the service. ``database_url`` overrides the configured (or embedded) database."""
    settings = settings or get_settings()
    url = database_url or resolve_database_url(settings.database_url, settings.data_dir, "perspectief")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        logger.info("started", extra={"apiVersion": API_VERSION, "env": settings.env})
        yield
        worker_stopped()
        await app.state.engine.dispose()
        if app.state.read_engine is not app.state.engine:
            await app.state.read_engine.dispose()
        logger.info("stopped")

    app = FastAPI(
        title="Perspectief",
        version=API_VERSION,
        lifespan=lifespan,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
    )
    app.state.settings = settings
    app.state.engine = create_engine(url, settings)
    app.state.sessionmaker = create_sessionmaker(app.state.engine)
    app.state.read_engine = (
        create_engine(settings.read_database_url, settings)
        if settings.read_database_url
        else app.state.engine
    )
    app.state.read_sessionmaker = create_sessionmaker(app.state.read_engine)
    watch_pool(app.state.engine, "primary")
    if app.state.read_engine is not app.state.engine:
        watch_pool(app.state.read_engine, "read")
    app.state.verifier = TokenVerifier(settings)

    app.state.denial_recorder = record_denied_request
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
    install_openapi(app)
    # The last added middleware is the outermost: the request context (request id, body cap,
    # API-Version, last-resort 500) wraps the idempotency layer, which wraps the routes.
    app.add_middleware(IdempotencyMiddleware)
    app.add_middleware(HttpMethodsMiddleware)  # HEAD, OPTIONS, a complete Allow on 405
    app.add_middleware(RequestContextMiddleware, max_body_bytes=settings.max_body_bytes)
    if settings.cors_allow_origins:  # outermost, so every answer (a 413 or 500 too) carries CORS
        app.add_middleware(CORSMiddleware, **cors_options(settings.cors_allow_origins))
    return app


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
    settings = get_settings()
    configure_logging(settings.log_level)
    return create_app(settings)
