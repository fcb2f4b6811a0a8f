"""The admin's search of the audit trail (NEN 7513), newest first, keyset-paged; itself audited.

Confined to the admin's municipality. Every filter is an indexed column: ``familyId`` and
``subject`` have their own (column, occurred_at, id) indexes, the rest walk the municipality's
(municipality_code, occurred_at, id) index; ``from``/``to`` (Dutch calendar days) prune the
monthly partitions.
"""

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import Principal
from app.models.core import AuditEvent
from app.pagination import PageRequest
from app.services.platform import audit, clock, paging
from app.services.platform.audit import Action


@dataclass(frozen=True)
class AuditFilter:
    family_id: uuid.UUID | None = None
    subject: str | None = None
    action: str | None = None
    resource_type: str | None = None
    from_date: date | None = None
    to_date: date | None = None


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(), clock.LOCAL_TIMEZONE)


async def search(
    session: AsyncSession, principal: Principal, where: AuditFilter, page: PageRequest
) -> tuple[list[AuditEvent], str | None]:
    query = select(AuditEvent).where(AuditEvent.municipality_code == principal.municipality)
    if where.family_id is not None:
        query = query.where(AuditEvent.family_id == where.family_id)
    if where.subject is not None:
        query = query.where(AuditEvent.subject == where.subject)
    if where.action is not None:
        query = query.where(AuditEvent.action == where.action)
    if where.resource_type is not None:
        query = query.where(AuditEvent.resource_type == where.resource_type)
    if where.from_date is not None:
        query = query.where(AuditEvent.occurred_at >= _start_of(where.from_date))
    if where.to_date is not None:
        query = query.where(AuditEvent.occurred_at < _start_of(where.to_date + timedelta(days=1)))
    items, cursor = await paging.newest_page(session, query, page, AuditEvent.occurred_at, AuditEvent.id)
    audit.record(session, principal, Action.SEARCH, "audit-events", None, family_id=where.family_id)
    return items, cursor
