"""HTTP routes: providers' requests for an allocation (iJw JW315), as tasks for district teams."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from app.auth import CurrentPrincipal
from app.db import SessionDep
from app.schemas.ijw import (
    AllocationRequestAnswer,
    AllocationRequestList,
    AllocationRequestPublic,
    AllocationRequestStatus,
)
from app.services.ijw import request_answers

router = APIRouter(tags=["ijw-allocation-requests"])


@router.get(
    "/ijw-allocation-requests",
    summary="Requests for an allocation (JW315) for the team, earliest answer due first",
)
async def list_allocation_requests(
    session: SessionDep,
    principal: CurrentPrincipal,
    status: Annotated[AllocationRequestStatus | None, Query()] = None,
) -> AllocationRequestList:
    rows = await request_answers.list_requests(session, principal, status)
    return AllocationRequestList(items=[AllocationRequestPublic.model_validate(r) for r in rows])


@router.post(
    "/ijw-allocation-requests/{request_id}/answer",
    summary="Answer a request for an allocation: refused or under investigation (sent as JW319)",
    description="An allocation itself answers a request: accept an engagement for the same child, "
    "provider and product and its JW301 names the provider's reference.",
    responses={
        404: {"description": "The request does not exist or is not visible to you."},
        409: {"description": "The request was answered already (`request_answered`)."},
    },
)
async def answer_allocation_request(
    request_id: uuid.UUID, body: AllocationRequestAnswer, session: SessionDep, principal: CurrentPrincipal
) -> AllocationRequestPublic:
    request = await request_answers.answer_request(session, principal, request_id, body)
    return AllocationRequestPublic.model_validate(request)
