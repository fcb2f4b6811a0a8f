"""HTTP routes: the perspective plan, its parts, signatures, versions and transitions.

Every change needs ``If-Match`` with the plan's current version (428 without, 412 when stale)
and answers with the plan's new version in ``ETag``.
"""

import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Response

from app.auth import FamilyOrTeam, Principal, Professional, Role, require_roles
from app.db import SessionDep
from app.models.base import Page
from app.models.plans import Plan
from app.pagination import PageParams
from app.routers.shapes import P, located, page_of
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
from app.services.plans.parts import PartResult
from app.services.plans.view import PlanView
from app.versioning import IfMatch as Precondition
from app.versioning import IfNoneMatch, if_match, not_modified, not_modified_response, set_etag

router = APIRouter(tags=["plans"])

PlanReader = Annotated[
    Principal, require_roles(Role.FAMILY_MEMBER, Role.DISTRICT_PROFESSIONAL, Role.PROVIDER_STAFF)
]
OnePlanReader = Annotated[
    Principal,
    require_roles(Role.FAMILY_MEMBER, Role.DISTRICT_PROFESSIONAL, Role.PROVIDER_STAFF, Role.INTEGRATION),
]
IfMatch = Annotated[Precondition | None, Depends(if_match)]


@dataclass
class _Change:
    """What every change of the plan brings besides its own arguments: the version named in
    ``If-Match`` and the response whose ``ETag`` answers with the plan's new version."""

    expected: IfMatch
    response: Response

    def plan(self, view: PlanView) -> PlanPublic:
        return _plan(view, self.response)

    def part(self, result: PartResult[Any], public: type[P]) -> P:
        """The changed part as ``public``."""
        set_etag(self.response, result.plan.version)
        return public.model_validate(result.part)

    def summary(self, plan: Plan) -> PlanSummary:
        set_etag(self.response, plan.version)
        return PlanSummary.model_validate(plan)


Change = Annotated[_Change, Depends()]


def _plan(view: PlanView, response: Response) -> PlanPublic:
    set_etag(response, view.plan.version)
    return PlanPublic.model_validate(view.as_dict())


@router.post(
    "/families/{family_id}/plans",
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
    return located(response, _plan(view, response), "plans", view.plan.id)


@router.get("/families/{family_id}/plans", summary="The family's plans, newest first")
async def list_plans(
    family_id: uuid.UUID, session: SessionDep, principal: FamilyOrTeam, page: PageParams
) -> Page[PlanSummary]:
    return page_of(PlanSummary, await plans.list_plans(session, principal, family_id, page))


@router.get(
    "/plans/{plan_id}",
    response_model=PlanPublic | PlanBusView,
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


@router.patch("/plans/{plan_id}", summary="Change the family vision and summary (If-Match)")
async def update_plan(
    plan_id: uuid.UUID, body: PlanUpdate, session: SessionDep, principal: FamilyOrTeam, change: Change
) -> PlanPublic:
    return change.plan(await plans.update_plan(session, principal, plan_id, change.expected, body))


@router.put(
    "/plans/{plan_id}/assessments/{domain_code}",
    summary="Assess a life domain: a ZRM score 1–5, or not relevant (If-Match)",
)
async def put_assessment(
    plan_id: uuid.UUID,
    domain_code: Annotated[str, Path(pattern=r"^[a-z][a-z_]{0,39}$", examples=["finances"])],
    body: AssessmentPut,
    session: SessionDep,
    principal: Professional,
    change: Change,
) -> AssessmentPublic:
    result = await plan_parts.put_assessment(session, principal, plan_id, domain_code, change.expected, body)
    return change.part(result, AssessmentPublic)


@router.post(
    "/plans/{plan_id}/goals", status_code=201, summary="Add a goal in the family's own words (If-Match)"
)
async def add_goal(
    plan_id: uuid.UUID, body: GoalCreate, session: SessionDep, principal: FamilyOrTeam, change: Change
) -> GoalPublic:
    return change.part(
        await plan_parts.add_goal(session, principal, plan_id, change.expected, body), GoalPublic
    )


@router.patch("/plans/{plan_id}/goals/{goal_id}", summary="Change a goal (If-Match)")
async def update_goal(
    plan_id: uuid.UUID,
    goal_id: uuid.UUID,
    body: GoalUpdate,
    session: SessionDep,
    principal: FamilyOrTeam,
    change: Change,
) -> GoalPublic:
    result = await plan_parts.update_goal(session, principal, plan_id, goal_id, change.expected, body)
    return change.part(result, GoalPublic)


@router.post(
    "/plans/{plan_id}/support-profiles",
    status_code=201,
    summary="Attach a support profile for a child; B and C need a valid referral (If-Match)",
)
async def add_support_profile(
    plan_id: uuid.UUID,
    body: PlanSupportProfileCreate,
    session: SessionDep,
    principal: Professional,
    change: Change,
) -> PlanSupportProfilePublic:
    result = await plan_parts.add_support_profile(session, principal, plan_id, change.expected, body)
    return change.part(result, PlanSupportProfilePublic)


@router.post(
    "/plans/{plan_id}/signatures",
    status_code=201,
    summary="Sign the version named in If-Match; with both kinds of signature the plan is agreed",
)
async def sign_plan(
    plan_id: uuid.UUID,
    session: SessionDep,
    principal: FamilyOrTeam,
    change: Change,
    body: SignatureCreate | None = None,
) -> SignatureResult:
    result = await plan_signing.sign(session, principal, plan_id, change.expected, body or SignatureCreate())
    set_etag(change.response, result.plan.version)
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
    status_code=201,
    summary="Open a revision: a new draft version; the agreed version stays in force (If-Match)",
)
async def open_revision(
    plan_id: uuid.UUID, session: SessionDep, principal: Professional, change: Change
) -> PlanSummary:
    plan = await plan_lifecycle.open_revision(session, principal, plan_id, change.expected)
    return located(change.response, change.summary(plan), "plans", plan.id)


@router.post("/plans/{plan_id}/withdraw", summary="Withdraw a draft or agreed plan (If-Match)")
async def withdraw_plan(
    plan_id: uuid.UUID, session: SessionDep, principal: Professional, change: Change
) -> PlanSummary:
    return change.summary(await plan_lifecycle.withdraw(session, principal, plan_id, change.expected))


@router.post(
    "/plans/{plan_id}/evaluation",
    summary="Record the evaluation: final domain scores and goal outcomes (If-Match)",
)
async def evaluate_plan(
    plan_id: uuid.UUID, body: EvaluationCreate, session: SessionDep, principal: Professional, change: Change
) -> PlanSummary:
    return change.summary(await plan_lifecycle.evaluate(session, principal, plan_id, change.expected, body))


@router.post("/plans/{plan_id}/close", summary="Close an evaluated plan (If-Match)")
async def close_plan(
    plan_id: uuid.UUID, session: SessionDep, principal: Professional, change: Change
) -> PlanSummary:
    return change.summary(await plan_lifecycle.close(session, principal, plan_id, change.expected))


@router.get("/plans/{plan_id}/versions", summary="The agreed versions of the plan")
async def list_versions(
    plan_id: uuid.UUID, session: SessionDep, principal: PlanReader
) -> Page[PlanVersionSummary]:
    rows = await plan_snapshot.list_versions(session, principal, plan_id)
    return page_of(PlanVersionSummary, (rows, None))


@router.get("/plans/{plan_id}/versions/{version}", summary="The frozen snapshot of an agreed version")
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
