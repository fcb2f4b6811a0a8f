"""The plan's status as its engagements move (DESIGN §3).

``agreed → active`` when the first engagement starts; ``active → evaluating`` when none of its
engagements is still requested, accepted or started and at least one was closed. Each change
bumps the plan's version (its ETag) with the plan row locked.
"""

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.base import utcnow
from app.models.engagements import Engagement
from app.models.plans import Plan
from app.services.platform import events

OPEN_ENGAGEMENT = ("requested", "accepted", "started")
PLAN_STATUS_EVENT = events.EventSpec("/plans/{id}", ("family_id", "status", "version"))
"""The integration bus hears of the change: ids, version numbers and states only."""


async def _lock_plan(session: AsyncSession, plan_id: uuid.UUID) -> Plan:
    return (await session.execute(select(Plan).where(Plan.id == plan_id).with_for_update())).scalar_one()


@dataclass(frozen=True)
class _Move:
    """A status change the plan's engagements cause: the new status, its timestamp, its event."""

    status: str
    stamped_in: str
    event: str


ACTIVATE = _Move("active", "activated_at", "plan.activated")
START_EVALUATION = _Move("evaluating", "evaluating_at", "plan.evaluation-started")


async def _apply(session: AsyncSession, plan: Plan, move: _Move) -> bool:
    """Bump the locked plan into the move's status (its new version is its ETag) and tell the bus."""
    now = utcnow()
    plan.status = move.status
    plan.version += 1
    plan.updated_at = now
    setattr(plan, move.stamped_in, now)
    PLAN_STATUS_EVENT.emit(session, move.event, plan)
    await session.flush()
    return True


async def activate_plan(session: AsyncSession, plan_id: uuid.UUID) -> bool:
    """Make an agreed plan active (its first engagement started); True when it changed."""
    plan = await _lock_plan(session, plan_id)
    if plan.status != "agreed":
        return False
    return await _apply(session, plan, ACTIVATE)


async def settle_plan(session: AsyncSession, plan_id: uuid.UUID) -> bool:
    """Move an active plan to evaluating once all its engagements have ended; True when it changed."""
    await session.flush()
    plan = await _lock_plan(session, plan_id)
    if plan.status != "active":
        return False
    counts = dict(
        (
            await session.execute(
                select(Engagement.status, func.count())
                .where(Engagement.plan_id == plan_id)
                .group_by(Engagement.status)
            )
        ).all()
    )
    if any(counts.get(status, 0) for status in OPEN_ENGAGEMENT) or not counts.get("closed", 0):
        return False
    return await _apply(session, plan, START_EVALUATION)
