"""Liveness, readiness and Prometheus metrics."""

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from app.errors import AppError
from app.models.base import PublicModel
from app.services.integration import metrics as delivery_metrics
from app.services.platform.health import database_ready

router = APIRouter(tags=["operations"])


class Health(PublicModel):
    status: str


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
    await delivery_metrics.refresh(request.app.state.engine, request.app.state.settings)
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
