"""Loading a whole plan in one statement, whatever the number of its parts.

PostgreSQL assembles the parts (assessments, goals, support profiles, signatures and, for the
full view, engagement and handoff summaries) as JSON arrays in a single round trip; Python
only validates them into the response models. No per-goal or per-profile queries, and no ORM
objects are built for rows that are only shown.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import JSON, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.plans import Plan
from app.services.engagements.flags import adult_date, transition_due
from app.services.platform.clock import today

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

CONTENT_SQL = """
  (SELECT coalesce(json_agg(json_build_object(
       'domain_code', a.domain_code, 'score', a.score, 'relevant', a.relevant,
       'situation', a.situation, 'family_wish', a.family_wish, 'final_score', a.final_score,
       'updated_at', a.updated_at) ORDER BY d.position, d.code), '[]')
     FROM plan_assessments a JOIN life_domains d ON d.code = a.domain_code
    WHERE a.plan_id = :plan_id) AS assessments,
  (SELECT coalesce(json_agg(json_build_object(
       'id', g.id, 'domain_code', g.domain_code, 'member_id', g.member_id,
       'description', g.description, 'desired_result', g.desired_result,
       'target_date', g.target_date, 'status', g.status, 'created_at', g.created_at,
       'updated_at', g.updated_at) ORDER BY g.created_at, g.id), '[]')
     FROM goals g WHERE g.plan_id = :plan_id) AS goals,
  (SELECT coalesce(json_agg(json_build_object(
       'id', p.id, 'member_id', p.member_id, 'profile_code', p.profile_code,
       'intensity_code', p.intensity_code, 'problem_description', p.problem_description,
       'referral_id', p.referral_id, 'created_at', p.created_at) ORDER BY p.created_at, p.id), '[]')
     FROM plan_support_profiles p WHERE p.plan_id = :plan_id) AS support_profiles,
  (SELECT coalesce(json_agg(json_build_object(
       'id', s.id, 'version', s.version, 'signer_kind', s.signer_kind, 'member_id', s.member_id,
       'team_id', s.team_id, 'signed_at', s.signed_at) ORDER BY s.signed_at, s.id), '[]')
     FROM plan_signatures s WHERE s.plan_id = :plan_id) AS signatures"""

ACTIVITY_SQL = """,
  (SELECT coalesce(json_agg(json_build_object(
       'id', e.id, 'member_id', e.member_id, 'provider_id', e.provider_id,
       'profile_code', e.profile_code, 'intensity_code', e.intensity_code, 'status', e.status,
       'birth_date', m.birth_date) ORDER BY e.requested_at, e.id), '[]')
     FROM engagements e JOIN family_members m ON m.id = e.member_id
    WHERE e.plan_id = :plan_id) AS engagements,
  (SELECT coalesce(json_agg(json_build_object(
       'id', h.id, 'domain_code', h.domain_code, 'urgency', h.urgency, 'status', h.status,
       'due_at', h.due_at, 'overdue', h.status = 'open' AND h.due_at < now())
       ORDER BY h.created_at, h.id), '[]')
     FROM handoffs h WHERE h.plan_id = :plan_id) AS handoffs"""

_PART_TYPES = {name: JSON for name in ("assessments", "goals", "support_profiles", "signatures")}
CONTENT_QUERY = text(f"SELECT {CONTENT_SQL}").columns(**_PART_TYPES)
VIEW_QUERY = text(f"SELECT {CONTENT_SQL}{ACTIVITY_SQL}").columns(
    **_PART_TYPES, engagements=JSON, handoffs=JSON
)
SUMMARY_FIELDS = ("id", "member_id", "provider_id", "profile_code", "intensity_code", "status")


@dataclass
class PlanView:
    """A plan with its parts as plain dicts (snake_case keys), ready for the response models."""

    plan: Plan
    assessments: list[dict[str, Any]]
    goals: list[dict[str, Any]]
    support_profiles: list[dict[str, Any]]
    signatures: list[dict[str, Any]]
    engagements: list[dict[str, Any]] = field(default_factory=list)  # summaries with their flags
    handoffs: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self, *, signatures_of_version: int | None = None) -> dict[str, Any]:
        """Plan fields and parts, ready for ``PlanPublic``/``PlanContent.model_validate``."""
        signatures = self.signatures
        if signatures_of_version is not None:
            signatures = [s for s in signatures if s["version"] == signatures_of_version]
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
    """The plan's own parts (one statement): what a signature agrees to and a snapshot freezes."""
    row = (await session.execute(CONTENT_QUERY, {"plan_id": plan.id})).one()
    return PlanView(plan, row.assessments, row.goals, row.support_profiles, row.signatures)


async def load_view(session: AsyncSession, plan: Plan) -> PlanView:
    """The whole plan: its parts plus engagement and handoff summaries (one statement).

    Engagement summaries carry the 18-/18+ transition flag (DESIGN §5); the plan shows
    ``transition18Due`` when any of its running engagements has it.
    """
    row = (await session.execute(VIEW_QUERY, {"plan_id": plan.id})).one()
    day = today()
    return PlanView(
        plan,
        row.assessments,
        row.goals,
        row.support_profiles,
        row.signatures,
        engagements=[_engagement_summary(e, day) for e in row.engagements],
        handoffs=row.handoffs,
    )


def _engagement_summary(row: dict[str, Any], day: date) -> dict[str, Any]:
    """An engagement summary with its 18-/18+ flag; the birth date itself is not passed on."""
    summary = {name: row[name] for name in SUMMARY_FIELDS}
    birth_date = date.fromisoformat(row["birth_date"])
    due = transition_due(summary["status"], birth_date, day)
    summary["transition18_due"] = due
    summary["adult_date"] = adult_date(birth_date) if due else None
    return summary
