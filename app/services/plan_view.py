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
from app.models.families import FamilyMember
from app.models.plans import Goal, Plan, PlanAssessment, PlanSignature, PlanSupportProfile
from app.services.clock import today
from app.services.engagement_flags import adult_date, transition_due

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
    engagements: list[dict[str, Any]] = field(default_factory=list)  # summaries with their flags
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
            "transition18_due": any(e["transition18_due"] for e in self.engagements),
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
    """The whole plan: its parts plus engagement and handoff summaries (six statements).

    Engagement summaries carry the 18-/18+ transition flag (DESIGN §5); the plan shows
    ``transition18Due`` when any of its running engagements has it.
    """
    view = await load_content(session, plan)
    engagements = await session.execute(
        select(
            Engagement.id,
            Engagement.member_id,
            Engagement.provider_id,
            Engagement.profile_code,
            Engagement.intensity_code,
            Engagement.status,
            FamilyMember.birth_date,
        )
        .join(FamilyMember, FamilyMember.id == Engagement.member_id)
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
    view.engagements = [_engagement_summary(row) for row in engagements.all()]
    view.handoffs = list(handoffs.all())
    return view


SUMMARY_FIELDS = ("id", "member_id", "provider_id", "profile_code", "intensity_code", "status")


def _engagement_summary(row: Any) -> dict[str, Any]:
    """An engagement summary with its 18-/18+ flag; the birth date itself is not passed on."""
    *fields, birth_date = row
    summary = dict(zip(SUMMARY_FIELDS, fields, strict=True))
    due = transition_due(summary["status"], birth_date, today())
    summary["transition18_due"] = due
    summary["adult_date"] = adult_date(birth_date) if due else None
    return summary
