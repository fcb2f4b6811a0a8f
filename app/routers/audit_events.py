"""HTTP routes: the admin's audit search and the verification of the sealed audit trail."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from app.auth import Admin
from app.db import SessionDep
from app.models.base import Page, QueryDate
from app.pagination import ListQuery
from app.routers.filters import ByFamily
from app.routers.shapes import page_of
from app.schemas.privacy import AuditEventPublic, AuditVerificationPublic, BrokenAuditRow
from app.services.platform import audit, audit_seal
from app.services.platform.audit import Action
from app.services.privacy.audit_search import AuditFilter, search

router = APIRouter(tags=["audit"])

Text = Annotated[str | None, Query(min_length=1, max_length=200, pattern=r"^[^\x00]*$")]


@dataclass
class AuditQuery(ListQuery):
    """The search's page and filters (an :class:`AuditFilter`)."""

    family_id: ByFamily = None
    subject: Text = None
    action: Annotated[str | None, Query(pattern=r"^(create|read|update|delete|export|search|emergency)$")] = (
        None
    )
    resource_type: Annotated[
        str | None, Query(alias="resourceType", min_length=1, max_length=60, pattern=r"^[a-z0-9-]+$")
    ] = None
    from_date: Annotated[QueryDate | None, Query(alias="from", description="First day (Dutch calendar).")] = (
        None
    )
    to_date: Annotated[QueryDate | None, Query(alias="to", description="Last day (Dutch calendar).")] = None


@router.get(
    "/audit-events",
    summary="Search the municipality's audit trail, newest first (the search is itself audited)",
)
async def search_audit_events(
    session: SessionDep, principal: Admin, query: Annotated[AuditQuery, Depends()]
) -> Page[AuditEventPublic]:
    return page_of(
        AuditEventPublic, await search(session, principal, AuditFilter(**query.filters()), query.page)
    )


@router.get(
    "/audit-events/verification",
    summary="Seal what is finished, then check that no sealed audit row was altered or removed",
)
async def verify_audit_events(
    request: Request, session: SessionDep, principal: Admin
) -> AuditVerificationPublic:
    engine = request.app.state.engine
    await audit_seal.seal_all(engine)
    result = await audit_seal.verify(engine)
    audit.record(session, principal, Action.READ, "audit-verification")
    broken = result.first_broken
    return AuditVerificationPublic(
        verified_through=result.verified_through,
        rows=result.rows,
        intact=result.intact,
        first_broken=BrokenAuditRow(id=broken.id, occurred_at=broken.occurred_at, problem=broken.problem)
        if broken
        else None,
    )
