"""HTTP routes: the perspective plan, its parts, signatures, versions and transitions.

Every change needs ``If-Match`` with the plan's current version (428 without, 412 when stale)
and answers with the plan's new version in ``ETag``.
"""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response

from app.auth import Principal, Professional, Role, require_roles
from app.db import SessionDep
from app.models.base import Page
from app.pagination import PageParams
from app.schemas.integration_views import PlanBusView
from app.schemas.plans import (
    AssessmentPublic,
    AssessmentPut,
    EvaluationCreate,
    GoalCreate,
    GoalPublic,
    GoalUpdate,
    PlanCreate,
    PlanPublic,
    PlanSummary,
    PlanSupportProfileCreate,
    PlanSupportProfilePublic,
    PlanUpdate,
    PlanVersionPublic,
    PlanVersionSummary,
    SignatureCreate,
    SignatureResult,
)
from app.services.integration import views as bus
from app.services.plans import lifecycle as plan_lifecycle
from app.services.plans import parts as plan_parts
from app.services.plans import service as plans
from app.services.plans import signing as plan_signing
from app.services.plans import snapshot as plan_snapshot
from app.services.plans.view import PlanView
from app.versioning import IfMatch as Precondition
from app.versioning import IfNoneMatch, if_match, not_modified, not_modified_response, set_etag

router = APIRouter(tags=["plans"])

FamilyOrTeam = Annotated[Principal, require_roles(Role.FAMILY_MEMBER, Role.DISTRICT_PROFESSIONAL)]
PlanReader = Annotated[
    Principal, require_roles(Role.FAMILY_MEMBER, Role.DISTRICT_PROFESSIONAL, Role.PROVIDER_STAFF)
]
OnePlanReader = Annotated[
    Principal,
    require_roles(Role.FAMILY_MEMBER, Role.DISTRICT_PROFESSIONAL, Role.PROVIDER_STAFF, Role.INTEGRATION),
]
IfMatch = Annotated[Precondition | None, Depends(if_match)]


def _plan(view: PlanView, response: Response) -> PlanPublic:
    set_etag(response, view.plan.version)
    return PlanPublic.model_validate(view.as_dict())


@router.post(
    "/families/{family_id}/plans",
    response_model=PlanPublic,
    status_code=201,
    summary="Start the family's plan (a draft); 409 open_plan_exists when one is open",
)
async def create_plan(
    family_id: uuid.UUID,
    session: SessionDep,
    principal: Professional,
    response: Response,
    body: PlanCreate | None = None,
) -> PlanPublic:
    view = await plans.create_plan(session, principal, family_id, body or PlanCreate())
    response.headers["Location"] = f"/api/v1/plans/{view.plan.id}"
    return _plan(view, response)


@router.get(
    "/families/{family_id}/plans",
    response_model=Page[PlanSummary],
    status_code=200,
    summary="The family's plans, newest first",
)
async def list_plans(
    family_id: uuid.UUID, session: SessionDep, principal: FamilyOrTeam, page: PageParams
) -> Page[PlanSummary]:
    items, cursor = await plans.list_plans(session, principal, family_id, page)
    return Page[PlanSummary](items=[PlanSummary.model_validate(p) for p in items], next_cursor=cursor)


@router.get(
    "/plans/{plan_id}",
    response_model=PlanPublic | PlanBusView,
    status_code=200,
    summary="The whole plan (the integration bus: ids, states and process dates only)",
    responses={304: {"description": "Not modified: If-None-Match names the current version."}},
)
async def get_plan(
    plan_id: uuid.UUID,
    session: SessionDep,
    principal: OnePlanReader,
    response: Response,
    if_none_match: IfNoneMatch = None,
) -> PlanPublic | PlanBusView | Response:
    if bus.reads_as_bus(principal, Role.FAMILY_MEMBER, Role.DISTRICT_PROFESSIONAL, Role.PROVIDER_STAFF):
        bus_view = PlanBusView.model_validate(await bus.plan(session, principal, plan_id))
        set_etag(response, bus_view.version)
        return bus_view
    view = await plans.get_plan(session, principal, plan_id)
    if not_modified(if_none_match, view.plan.version):
        return not_modified_response(view.plan.version)
    return _plan(view, response)


@router.patch(
    "/plans/{plan_id}",
    response_model=PlanPublic,
    status_code=200,
    summary="Change the family vision and summary (If-Match)",
)
async def update_plan(
    plan_id: uuid.UUID,
    body: PlanUpdate,
    session: SessionDep,
    principal: FamilyOrTeam,
    expected: IfMatch,
    response: Response,
) -> PlanPublic:
    return _plan(await plans.update_plan(session, principal, plan_id, expected, body), response)


@router.put(
    "/plans/{plan_id}/assessments/{domain_code}",
    response_model=AssessmentPublic,
    status_code=200,
    summary="Assess a life domain: a ZRM score 1–5, or not relevant (If-Match)",
)
async def put_assessment(
    plan_id: uuid.UUID,
    domain_code: Annotated[str, Path(pattern=r"^[a-z][a-z_]{0,39}$", examples=["finances"])],
    body: AssessmentPut,
    session: SessionDep,
    principal: Professional,
    expected: IfMatch,
    response: Response,
) -> AssessmentPublic:
    result = await plan_parts.put_assessment(session, principal, plan_id, domain_code, expected, body)
    set_etag(response, result.plan.version)
    return AssessmentPublic.model_validate(result.part)


@router.post(
    "/plans/{plan_id}/goals",
    response_model=GoalPublic,
    status_code=201,
    summary="Add a goal in the family's own words (If-Match)",
)
async def add_goal(
    plan_id: uuid.UUID,
    body: GoalCreate,
    session: SessionDep,
    principal: FamilyOrTeam,
    expected: IfMatch,
    response: Response,
) -> GoalPublic:
    result = await plan_parts.add_goal(session, principal, plan_id, expected, body)
    set_etag(response, result.plan.version)
    return GoalPublic.model_validate(result.part)


@router.patch(
    "/plans/{plan_id}/goals/{goal_id}",
    response_model=GoalPublic,
    status_code=200,
    summary="Change a goal (If-Match)",
)
async def update_goal(
    plan_id: uuid.UUID,
    goal_id: uuid.UUID,
    body: GoalUpdate,
    session: SessionDep,
    principal: FamilyOrTeam,
    expected: IfMatch,
    response: Response,
) -> GoalPublic:
    result = await plan_parts.update_goal(session, principal, plan_id, goal_id, expected, body)
    set_etag(response, result.plan.version)
    return GoalPublic.model_validate(result.part)


@router.post(
    "/plans/{plan_id}/support-profiles",
    response_model=PlanSupportProfilePublic,
    status_code=201,
    summary="Attach a support profile for a child; B and C need a valid referral (If-Match)",
)
async def add_support_profile(
    plan_id: uuid.UUID,
    body: PlanSupportProfileCreate,
    session: SessionDep,
    principal: Professional,
    expected: IfMatch,
    response: Response,
) -> PlanSupportProfilePublic:
    result = await plan_parts.add_support_profile(session, principal, plan_id, expected, body)
    set_etag(response, result.plan.version)
    return PlanSupportProfilePublic.model_validate(result.part)


@router.post(
    "/plans/{plan_id}/signatures",
    response_model=SignatureResult,
    status_code=201,
    summary="Sign the version named in If-Match; with both kinds of signature the plan is agreed",
)
async def sign_plan(
    plan_id: uuid.UUID,
    session: SessionDep,
    principal: FamilyOrTeam,
    expected: IfMatch,
    response: Response,
    body: SignatureCreate | None = None,
) -> SignatureResult:
    result = await plan_signing.sign(session, principal, plan_id, expected, body or SignatureCreate())
    set_etag(response, result.plan.version)
    return SignatureResult.model_validate(
        {
            **result.signature.model_dump(),
            "plan_status": result.plan.status,
            "plan_version": result.plan.version,
            "agreed_version": result.plan.agreed_version,
        }
    )


@router.post(
    "/plans/{plan_id}/revisions",
    response_model=PlanSummary,
    status_code=201,
    summary="Open a revision: a new draft version; the agreed version stays in force (If-Match)",
)
async def open_revision(
    plan_id: uuid.UUID, session: SessionDep, principal: Professional, expected: IfMatch, response: Response
) -> PlanSummary:
    plan = await plan_lifecycle.open_revision(session, principal, plan_id, expected)
    set_etag(response, plan.version)
    response.headers["Location"] = f"/api/v1/plans/{plan.id}"
    return PlanSummary.model_validate(plan)


@router.post(
    "/plans/{plan_id}/withdraw",
    response_model=PlanSummary,
    status_code=200,
    summary="Withdraw a draft or agreed plan (If-Match)",
)
async def withdraw_plan(
    plan_id: uuid.UUID, session: SessionDep, principal: Professional, expected: IfMatch, response: Response
) -> PlanSummary:
    plan = await plan_lifecycle.withdraw(session, principal, plan_id, expected)
    set_etag(response, plan.version)
    return PlanSummary.model_validate(plan)


@router.post(
    "/plans/{plan_id}/evaluation",
    response_model=PlanSummary,
    status_code=200,
    summary="Record the evaluation: final domain scores and goal outcomes (If-Match)",
)
async def evaluate_plan(
    plan_id: uuid.UUID,
    body: EvaluationCreate,
    session: SessionDep,
    principal: Professional,
    expected: IfMatch,
    response: Response,
) -> PlanSummary:
    plan = await plan_lifecycle.evaluate(session, principal, plan_id, expected, body)
    set_etag(response, plan.version)
    return PlanSummary.model_validate(plan)


@router.post(
    "/plans/{plan_id}/close",
    response_model=PlanSummary,
    status_code=200,
    summary="Close an evaluated plan (If-Match)",
)
async def close_plan(
    plan_id: uuid.UUID, session: SessionDep, principal: Professional, expected: IfMatch, response: Response
) -> PlanSummary:
    plan = await plan_lifecycle.close(session, principal, plan_id, expected)
    set_etag(response, plan.version)
    return PlanSummary.model_validate(plan)


@router.get(
    "/plans/{plan_id}/versions",
    response_model=Page[PlanVersionSummary],
    status_code=200,
    summary="The agreed versions of the plan",
)
async def list_versions(
    plan_id: uuid.UUID, session: SessionDep, principal: PlanReader
) -> Page[PlanVersionSummary]:
    rows = await plan_snapshot.list_versions(session, principal, plan_id)
    return Page[PlanVersionSummary](
        items=[PlanVersionSummary.model_validate(r) for r in rows], next_cursor=None
    )


@router.get(
    "/plans/{plan_id}/versions/{version}",
    response_model=PlanVersionPublic,
    status_code=200,
    summary="The frozen snapshot of an agreed version",
)
async def get_version(
    plan_id: uuid.UUID,
    version: Annotated[int, Path(ge=1, le=2_147_483_647)],
    session: SessionDep,
    principal: PlanReader,
) -> PlanVersionPublic:
    snapshot = await plan_snapshot.get_version(session, principal, plan_id, version)
    return PlanVersionPublic(
        plan_id=snapshot.plan_id,
        version=snapshot.version,
        agreed_at=snapshot.agreed_at,
        plan=snapshot.snapshot,
    )
