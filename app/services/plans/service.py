"""The perspective plan: create, read (whole, in a fixed number of statements), list, edit texts.

One open plan per family (``draft``, ``agreed``, ``active``, ``evaluating``): a second is 409
``open_plan_exists``. Lifecycle transitions live in :mod:`plan_lifecycle`, parts in
:mod:`plan_parts`, signatures and agreement in :mod:`plan_signing`.
"""

import uuid

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import Principal
from app.errors import Conflict
from app.models.plans import Plan
from app.pagination import PageRequest
from app.schemas.plans import PlanCreate, PlanUpdate
from app.services.families.scope import family_page, lock_family, plan_read_clause
from app.services.plans.edit import OPEN_STATES, PLAN_EVENT, bump, lock_plan, require_editable
from app.services.plans.view import PlanView, load_view
from app.services.platform import audit
from app.services.platform.audit import Action
from app.services.platform.rows import one_or_not_found
from app.versioning import Expected

ONE_OPEN_PLAN_INDEX = "uq_plans_one_open_per_family"


def _open_plan_conflict(plan_id: uuid.UUID | None) -> Conflict:
    return Conflict(
        "The family already has an open plan.",
        code="open_plan_exists",
        existing=f"/api/v1/plans/{plan_id}" if plan_id else None,
    )


async def create_plan(
    session: AsyncSession, principal: Principal, family_id: uuid.UUID, body: PlanCreate
) -> PlanView:
    """A new draft plan; the family row is locked so two requests cannot both pass the check."""
    family = await lock_family(session, principal, family_id)
    if family.status != "active":
        raise Conflict("Only an active family can get a new plan.", code="family_not_active")
    existing = (
        await session.execute(
            select(Plan.id).where(Plan.family_id == family.id, Plan.status.in_(OPEN_STATES)).limit(1)
        )
    ).scalar_one_or_none()
    if existing is not None:
        raise _open_plan_conflict(existing)
    plan = Plan(
        family_id=family.id,
        municipality_code=family.municipality_code,
        family_vision=body.family_vision,
        summary=body.summary,
        created_by=principal.sub,
    )
    session.add(plan)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:  # a concurrent request won the race despite the lock
        if ONE_OPEN_PLAN_INDEX not in str(exc.orig):
            raise
        raise _open_plan_conflict(None) from exc
    audit.record(session, principal, Action.CREATE, "plan", plan.id, family_id=family.id)
    PLAN_EVENT.emit(session, "plan.created", plan)
    return PlanView(plan, [], [], [], [])


async def get_plan(session: AsyncSession, principal: Principal, plan_id: uuid.UUID) -> PlanView:
    """The whole plan (for a provider: only as main contractor under an active consent)."""
    plan = await one_or_not_found(
        session, select(Plan).where(Plan.id == plan_id, plan_read_clause(principal)), "plan"
    )
    view = await load_view(session, plan)
    audit.record(session, principal, Action.READ, "plan", plan.id, family_id=plan.family_id)
    return view


async def list_plans(
    session: AsyncSession, principal: Principal, family_id: uuid.UUID, page: PageRequest
) -> tuple[list[Plan], str | None]:
    """The family's plans, newest first (the open one and earlier closed or withdrawn ones)."""
    items, cursor = await family_page(session, principal, Plan, family_id, page, Plan.created_at)
    audit.record(session, principal, Action.READ, "plan", None, family_id=family_id)
    return items, cursor


async def update_plan(
    session: AsyncSession, principal: Principal, plan_id: uuid.UUID, expected: Expected, body: PlanUpdate
) -> PlanView:
    """Change the family vision and/or summary of a draft (or open revision)."""
    plan = await lock_plan(session, principal, plan_id, expected)
    require_editable(plan)
    sent = body.model_fields_set
    if sent:
        for name in sent:
            setattr(plan, name, getattr(body, name))
        bump(plan)
    await session.flush()
    audit.record(session, principal, Action.UPDATE, "plan", plan.id, family_id=plan.family_id)
    return await load_view(session, plan)
