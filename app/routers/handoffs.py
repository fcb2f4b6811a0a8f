"""HTTP routes: handoffs to other life domains."""

import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response

from app.auth import CurrentPrincipal
from app.db import SessionDep
from app.models.base import Page
from app.pagination import ListQuery
from app.routers.filters import ByEngagement, ByPlan
from app.routers.shapes import Call, item_routes, located, page_of
from app.schemas.handoffs import HandoffCreate, HandoffDecline, HandoffPublic, HandoffResolve, HandoffStatus
from app.services.engagements import handoffs

router = APIRouter(tags=["handoffs"])


@dataclass
class HandoffQuery(ListQuery):
    """The handoff list's page and filters."""

    status: HandoffStatus | None = None
    overdue: bool | None = None
    plan_id: ByPlan = None
    engagement_id: ByEngagement = None


@router.post(
    "/handoffs",
    summary="Raise a handoff",
    status_code=201,
    responses={404: {"description": "The plan or engagement does not exist or is not visible to you."}},
)
async def raise_handoff(
    body: HandoffCreate, session: SessionDep, principal: CurrentPrincipal, response: Response
) -> HandoffPublic:
    handoff = await handoffs.raise_handoff(session, principal, body)
    return located(response, HandoffPublic.model_validate(handoff), "handoffs", handoff["id"])


@router.get("/handoffs", summary="The handoffs the caller may see, earliest due first")
async def list_handoffs(
    session: SessionDep, principal: CurrentPrincipal, query: Annotated[HandoffQuery, Depends()]
) -> Page[HandoffPublic]:
    return page_of(
        HandoffPublic, await query.ask(handoffs.list_handoffs, session, principal, handoffs.HandoffFilter)
    )


@router.get("/handoffs/{handoff_id}", summary="One handoff")
async def get_handoff(
    handoff_id: uuid.UUID, session: SessionDep, principal: CurrentPrincipal
) -> HandoffPublic:
    return HandoffPublic.model_validate(await handoffs.get_handoff(session, principal, handoff_id))


def _to(action: str) -> Any:
    """The service call of a transition without a body."""
    return lambda session, principal, handoff_id: handoffs.transition(session, principal, handoff_id, action)


def _with_text(action: str, field: str) -> Any:
    """The service call of a transition whose body carries one text (resolution, reason)."""
    return lambda session, principal, handoff_id, body: handoffs.transition(
        session, principal, handoff_id, action, getattr(body, field)
    )


# The transitions of a handoff: one shape, a row each (app/routers/shapes.py).
item_routes(
    router,
    id_param="handoff_id",
    calls=[
        Call(
            "POST",
            "/handoffs/{handoff_id}/acknowledge",
            "acknowledge",
            "Acknowledge a handoff (the family's team)",
            _to("acknowledge"),
            HandoffPublic,
        ),
        Call(
            "POST",
            "/handoffs/{handoff_id}/start",
            "start",
            "Start working on an acknowledged handoff",
            _to("start"),
            HandoffPublic,
        ),
        Call(
            "POST",
            "/handoffs/{handoff_id}/resolve",
            "resolve",
            "Resolve a handoff in progress, saying how",
            _with_text("resolve", "resolution"),
            HandoffPublic,
            HandoffResolve,
        ),
        Call(
            "POST",
            "/handoffs/{handoff_id}/decline",
            "decline",
            "Decline a handoff, with the reason",
            _with_text("decline", "reason"),
            HandoffPublic,
            HandoffDecline,
        ),
    ],
)
