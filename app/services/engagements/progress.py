"""Progress reports of the main contractor: a GAS estimate and a note per goal, problem reduction 1–3."""

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import Principal
from app.errors import InvalidInput, InvalidParam
from app.models.engagements import EngagementGoal, ProgressReport
from app.schemas.engagements import ProgressReportCreate
from app.services.engagements.scope import (
    load_engagement,
    load_for_main_contractor,
    require_case_view,
    require_status,
)
from app.services.platform import audit
from app.services.platform.audit import Action


async def add_progress_report(
    session: AsyncSession, principal: Principal, engagement_id: uuid.UUID, body: ProgressReportCreate
) -> ProgressReport:
    engagement = await load_for_main_contractor(session, principal, engagement_id)
    require_status(engagement, ("started",), "reported on", transition=False)
    scope = set(
        (
            await session.scalars(
                select(EngagementGoal.goal_id).where(EngagementGoal.engagement_id == engagement.id)
            )
        ).all()
    )
    problems: list[InvalidParam] = []
    seen: set[uuid.UUID] = set()
    for index, goal in enumerate(body.goals):
        if goal.goal_id not in scope:
            problems.append(
                InvalidParam(
                    f"goals.{index}.goalId", "goal_not_in_scope", "The goal is not in this engagement."
                )
            )
        elif goal.goal_id in seen:
            problems.append(
                InvalidParam(f"goals.{index}.goalId", "duplicate_goal", "The goal is listed twice.")
            )
        seen.add(goal.goal_id)
    if problems:
        raise InvalidInput(problems)
    report = ProgressReport(
        engagement_id=engagement.id,
        municipality_code=engagement.municipality_code,
        problem_reduction=body.problem_reduction,
        goals=[{"goalId": str(g.goal_id), "gasScore": g.gas_score, "note": g.note} for g in body.goals],
        reported_by=principal.sub,
    )
    await audit.add_created(session, principal, report, "progress-report", family_id=engagement.family_id)
    return report


async def list_progress_reports(
    session: AsyncSession, principal: Principal, engagement_id: uuid.UUID
) -> list[ProgressReport]:
    scoped = await load_engagement(session, principal, engagement_id)
    require_case_view(scoped, principal, "progress reports")
    reports = list(
        (
            await session.scalars(
                select(ProgressReport)
                .where(ProgressReport.engagement_id == engagement_id)
                .order_by(ProgressReport.reported_at, ProgressReport.id)
            )
        ).all()
    )
    audit.record(
        session,
        principal,
        Action.READ,
        "progress-report",
        engagement_id,
        family_id=scoped.engagement.family_id,
    )
    return reports
