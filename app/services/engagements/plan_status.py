"""The plan's status as its engagements move (DESIGN §3).

``agreed → active`` when the first engagement starts; ``active → evaluating`` when none of its
engagements is still requested, accepted or started and at least one was closed. Each change
bumps the plan's version (its ETag) with the plan row locked.
"""

import uuid
from datetime import datetime

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


def _bump(plan: Plan, status: str, now: datetime) -> None:
    plan.status = status
    plan.version += 1
    plan.updated_at = now


async def activate_plan(session: AsyncSession, plan_id: uuid.UUID) -> bool:
    """Make an agreed plan active (its first engagement started); True when it changed."""
    plan = await _lock_plan(session, plan_id)
    if plan.status != "agreed":
        return False
    now = utcnow()
    _bump(plan, "active", now)
    plan.activated_at = now
    PLAN_STATUS_EVENT.emit(session, "plan.activated", plan)
    await session.flush()
    return True


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
    now = utcnow()
    _bump(plan, "evaluating", now)
    plan.evaluating_at = now
    PLAN_STATUS_EVENT.emit(session, "plan.evaluation-started", plan)
    await session.flush()
    return True
