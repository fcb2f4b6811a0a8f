"""The case-review queue (overlegtafel) and its decisions (DESIGN §8).

Who sees what:

* a **municipality officer** sees every review of its municipality, but pseudonymously: the
  review's pseudonym, flag, district, team, status and the decisions' codes, never the subject,
  the family, names or the decisions' notes;
* a **district professional** sees the reviews of its own team, in full: the subject, the family
  id and its members' names and birth dates, and the decisions' notes.

Reading the queue first brings it up to date with the flags (:mod:`case_review_flags`). Every
read and decision is audited per family.
"""

import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import Principal, Role
from app.errors import Forbidden
from app.models.base import utcnow
from app.models.families import FamilyMember
from app.models.money import CaseReview, CaseReviewDecision
from app.pagination import PageRequest
from app.services.platform import audit, paging
from app.services.platform.audit import Action
from app.services.platform.rows import one_or_not_found, where_given
from app.services.steering import review_flags as case_review_flags


@dataclass
class ReviewView:
    review: CaseReview
    decisions: list[CaseReviewDecision]
    full: bool
    members: list[FamilyMember] = field(default_factory=list)


def review_scope(principal: Principal) -> ColumnElement[bool]:
    """Officers: the municipality's reviews; professionals: their own team's (403 for others)."""
    in_municipality = CaseReview.municipality_code == principal.municipality
    if principal.has(Role.MUNICIPALITY_OFFICER):
        return in_municipality
    if principal.has(Role.DISTRICT_PROFESSIONAL) and principal.team is not None:
        return and_(in_municipality, CaseReview.team_id == principal.team)
    raise Forbidden("Your role may not use the case-review queue.")


def sees_in_full(principal: Principal, review: CaseReview) -> bool:
    return principal.has(Role.DISTRICT_PROFESSIONAL) and review.team_id == principal.team


@dataclass(frozen=True)
class QueueFilter:
    """Narrows the queue to a review status and/or a flag."""

    status: str | None = None
    flag: str | None = None


async def list_queue(
    session: AsyncSession, principal: Principal, page: PageRequest, only: QueueFilter
) -> tuple[list[ReviewView], str | None]:
    """A page of the queue, most recently flagged first, after refreshing the flags."""
    scope = review_scope(principal)
    await case_review_flags.refresh(session, principal.municipality, utcnow())
    query = where_given(
        select(CaseReview).where(scope), (CaseReview.status, only.status), (CaseReview.flag, only.flag)
    )
    reviews, cursor = await paging.newest_page(session, query, page, CaseReview.flagged_at, CaseReview.id)
    views = await _views(session, principal, reviews)
    audit.record_many(
        session, principal, Action.READ, "case-review", [(v.review.id, v.review.family_id) for v in views]
    )
    return views, cursor


async def get_review(session: AsyncSession, principal: Principal, review_id: uuid.UUID) -> ReviewView:
    review = await one_or_not_found(
        session, select(CaseReview).where(CaseReview.id == review_id, review_scope(principal)), "case review"
    )
    audit.record(session, principal, Action.READ, "case-review", review.id, family_id=review.family_id)
    return (await _views(session, principal, [review]))[0]


async def decide(
    session: AsyncSession, principal: Principal, review_id: uuid.UUID, decision: str, note: str | None
) -> tuple[CaseReviewDecision, bool]:
    """Record a decision on a visible review; the review becomes ``decided``."""
    review = await one_or_not_found(
        session,
        select(CaseReview).where(CaseReview.id == review_id, review_scope(principal)).with_for_update(),
        "case review",
    )
    row = CaseReviewDecision(
        case_review_id=review.id,
        decision=decision,
        note=note,
        decided_by=principal.sub,
        decided_by_role=principal.role.value,
    )
    review.status = "decided"
    await audit.add_created(session, principal, row, "case-review-decision", family_id=review.family_id)
    return row, sees_in_full(principal, review)


async def _views(session: AsyncSession, principal: Principal, reviews: list[CaseReview]) -> list[ReviewView]:
    ids = [r.id for r in reviews]
    decisions: dict[uuid.UUID, list[CaseReviewDecision]] = defaultdict(list)
    if ids:
        rows = await session.scalars(
            select(CaseReviewDecision)
            .where(CaseReviewDecision.case_review_id.in_(ids))
            .order_by(CaseReviewDecision.decided_at, CaseReviewDecision.id)
        )
        for d in rows:
            decisions[d.case_review_id].append(d)
    full_families = [r.family_id for r in reviews if sees_in_full(principal, r)]
    members: dict[uuid.UUID, list[FamilyMember]] = defaultdict(list)
    if full_families:
        rows_m = await session.scalars(
            select(FamilyMember)
            .where(FamilyMember.family_id.in_(full_families))
            .order_by(FamilyMember.family_id, FamilyMember.birth_date, FamilyMember.id)
        )
        for m in rows_m:
            members[m.family_id].append(m)
    return [
        ReviewView(
            review=r,
            decisions=decisions[r.id],
            full=sees_in_full(principal, r),
            members=members.get(r.family_id, []) if sees_in_full(principal, r) else [],
        )
        for r in reviews
    ]
