"""HTTP routes: treatment plans (versioned with ETag / If-Match)."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Response

from app.auth import CurrentPrincipal
from app.db import SessionDep
from app.schemas.treatment_plans import TreatmentPlanPublic, TreatmentPlanPut
from app.services.engagements import treatment_plans
from app.services.engagements.treatment_plans import TreatmentPlanView
from app.services.reference.common import resource_url
from app.versioning import IfMatch, IfNoneMatch, if_match, not_modified, not_modified_response, set_etag

router = APIRouter(tags=["treatment-plans"])

ExpectedVersion = Annotated[IfMatch | None, Depends(if_match)]


def _versioned(plan: TreatmentPlanView, response: Response) -> TreatmentPlanPublic:
    """The plan as answered, its version in ``ETag``."""
    set_etag(response, plan["version"])
    return TreatmentPlanPublic.model_validate(plan)


@router.put(
    "/engagements/{engagement_id}/treatment-plan",
    summary="Write the treatment plan (201 the first time; afterwards If-Match is required)",
    responses={201: {"model": TreatmentPlanPublic, "description": "Created (version 1)"}},
)
async def put_treatment_plan(
    engagement_id: uuid.UUID,
    body: TreatmentPlanPut,
    session: SessionDep,
    principal: CurrentPrincipal,
    response: Response,
    expected: ExpectedVersion,
) -> TreatmentPlanPublic:
    plan, created = await treatment_plans.put_treatment_plan(
        session, principal, engagement_id, body, expected
    )
    if created:
        response.status_code = 201
        response.headers["Location"] = resource_url("engagements", engagement_id, "treatment-plan")
    return _versioned(plan, response)


@router.get(
    "/engagements/{engagement_id}/treatment-plan",
    summary="The treatment plan (a subcontractor sees only the activities)",
    response_model=TreatmentPlanPublic,
    responses={304: {"description": "Not modified: If-None-Match names the current version."}},
)
async def get_treatment_plan(
    engagement_id: uuid.UUID,
    session: SessionDep,
    principal: CurrentPrincipal,
    response: Response,
    if_none_match: IfNoneMatch = None,
) -> TreatmentPlanPublic | Response:
    plan = await treatment_plans.get_treatment_plan(session, principal, engagement_id)
    if not_modified(if_none_match, plan["version"]):
        return not_modified_response(plan["version"])
    return _versioned(plan, response)


@router.post(
    "/engagements/{engagement_id}/treatment-plan/submit",
    summary="Submit the treatment plan (409 goals_not_covered while a goal has no activity)",
)
async def submit_treatment_plan(
    engagement_id: uuid.UUID,
    session: SessionDep,
    principal: CurrentPrincipal,
    response: Response,
    expected: ExpectedVersion,
) -> TreatmentPlanPublic:
    plan = await treatment_plans.submit_treatment_plan(session, principal, engagement_id, expected)
    return _versioned(plan, response)
