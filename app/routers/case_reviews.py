"""HTTP routes: the case-review queue and its decisions."""

import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Response

from app.auth import OfficerOrTeam
from app.db import SessionDep
from app.models.base import Page
from app.models.money import CaseReviewDecision
from app.pagination import ListQuery
from app.routers.shapes import located, page_of
from app.schemas.case_reviews import (
    CaseDetails,
    CaseMember,
    CaseReviewPublic,
    DecisionCreate,
    DecisionPublic,
    Flag,
    ReviewStatus,
)
from app.services.steering import case_reviews as service

router = APIRouter(tags=["case-reviews"])


@dataclass
class ReviewQuery(ListQuery):
    """The queue's page and filters."""

    status: ReviewStatus | None = None
    flag: Flag | None = None


def _decision(decision: CaseReviewDecision, full: bool) -> DecisionPublic:
    public = DecisionPublic.model_validate(decision)
    return public if full else public.model_copy(update={"note": None})


def _public(view: service.ReviewView) -> CaseReviewPublic:
    r = view.review
    case = None
    if view.full:
        case = CaseDetails(
            subject_type=r.subject_type,
            subject_id=r.subject_id,
            family_id=r.family_id,
            members=[CaseMember.model_validate(m) for m in view.members],
        )
    decisions = [_decision(d, view.full) for d in view.decisions]
    # Named fields, not the whole row: the row also holds the family and the subject, which an
    # officer's pseudonymous view must never carry.
    queued = r.model_dump(
        include={"id", "pseudonym", "flag", "district_code", "team_id", "status", "flagged_at"}
    )
    return CaseReviewPublic.model_validate({**queued, "decisions": decisions, "case": case})


@router.get(
    "/case-reviews",
    summary="The case-review queue: pseudonymous for officers, in full for the family's own team",
)
async def list_case_reviews(
    session: SessionDep, principal: OfficerOrTeam, query: Annotated[ReviewQuery, Depends()]
) -> Page[CaseReviewPublic]:
    return page_of(
        CaseReviewPublic,
        await query.ask(service.list_queue, session, principal, service.QueueFilter),
        _public,
    )


@router.get("/case-reviews/{review_id}", summary="One flagged case with its decisions")
async def get_case_review(
    review_id: uuid.UUID, session: SessionDep, principal: OfficerOrTeam
) -> CaseReviewPublic:
    return _public(await service.get_review(session, principal, review_id))


@router.post(
    "/case-reviews/{review_id}/decisions",
    status_code=201,
    summary="Record the decision on a flagged case",
)
async def decide(
    review_id: uuid.UUID,
    body: DecisionCreate,
    session: SessionDep,
    principal: OfficerOrTeam,
    response: Response,
) -> DecisionPublic:
    decision, full = await service.decide(session, principal, review_id, body.decision, body.note)
    return located(response, _decision(decision, full), "case-reviews", review_id)
