"""Closing an engagement (JW307 semantics): end date, JZ588 end reason, final GAS per goal.

Every goal in the engagement's scope gets its final GAS score (−2…+2) — all problems are
reported at once. Closing schedules the completion payment per the frozen payment model
(``app.services.money.payments``) and moves the plan to ``evaluating`` once all its engagements ended.

An end-of-care message (iJw JW307, :func:`end_of_care`) carries an end date and reason but no
goal scores: the engagement closes with ``outcome_pending`` (completion scheduled, the result
share and every outcome figure wait) until the provider posts the closure report with the same
end date and reason through :func:`close`.
"""

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import Principal
from app.errors import InvalidInput, InvalidParam
from app.models.base import utcnow
from app.models.engagements import Engagement, EngagementGoal
from app.schemas.engagements import EngagementClose
from app.services.engagements.allocation_hooks import allocation_changed
from app.services.engagements.plan_status import settle_plan
from app.services.engagements.scope import load_for_main_contractor, require_status
from app.services.engagements.service import ENGAGEMENT_EVENT
from app.services.engagements.views import EngagementView, build_view
from app.services.money import payments
from app.services.platform import audit
from app.services.platform.audit import Action
from app.services.platform.clock import today


def _end_date_problems(engagement: Engagement, end_date: date) -> list[InvalidParam]:
    problems: list[InvalidParam] = []
    if engagement.start_date and end_date < engagement.start_date:
        problems.append(InvalidParam("endDate", "before_start", "The end date lies before the start date."))
    if end_date > today():
        problems.append(InvalidParam("endDate", "in_future", "The end date lies in the future."))
    return problems


def _check(engagement: Engagement, scope: list[uuid.UUID], body: EngagementClose) -> None:
    problems = _end_date_problems(engagement, body.end_date)
    if engagement.outcome_pending:
        if body.end_date != engagement.end_date:
            problems.append(
                InvalidParam("endDate", "differs_from_end_of_care", "The care ended on another date.")
            )
        if body.end_reason.value != engagement.end_reason:
            problems.append(
                InvalidParam("endReason", "differs_from_end_of_care", "The care ended for another reason.")
            )
    seen: set[uuid.UUID] = set()
    for index, goal in enumerate(body.goals):
        if goal.goal_id in seen:
            problems.append(
                InvalidParam(f"goals.{index}.goalId", "duplicate_goal", "The goal is listed twice.")
            )
        elif goal.goal_id not in scope:
            problems.append(
                InvalidParam(
                    f"goals.{index}.goalId", "goal_not_in_scope", "The goal is not in this engagement."
                )
            )
        seen.add(goal.goal_id)
    for goal_id in scope:
        if goal_id not in seen:
            problems.append(
                InvalidParam("goals", "gas_score_missing", f"Goal {goal_id} needs a final GAS score.")
            )
    if problems:
        raise InvalidInput(problems)


async def close(
    session: AsyncSession, principal: Principal, engagement_id: uuid.UUID, body: EngagementClose
) -> EngagementView:
    engagement = await load_for_main_contractor(session, principal, engagement_id, needs_consent=False)
    if not (engagement.status == "closed" and engagement.outcome_pending):
        require_status(engagement, ("started",), "closed", transition=True)
    rows = list(
        (
            await session.scalars(select(EngagementGoal).where(EngagementGoal.engagement_id == engagement.id))
        ).all()
    )
    _check(engagement, [row.goal_id for row in rows], body)
    scores = {goal.goal_id: goal.gas_score for goal in body.goals}
    for row in rows:
        row.final_gas_score = scores[row.goal_id]
    if engagement.outcome_pending:
        return await _complete_report(session, principal, engagement, body)
    engagement.problem_reduction = body.problem_reduction
    await _mark_closed(session, principal, engagement, body.end_date, body.end_reason.value)
    return await build_view(session, principal, engagement)


async def _mark_closed(
    session: AsyncSession,
    principal: Principal,
    engagement: Engagement,
    end_date: date,
    end_reason: str,
    *,
    outcome_pending: bool = False,
) -> None:
    """Closed on ``end_date``: the closing payment part, the event, the budget and the plan follow."""
    engagement.status = "closed"
    engagement.end_date = end_date
    engagement.end_reason = end_reason
    engagement.outcome_pending = outcome_pending
    engagement.closed_at = utcnow()
    await session.flush()
    await payments.schedule_on_close(session, engagement)
    pending = {"outcomePending": True} if outcome_pending else {}
    ENGAGEMENT_EVENT.emit(
        session,
        "engagement.closed",
        engagement,
        endReason=end_reason,
        endDate=end_date.isoformat(),
        **pending,
    )
    await allocation_changed(session, engagement)
    audit.record(
        session, principal, Action.UPDATE, "engagement", engagement.id, family_id=engagement.family_id
    )
    await settle_plan(session, engagement.plan_id)


async def _complete_report(
    session: AsyncSession, principal: Principal, engagement: Engagement, body: EngagementClose
) -> EngagementView:
    """The closure report after an end-of-care message: scores in, outcome no longer pending."""
    engagement.problem_reduction = body.problem_reduction
    engagement.outcome_pending = False
    await session.flush()
    await payments.schedule_on_outcome(session, engagement)
    audit.record(
        session, principal, Action.UPDATE, "engagement", engagement.id, family_id=engagement.family_id
    )
    return await build_view(session, principal, engagement)


async def end_of_care(
    session: AsyncSession, principal: Principal, engagement_id: uuid.UUID, end_date: date, end_reason: str
) -> Engagement:
    """JW307: the care ended on ``end_date`` for ``end_reason`` (JZ588); the closure report follows."""
    engagement = await load_for_main_contractor(session, principal, engagement_id, needs_consent=False)
    require_status(engagement, ("started",), "closed", transition=True)
    problems = _end_date_problems(engagement, end_date)
    if problems:
        raise InvalidInput(problems)
    await _mark_closed(session, principal, engagement, end_date, end_reason, outcome_pending=True)
    return engagement
