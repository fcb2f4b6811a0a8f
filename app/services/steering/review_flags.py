"""The flags that put a case on the case-review queue (overlegtafel, DESIGN §8), as one SQL union.

* ``past_expected_end``: a started engagement whose treatment plan's expected end date has passed;
* ``overdue_handoff``: a handoff still ``open`` (not acknowledged) after its ``dueAt``;
* ``declined_by_providers``: a child's requests for one profile declined by 3 or more different
  providers, while the child has no accepted, started or closed engagement for that profile
  (subject: the support profile of the first declined request);
* ``waiting_over_8_weeks``: a request made more than 8 weeks ago that has not started
  (``requested`` or ``accepted``);
* ``turning_18``: a child whose 18th birthday falls within the next 6 months while one of its
  engagements is accepted or started;
* ``allocation_request_late``: a provider's request for an allocation (iJw JW315) for a family of
  ours still unanswered after its 5 working days.

:func:`refresh` inserts the new flags (``ON CONFLICT DO NOTHING`` on flag + subject, so running
it concurrently is harmless) with a random pseudonym, and marks open reviews whose flag no
longer holds as ``resolved``.
"""

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Date, String, and_, cast, func, literal, select, tuple_, union_all, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.engagements import Engagement, Handoff, TreatmentPlan
from app.models.families import Family, FamilyMember
from app.models.ijw import AllocationRequest
from app.models.money import CaseReview

WAITING_LIMIT = timedelta(weeks=8)
TURNING_18_WINDOW = timedelta(days=183)
DECLINES = 3


def _engagement_flag(flag: str, *where: Any) -> Any:
    return select(
        literal(flag).label("flag"),
        literal("engagement").label("subject_type"),
        Engagement.id.label("subject_id"),
        Engagement.family_id,
        Engagement.team_id,
        Engagement.district_code,
    ).where(*where)


def flagged(municipality: str, now: datetime) -> Any:
    """All currently flagged subjects of the municipality (a subquery)."""
    today = now.date()
    in_m = Engagement.municipality_code == municipality
    past_end = _engagement_flag(
        "past_expected_end", in_m, Engagement.status == "started", TreatmentPlan.expected_end_date < today
    ).join(TreatmentPlan, TreatmentPlan.engagement_id == Engagement.id)
    waiting = _engagement_flag(
        "waiting_over_8_weeks",
        in_m,
        Engagement.status.in_(("requested", "accepted")),
        Engagement.requested_at < now - WAITING_LIMIT,
    )
    eighteenth = cast(FamilyMember.birth_date + func.make_interval(18), Date)
    turning = _engagement_flag(
        "turning_18",
        in_m,
        Engagement.status.in_(("accepted", "started")),
        eighteenth.between(today, today + TURNING_18_WINDOW),
    ).join(FamilyMember, FamilyMember.id == Engagement.member_id)
    overdue = (
        select(
            literal("overdue_handoff"),
            literal("handoff"),
            Handoff.id,
            Handoff.family_id,
            func.coalesce(Handoff.team_id, Family.team_id),
            Family.district_code,
        )
        .join(Family, Family.id == Handoff.family_id)
        .where(Handoff.municipality_code == municipality, Handoff.status == "open", Handoff.due_at < now)
    )
    late_request = (
        select(
            literal("allocation_request_late"),
            literal("allocation_request"),
            AllocationRequest.id,
            AllocationRequest.family_id,
            Family.team_id,
            Family.district_code,
        )
        .join(Family, Family.id == AllocationRequest.family_id)
        .where(
            AllocationRequest.municipality_code == municipality,
            AllocationRequest.status == "open",
            AllocationRequest.answer_due < today,
        )
    )
    return union_all(past_end, overdue, _declined(municipality), waiting, turning, late_request).subquery(
        "flagged"
    )


def _declined(municipality: str) -> Any:
    """Children whose requests for a profile were declined by ≥ 3 providers and who have no care."""
    in_m = Engagement.municipality_code == municipality
    declined = Engagement.status == "declined"
    first = (
        select(
            Engagement.member_id,
            Engagement.profile_code,
            Engagement.plan_support_profile_id,
            Engagement.family_id,
            Engagement.team_id,
            Engagement.district_code,
        )
        .distinct(Engagement.member_id, Engagement.profile_code)
        .where(in_m, declined)
        .order_by(Engagement.member_id, Engagement.profile_code, Engagement.requested_at, Engagement.id)
        .subquery()
    )
    many = (
        select(Engagement.member_id, Engagement.profile_code)
        .where(in_m, declined)
        .group_by(Engagement.member_id, Engagement.profile_code)
        .having(func.count(func.distinct(Engagement.provider_id)) >= DECLINES)
        .subquery()
    )
    cared = (
        select(Engagement.member_id, Engagement.profile_code)
        .where(in_m, Engagement.status.in_(("accepted", "started", "closed")))
        .distinct()
        .subquery()
    )
    same = and_(first.c.member_id == many.c.member_id, first.c.profile_code == many.c.profile_code)
    return (
        select(
            literal("declined_by_providers"),
            literal("support_profile"),
            first.c.plan_support_profile_id,
            first.c.family_id,
            first.c.team_id,
            first.c.district_code,
        )
        .join(many, same)
        .outerjoin(
            cared, and_(cared.c.member_id == first.c.member_id, cared.c.profile_code == first.c.profile_code)
        )
        .where(cared.c.member_id.is_(None))
    )


async def refresh(session: AsyncSession, municipality: str, now: datetime) -> None:
    """Bring the municipality's queue up to date with the flags holding at ``now``."""
    current = flagged(municipality, now)
    pseudonym = literal("CR-") + func.upper(
        func.substr(func.md5(cast(func.gen_random_uuid(), String)), 1, 12)
    )
    rows = select(
        func.gen_random_uuid(),
        literal(municipality),
        pseudonym,
        current.c.flag,
        current.c.subject_type,
        current.c.subject_id,
        current.c.family_id,
        current.c.team_id,
        current.c.district_code,
        literal("open"),
        literal(now),
    )
    columns = [
        "id",
        "municipality_code",
        "pseudonym",
        "flag",
        "subject_type",
        "subject_id",
        "family_id",
        "team_id",
        "district_code",
        "status",
        "flagged_at",
    ]
    statement = (
        insert(CaseReview)
        .from_select(columns, rows)
        .on_conflict_do_nothing(index_elements=["flag", "subject_id"])
    )
    await session.execute(statement)
    still = select(current.c.flag, current.c.subject_id)
    await session.execute(
        update(CaseReview)
        .where(
            CaseReview.municipality_code == municipality,
            CaseReview.status == "open",
            tuple_(CaseReview.flag, CaseReview.subject_id).not_in(still),
        )
        .values(status="resolved")
    )
