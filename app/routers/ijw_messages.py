"""HTTP routes: iJw messages (XML) exchanged with provider systems."""

import uuid

from fastapi import APIRouter, Response

from app.auth import CurrentPrincipal
from app.db import SessionDep
from app.schemas.ijw import IjwMessageList, IjwMessagePublic
from app.services.ijw import store

router = APIRouter(tags=["ijw-messages"])

XML = "application/xml"
NOT_VISIBLE = {404: {"description": "The message does not exist or is not visible to you."}}


@router.get(
    "/engagements/{engagement_id}/ijw-messages",
    summary="The iJw messages of an engagement, both directions",
    response_model=IjwMessageList,
    responses={404: {"description": "The engagement does not exist or is not visible to you."}},
)
async def list_engagement_messages(
    engagement_id: uuid.UUID, session: SessionDep, principal: CurrentPrincipal
) -> IjwMessageList:
    rows = await store.list_for_engagement(session, principal, engagement_id)
    return IjwMessageList(items=[IjwMessagePublic.model_validate(r) for r in rows])


@router.get(
    "/ijw-messages/{message_id}",
    summary="One iJw message, as XML valid against the iJw 3.2 schema",
    response_class=Response,
    responses={200: {"content": {XML: {"schema": {"type": "string"}}}}, **NOT_VISIBLE},
)
async def get_message(message_id: uuid.UUID, session: SessionDep, principal: CurrentPrincipal) -> Response:
    row = await store.get_message(session, principal, message_id)
    return Response(content=row.document.encode("utf-8"), media_type=XML)
