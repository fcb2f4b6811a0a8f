"""Locking a plan for a change, optimistic versioning, and the draft rules every edit shares.

A writer locks the plan row (``SELECT … FOR UPDATE``) *before* comparing ``If-Match`` with the
version, so of two writers holding the same version exactly one passes; the other waits for the
lock, then sees the bumped version and gets 412. Every change bumps the version by one.
"""

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import Principal
from app.errors import Conflict
from app.models.base import utcnow
from app.models.plans import Plan
from app.services.families.scope import plan_write_clause
from app.services.platform import events
from app.services.platform.rows import one_or_not_found
from app.versioning import Expected, check_version

OPEN_STATES = ("draft", "agreed", "active", "evaluating")
PLAN_EVENT = events.EventSpec(
    "/plans/{id}", ("family_id", "status", "version", "agreed_version", "revision_open")
)
"""An outbox event about the plan: ids, version numbers and states only."""


async def lock_plan(
    session: AsyncSession, principal: Principal, plan_id: uuid.UUID, expected_version: Expected
) -> Plan:
    """The plan, locked, when the caller may change it (404 otherwise) and holds its version (428/412)."""
    plan = await one_or_not_found(
        session,
        select(Plan).where(Plan.id == plan_id, plan_write_clause(principal)).with_for_update(of=Plan),
        "plan",
    )
    check_version(plan.version, expected_version)
    return plan


def is_editable(plan: Plan) -> bool:
    """A draft, or an agreed/active plan with a revision (a new draft version) open."""
    return plan.status == "draft" or (plan.status in ("agreed", "active") and plan.revision_open)


def require_editable(plan: Plan) -> None:
    if not is_editable(plan):
        raise Conflict(
            f"The plan is {plan.status}; only a draft or an open revision can be changed.",
            code="plan_not_editable",
            plan_status=plan.status,
        )


def bump(plan: Plan) -> None:
    """Record a change: the next version (the new ETag)."""
    plan.version += 1
    plan.updated_at = utcnow()
