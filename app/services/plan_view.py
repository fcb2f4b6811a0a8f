"""Loading a whole plan in a fixed number of statements, whatever the number of its parts.

One statement per part (assessments, goals, support profiles, signatures, engagement and
handoff summaries), each filtered on the plan id: no per-goal or per-profile queries.
"""

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.catalogue import LifeDomain
from app.models.engagements import Engagement, Handoff
from app.models.plans import Goal, Plan, PlanAssessment, PlanSignature, PlanSupportProfile

PLAN_FIELDS = (
    "id",
    "family_id",
    "status",
    "version",
    "agreed_version",
    "revision_open",
    "family_vision",
    "summary",
    "created_at",
    "updated_at",
    "agreed_at",
    "activated_at",
    "evaluated_at",
    "closed_at",
    "withdrawn_at",
)


@dataclass
class PlanView:
    plan: Plan
    assessments: list[PlanAssessment]
    goals: list[Goal]
    support_profiles: list[PlanSupportProfile]
    signatures: list[PlanSignature]
    engagements: list[Any] = field(default_factory=list)  # rows: id, member_id, provider_id, …
    handoffs: list[Any] = field(default_factory=list)  # rows: id, domain_code, …, overdue

    def as_dict(self, *, signatures_of_version: int | None = None) -> dict[str, Any]:
        """Plan fields and parts, ready for ``PlanPublic``/``PlanContent.model_validate``."""
        signatures = self.signatures
        if signatures_of_version is not None:
            signatures = [s for s in signatures if s.version == signatures_of_version]
        return {
            **{name: getattr(self.plan, name) for name in PLAN_FIELDS},
            "assessments": self.assessments,
            "goals": self.goals,
            "support_profiles": self.support_profiles,
            "signatures": signatures,
            "engagements": self.engagements,
            "handoffs": self.handoffs,
        }


async def load_content(session: AsyncSession, plan: Plan) -> PlanView:
    """The plan's own parts (four statements)."""
    assessments = await session.execute(
        select(PlanAssessment)
        .join(LifeDomain, LifeDomain.code == PlanAssessment.domain_code)
        .where(PlanAssessment.plan_id == plan.id)
        .order_by(LifeDomain.position, LifeDomain.code)
    )
    goals = await session.execute(
        select(Goal).where(Goal.plan_id == plan.id).order_by(Goal.created_at, Goal.id)
    )
    profiles = await session.execute(
        select(PlanSupportProfile)
        .where(PlanSupportProfile.plan_id == plan.id)
        .order_by(PlanSupportProfile.created_at, PlanSupportProfile.id)
    )
    signatures = await session.execute(
        select(PlanSignature)
        .where(PlanSignature.plan_id == plan.id)
        .order_by(PlanSignature.signed_at, PlanSignature.id)
    )
    return PlanView(
        plan,
        list(assessments.scalars()),
        list(goals.scalars()),
        list(profiles.scalars()),
        list(signatures.scalars()),
    )


async def load_view(session: AsyncSession, plan: Plan) -> PlanView:
    """The whole plan: its parts plus engagement and handoff summaries (six statements)."""
    view = await load_content(session, plan)
    engagements = await session.execute(
        select(
            Engagement.id,
            Engagement.member_id,
            Engagement.provider_id,
            Engagement.profile_code,
            Engagement.intensity_code,
            Engagement.status,
        )
        .where(Engagement.plan_id == plan.id)
        .order_by(Engagement.requested_at, Engagement.id)
    )
    overdue = and_(Handoff.status == "open", Handoff.due_at < func.now())
    handoffs = await session.execute(
        select(
            Handoff.id,
            Handoff.domain_code,
            Handoff.urgency,
            Handoff.status,
            Handoff.due_at,
            overdue.label("overdue"),
        )
        .where(Handoff.plan_id == plan.id)
        .order_by(Handoff.created_at, Handoff.id)
    )
    view.engagements = list(engagements.all())
    view.handoffs = list(handoffs.all())
    return view
