"""Liveness, readiness and Prometheus metrics."""

from fastapi import APIRouter, Request, Response
from sqlalchemy.exc import SQLAlchemyError

from app.errors import AppError
from app.metrics import exposition
from app.models.base import PublicModel, value_enum
from app.outage import database_unavailable
from app.services.integration import metrics as delivery_metrics
from app.services.platform.health import database_ready

router = APIRouter(tags=["operations"])


HealthStatus = value_enum("HealthStatus", "ok", "ready")


class Health(PublicModel):
    status: HealthStatus


class ServiceUnavailable(AppError):
    status = 503
    code = "database_unavailable"


@router.get("/health", summary="Liveness", response_model=Health)
async def health() -> Health:
    return Health(status="ok")


@router.get("/ready", summary="Readiness: the database answers", response_model=Health)
async def ready(request: Request) -> Health:
    if not await database_ready(request.app.state.engine):
        raise ServiceUnavailable("The database is not reachable.")
    return Health(status="ready")


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
)
async def metrics(request: Request) -> Response:
    """Every worker's samples (multiprocess mode) and the figures read from the database; while
    the database is down those figures are left out and the rest (its outage counted) is served."""
    engine = request.app.state.engine
    try:
        await delivery_metrics.refresh(engine, request.app.state.settings)
    except (OSError, SQLAlchemyError) as exc:
        if not database_unavailable(exc):
            raise
    body, media_type = await exposition(engine)
    return Response(body, media_type=media_type)
