"""Frozen snapshots of agreed plan versions (``GET /plans/{id}/versions/{n}``).

When both kinds of signature are on one version the plan's content at that moment — texts,
assessments, goals, support profiles and the signatures on that version — is stored as JSON in
``plan_versions``; later edits (a revision) never change it.
"""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import Principal
from app.errors import NotFound
from app.models.base import utcnow
from app.models.plans import Plan, PlanVersion
from app.schemas.plans import PlanContent
from app.services.families.scope import plan_read_clause
from app.services.plans.view import load_content
from app.services.platform import audit
from app.services.platform.audit import Action
from app.services.platform.rows import one_or_not_found


def content_json(view_dict: dict[str, Any]) -> dict[str, Any]:
    """The plan content as stored in a snapshot (the public camelCase JSON form)."""
    return PlanContent.model_validate(view_dict).model_dump(mode="json", by_alias=True)


async def freeze(session: AsyncSession, plan: Plan, agreed_at: datetime | None = None) -> PlanVersion:
    """Store the snapshot of the plan's current version (call after flushing its parts)."""
    await session.flush()
    view = await load_content(session, plan)
    snapshot = PlanVersion(
        plan_id=plan.id,
        version=plan.version,
        snapshot=content_json(view.as_dict(signatures_of_version=plan.version)),
        agreed_at=agreed_at or utcnow(),
    )
    session.add(snapshot)
    await session.flush()
    return snapshot


async def _readable_plan(session: AsyncSession, principal: Principal, plan_id: uuid.UUID) -> Plan:
    return await one_or_not_found(
        session, select(Plan).where(Plan.id == plan_id, plan_read_clause(principal)), "plan"
    )


async def get_version(
    session: AsyncSession, principal: Principal, plan_id: uuid.UUID, version: int
) -> PlanVersion:
    plan = await _readable_plan(session, principal, plan_id)
    snapshot = await session.get(PlanVersion, (plan.id, version))
    if snapshot is None:
        raise NotFound("plan version")
    audit.record(
        session, principal, Action.READ, "plan-version", f"{plan.id}/{version}", family_id=plan.family_id
    )
    return snapshot


async def list_versions(session: AsyncSession, principal: Principal, plan_id: uuid.UUID) -> list[Any]:
    """The agreed versions of the plan (rows of version and agreedAt), oldest first."""
    plan = await _readable_plan(session, principal, plan_id)
    rows = await session.execute(
        select(PlanVersion.version, PlanVersion.agreed_at)
        .where(PlanVersion.plan_id == plan.id)
        .order_by(PlanVersion.version)
    )
    audit.record(session, principal, Action.READ, "plan-version", plan.id, family_id=plan.family_id)
    return list(rows.all())
