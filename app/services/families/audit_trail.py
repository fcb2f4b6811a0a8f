"""The family's own access trail ("who looked at my file", DESIGN §10)."""

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import Principal
from app.models.core import AuditEvent
from app.pagination import PageRequest
from app.services.families.scope import family_page
from app.services.platform import audit
from app.services.platform.audit import Action


async def list_family_audit(
    session: AsyncSession, principal: Principal, family_id: uuid.UUID, page: PageRequest
) -> tuple[list[AuditEvent], str | None]:
    """Every recorded access to the family's data, newest first. Reading it is itself recorded."""
    items, cursor = await family_page(session, principal, AuditEvent, family_id, page, AuditEvent.occurred_at)
    audit.record(session, principal, Action.READ, "audit-events", family_id, family_id=family_id)
    return items, cursor
