"""The audit trail (NEN 7513): who did what with which family's data, and whether it was allowed.

Successful accesses are recorded in the request's own transaction, so they commit with the
change they describe (and a read's audit row is committed before the response is sent). They are
kept as plain values on the session and written by one Core INSERT when it commits — or, for a
read (GET), when the group commit is on, by its writer (``audit_writer``) right after it, before
the answer.
Denied attempts are recorded in a transaction of their own, because the request's
transaction rolls back.
"""

import uuid
from enum import StrEnum
from typing import Any

from sqlalchemy import event, insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from app.auth import Principal
from app.context import current_request_id
from app.models.base import utcnow
from app.models.core import AuditEvent
from app.services.platform.audit_writer import AuditWriter

AUDIT_TABLE = AuditEvent.__table__
# Rows recorded in a session wait here (plain dicts) until the session commits.
PENDING = "perspectief.audit_rows"
# A read's session names the group-commit writer its rows go to after the read commits.
WRITER = "perspectief.audit_writer"


class Action(StrEnum):
    CREATE = "create"
    READ = "read"
    UPDATE = "update"
    DELETE = "delete"
    EXPORT = "export"
    SEARCH = "search"
    EMERGENCY = "emergency"


def _row(
    principal: Principal,
    action: Action,
    resource_type: str,
    resource_id: object | None,
    family_id: uuid.UUID | None,
    outcome: str,
) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "occurred_at": utcnow(),
        "subject": principal.sub,
        "role": principal.role.value,
        "organisation": principal.organisation,
        "municipality_code": principal.municipality or None,
        "action": action.value,
        "resource_type": resource_type,
        "resource_id": str(resource_id) if resource_id is not None else None,
        "family_id": family_id,
        "outcome": outcome,
        "request_id": current_request_id(),
    }


def _pending(session: AsyncSession) -> list[dict[str, Any]]:
    return session.info.setdefault(PENDING, [])


@event.listens_for(Session, "before_flush")
def _write_on_flush(session: Session, *_: object) -> None:
    _write_pending(session)


@event.listens_for(Session, "before_commit")
def _write_pending(session: Session) -> None:
    """Write the session's audit rows in one Core INSERT of plain values, inside its transaction.

    Plain dictionaries and one statement: building ORM objects for every read showed up in
    profiles, and the rows still commit (or roll back) with the change they describe.
    """
    if WRITER in session.info:
        return  # a read's rows go to the group-commit writer once the read has committed
    rows = session.info.pop(PENDING, None)
    if rows:
        session.connection().execute(insert(AUDIT_TABLE), rows)


@event.listens_for(Session, "after_rollback")
def _drop_pending(session: Session) -> None:
    session.info.pop(PENDING, None)


def defer_to(session: AsyncSession, writer: AuditWriter) -> None:
    """Make ``session`` a read's: its audit rows are written by ``writer`` after it commits."""
    session.info[WRITER] = writer


async def write_deferred(session: AsyncSession) -> None:
    """After a read's commit: return once its audit rows are durable (or raise, 503)."""
    writer = session.info.pop(WRITER, None)
    rows = session.info.pop(PENDING, None)
    if writer is not None and rows:
        await writer.write(rows)


def record(
    session: AsyncSession,
    principal: Principal,
    action: Action,
    resource_type: str,
    resource_id: object | None = None,
    *,
    family_id: uuid.UUID | None = None,
) -> None:
    """Record a successful access in the caller's transaction (written when it commits)."""
    _pending(session).append(_row(principal, action, resource_type, resource_id, family_id, "success"))


async def add_created(
    session: AsyncSession, principal: Principal, row: Any, resource_type: str, *, family_id: uuid.UUID | None
) -> None:
    """Add a new row, flush it (for its id) and record its creation."""
    session.add(row)
    await session.flush()
    record(session, principal, Action.CREATE, resource_type, row.id, family_id=family_id)


def record_many(
    session: AsyncSession,
    principal: Principal,
    action: Action,
    resource_type: str,
    items: list[tuple[object, uuid.UUID | None]],
) -> None:
    """Record one row per (resource id, family id): a list read touches several families."""
    _pending(session).extend(
        _row(principal, action, resource_type, rid, fid, "success") for rid, fid in items
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
        await session.execute(
            insert(AUDIT_TABLE), [_row(principal, action, resource_type, resource_id, None, "denied")]
        )


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
