"""HTTP routes: the pull feed of the integration bus."""

from typing import Annotated

from fastapi import APIRouter, Query

from app.auth import Integration
from app.db import SessionDep
from app.errors import InvalidInput, InvalidParam
from app.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from app.schemas.integration import KNOWN_TYPES, EventPage
from app.services.integration import feed

router = APIRouter(tags=["integration"])


def _types(value: str | None) -> list[str]:
    """``types`` is a comma-separated list of full type names."""
    names = sorted({name.strip() for name in (value or "").split(",") if name.strip()})
    unknown = [n for n in names if n not in KNOWN_TYPES]
    if unknown:
        reason = f"Unknown event types: {', '.join(unknown)}."
        raise InvalidInput([InvalidParam("types", "unknown_event_type", reason[:300])])
    return names


@router.get(
    "/events",
    summary="The pull feed: the municipality's CloudEvents after a sequence, gap-free",
)
async def list_events(
    session: SessionDep,
    principal: Integration,
    after_sequence: Annotated[str | None, Query(alias="afterSequence", max_length=20)] = None,
    types: Annotated[
        str | None, Query(max_length=4000, description="Comma-separated full type names.")
    ] = None,
    page_size: Annotated[int, Query(alias="pageSize", ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE,
) -> EventPage:
    after = feed.parse_after_sequence(after_sequence)
    items, cursor = await feed.page(session, principal, after, _types(types), page_size)
    return EventPage(items=items, next_cursor=cursor)
