"""HTTP routes: the case-review queue and its decisions."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Response

from app.auth import Principal, Role, require_roles
from app.db import SessionDep
from app.models.base import Page
from app.models.money import CaseReviewDecision
from app.pagination import PageParams
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

Reviewer = Annotated[Principal, require_roles(Role.MUNICIPALITY_OFFICER, Role.DISTRICT_PROFESSIONAL)]


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
    return CaseReviewPublic(
        id=r.id,
        pseudonym=r.pseudonym,
        flag=r.flag,
        district_code=r.district_code,
        team_id=r.team_id,
        status=r.status,
        flagged_at=r.flagged_at,
        decisions=[_decision(d, view.full) for d in view.decisions],
        case=case,
    )


@router.get(
    "/case-reviews",
    response_model=Page[CaseReviewPublic],
    status_code=200,
    summary="The case-review queue: pseudonymous for officers, in full for the family's own team",
)
async def list_case_reviews(
    session: SessionDep,
    principal: Reviewer,
    page: PageParams,
    status: ReviewStatus | None = None,
    flag: Flag | None = None,
) -> Page[CaseReviewPublic]:
    views, cursor = await service.list_queue(session, principal, page, service.QueueFilter(status, flag))
    return Page[CaseReviewPublic](items=[_public(v) for v in views], next_cursor=cursor)


@router.get(
    "/case-reviews/{review_id}",
    response_model=CaseReviewPublic,
    status_code=200,
    summary="One flagged case with its decisions",
)
async def get_case_review(review_id: uuid.UUID, session: SessionDep, principal: Reviewer) -> CaseReviewPublic:
    return _public(await service.get_review(session, principal, review_id))


@router.post(
    "/case-reviews/{review_id}/decisions",
    response_model=DecisionPublic,
    status_code=201,
    summary="Record the decision on a flagged case",
)
async def decide(
    review_id: uuid.UUID, body: DecisionCreate, session: SessionDep, principal: Reviewer, response: Response
) -> DecisionPublic:
    decision, full = await service.decide(session, principal, review_id, body.decision, body.note)
    response.headers["Location"] = f"/api/v1/case-reviews/{review_id}"
    return _decision(decision, full)
