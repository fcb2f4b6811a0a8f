"""HTTP routes: iJw messages (XML) exchanged with provider systems."""

import uuid

from fastapi import APIRouter, Request, Response

from app.auth import CurrentPrincipal
from app.db import SessionDep
from app.schemas.ijw import IjwMessageList, IjwMessagePublic
from app.services.ijw import inbound, store

router = APIRouter(tags=["ijw-messages"])

XML = "application/xml"
NOT_VISIBLE = {404: {"description": "The message does not exist or is not visible to you."}}


@router.get(
    "/engagements/{engagement_id}/ijw-messages",
    summary="The iJw messages of an engagement, both directions",
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


POST_DESCRIPTION = """
Provider staff send an inbound iJw 3.2 message (`application/xml`) from their own AGB code
(`Afzender`): JW305 start of care, JW307 end of care, JW315 request for an allocation, JW317
change request or JW323 claim. The answer is its return message (JW306, JW308, JW316, JW318,
JW325) with `RetourCodes` per message class: `0200` accepted, or the standard's code for each
broken rule — e.g. `9019` not linked to an allocation, `9326` already started, `9069` no current
start, `9351` not a current allocation, `9338` claimed on no allocation, `0611` above the frozen
tariff, `9056` identification not unique, `8848` dated in the future; a JW325 lists only the
rejected claim lines (`8001`: approved in full). `Location` names the stored inbound message.

The same message again (same identification, same document) is answered with the same return
message and applied once (200). A document that is not well-formed, not one of these messages
or not valid against its XSD is 400 listing every schema error; a DTD or entity declaration is
refused; nothing is kept then.
"""


@router.post(
    "/ijw-messages",
    summary="Send an inbound iJw message; the answer is its return message",
    description=POST_DESCRIPTION,
    response_class=Response,
    status_code=201,
    responses={
        201: {"content": {XML: {"schema": {"type": "string"}}}, "description": "Received and answered."},
        200: {"content": {XML: {"schema": {"type": "string"}}}, "description": "Received before."},
        415: {"description": "The body is not application/xml."},
    },
    openapi_extra={
        "requestBody": {"required": True, "content": {XML: {"schema": {"type": "string"}}}},
    },
)
async def receive_message(request: Request, session: SessionDep, principal: CurrentPrincipal) -> Response:
    media_type = request.headers.get("content-type", "")
    answer = await inbound.receive(session, principal, media_type, await request.body())
    headers = {"Location": f"/api/v1/ijw-messages/{answer.inbound_id}"} if answer.inbound_id else {}
    return Response(
        content=answer.document, media_type=XML, status_code=201 if answer.created else 200, headers=headers
    )
