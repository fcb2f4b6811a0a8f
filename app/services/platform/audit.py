"""The audit trail (NEN 7513): who did what with which family's data, and whether it was allowed.

Successful accesses are recorded in the request's own transaction, so they commit with the
change they describe (and a read's audit row is committed before the response is sent).
Denied attempts are recorded in a transaction of their own, because the request's
transaction rolls back.
"""

import uuid
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.auth import Principal
from app.context import current_request_id
from app.models.core import AuditEvent


class Action(StrEnum):
    CREATE = "create"
    READ = "read"
    UPDATE = "update"
    DELETE = "delete"
    EXPORT = "export"
    SEARCH = "search"
    EMERGENCY = "emergency"


def _event(
    principal: Principal,
    action: Action,
    resource_type: str,
    resource_id: object | None,
    family_id: uuid.UUID | None,
    outcome: str,
) -> AuditEvent:
    return AuditEvent(
        subject=principal.sub,
        role=principal.role.value,
        organisation=principal.organisation,
        municipality_code=principal.municipality,
        action=action.value,
        resource_type=resource_type,
        resource_id=str(resource_id) if resource_id is not None else None,
        family_id=family_id,
        outcome=outcome,
        request_id=current_request_id(),
    )


def record(
    session: AsyncSession,
    principal: Principal,
    action: Action,
    resource_type: str,
    resource_id: object | None = None,
    *,
    family_id: uuid.UUID | None = None,
) -> None:
    """Record a successful access in the caller's transaction."""
    session.add(_event(principal, action, resource_type, resource_id, family_id, "success"))


def record_many(
    session: AsyncSession,
    principal: Principal,
    action: Action,
    resource_type: str,
    items: list[tuple[object, uuid.UUID | None]],
) -> None:
    """Record one row per (resource id, family id): a list read touches several families."""
    session.add_all(
        [_event(principal, action, resource_type, rid, fid, "success") for rid, fid in items]
    )


async def record_denied(
    sessionmaker: async_sessionmaker[AsyncSession],
    principal: Principal,
    action: Action,
    resource_type: str,
    resource_id: object | None = None,
) -> None:
    """Record a denied attempt in its own transaction."""
    async with sessionmaker() as session, session.begin():
        session.add(_event(principal, action, resource_type, resource_id, None, "denied"))


METHOD_ACTIONS = {
    "GET": Action.READ,
    "HEAD": Action.READ,
    "POST": Action.CREATE,
    "PUT": Action.UPDATE,
    "PATCH": Action.UPDATE,
    "DELETE": Action.DELETE,
}


async def record_denied_request(
    sessionmaker: async_sessionmaker[AsyncSession],
    principal: Principal,
    method: str,
    resource_type: str,
    resource_id: str | None,
) -> None:
    """The app's denial recorder (``app.errors.DenialRecorder``): the action follows the method."""
    action = METHOD_ACTIONS.get(method, Action.READ)
    await record_denied(sessionmaker, principal, action, resource_type, resource_id)
