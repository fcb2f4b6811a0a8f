"""HTTP routes: the family's data export, erasure requests and retention runs."""

import uuid

from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse

from app.auth import Admin, FamilyOrTeam
from app.db import SessionDep
from app.routers.shapes import located
from app.schemas.privacy import (
    ErasureRequestCreate,
    ErasureRequestPublic,
    RetentionRunCreate,
    RetentionRunPublic,
)
from app.services.privacy import erasure, export, retention

router = APIRouter(tags=["privacy"])


@router.get(
    "/families/{family_id}/export",
    summary="Everything held on the family, in one JSON document (audited as export)",
    responses={200: {"content": {"application/json": {"schema": {"type": "object"}}}}},
    response_class=StreamingResponse,
)
async def export_family(
    family_id: uuid.UUID, request: Request, session: SessionDep, principal: FamilyOrTeam
) -> StreamingResponse:
    await export.authorise_export(session, principal, family_id)
    return StreamingResponse(
        export.stream_export(request.app.state.engine, family_id),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="family-{family_id}.json"'},
    )


@router.post(
    "/erasure-requests",
    status_code=201,
    summary="Erase a family's (or one member's) personal data on request; a refusal is 409 with its code",
)
async def create_erasure_request(
    body: ErasureRequestCreate, request: Request, session: SessionDep, principal: Admin, response: Response
) -> ErasureRequestPublic:
    ask = erasure.ErasureAsk(body.family_id, body.member_id, body.requested_by_member_id, body.reason)
    decided = await erasure.request_erasure(session, request.app.state.sessionmaker, principal, ask)
    return located(response, ErasureRequestPublic.model_validate(decided), "erasure-requests", decided.id)


@router.get("/erasure-requests/{request_id}", summary="An erasure request and its decision")
async def get_erasure_request(
    request_id: uuid.UUID, session: SessionDep, principal: Admin
) -> ErasureRequestPublic:
    return ErasureRequestPublic.model_validate(
        await erasure.get_erasure_request(session, principal, request_id)
    )


@router.post(
    "/retention-runs",
    status_code=201,
    summary="Anonymise files whose care ended 20 years ago, purge expired records (409 while one runs)",
)
async def create_retention_run(
    body: RetentionRunCreate, request: Request, principal: Admin, response: Response
) -> RetentionRunPublic:
    state = request.app.state
    ask = retention.RetentionAsk(body.dry_run, body.ended_before, principal.municipality, principal)
    run = await retention.run_retention(state.engine, state.sessionmaker, state.settings, ask)
    return located(response, RetentionRunPublic.model_validate(run), "retention-runs", run.id)


@router.get("/retention-runs/{run_id}", summary="A retention run and its counts")
async def get_retention_run(run_id: uuid.UUID, session: SessionDep, principal: Admin) -> RetentionRunPublic:
    return RetentionRunPublic.model_validate(await retention.get_retention_run(session, principal, run_id))
