"""HTTP routes: provider options, engagements, their subcontracts, progress, closure and surveys."""

import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from app.auth import CurrentPrincipal
from app.db import SessionDep
from app.models.base import Page, QueryDate
from app.pagination import ListQuery
from app.routers.filters import ByPlan
from app.routers.shapes import Call, item_routes, located, page_of
from app.schemas.engagements import (
    EngagementClose,
    EngagementCreate,
    EngagementDecline,
    EngagementPublic,
    EngagementStart,
    EngagementStatus,
    ExperienceSurveyCreate,
    ExperienceSurveyPublic,
    ProgressReportCreate,
    ProgressReportPublic,
    ProviderOption,
    SubcontractCreate,
    SubcontractPublic,
)
from app.services.engagements import closure, experience, progress, provider_options, subcontracts
from app.services.engagements import service as engagements
from app.services.engagements import views as engagement_views

router = APIRouter(tags=["engagements"])
ITEM = "/engagements/{engagement_id}"


@dataclass
class EngagementQuery(ListQuery):
    """The engagement list's page and filters."""

    status: EngagementStatus | None = None
    plan_id: ByPlan = None


@router.get(
    "/plans/{plan_id}/provider-options",
    summary="Contracted providers for the child's support profile, by waiting time",
)
async def list_provider_options(
    plan_id: uuid.UUID,
    session: SessionDep,
    principal: CurrentPrincipal,
    member_id: Annotated[uuid.UUID, Query(alias="memberId")],
    on: Annotated[QueryDate | None, Query(alias="date", description="Default: today")] = None,
) -> list[ProviderOption]:
    rows = await provider_options.provider_options(session, principal, plan_id, member_id, on=on)
    return [ProviderOption.model_validate(row) for row in rows]


@router.post(
    "/engagements",
    summary="Request an engagement with the chosen provider",
    status_code=201,
    responses={404: {"description": "The plan does not exist or is not visible to you."}},
)
async def request_engagement(
    body: EngagementCreate, session: SessionDep, principal: CurrentPrincipal, response: Response
) -> EngagementPublic:
    view = await engagements.request_engagement(session, principal, body)
    return located(response, EngagementPublic.model_validate(view), "engagements", view["id"])


@router.get(
    "/engagements",
    summary="The engagements the caller may see (the provider's inbox with ?status=requested)",
)
async def list_engagements(
    session: SessionDep, principal: CurrentPrincipal, query: Annotated[EngagementQuery, Depends()]
) -> Page[EngagementPublic]:
    found = await query.ask(
        engagement_views.list_engagements, session, principal, engagement_views.EngagementFilter
    )
    return page_of(EngagementPublic, found)


@router.get(ITEM, summary="One engagement, with flags, treatment plan summary and (when closed) its outcome")
async def get_engagement(
    engagement_id: uuid.UUID, session: SessionDep, principal: CurrentPrincipal
) -> EngagementPublic:
    return EngagementPublic.model_validate(
        await engagement_views.get_engagement(session, principal, engagement_id)
    )


# Everything done on one engagement has one shape: a row each (app/routers/shapes.py).
item_routes(
    router,
    id_param="engagement_id",
    calls=[
        Call(
            "POST",
            f"{ITEM}/accept",
            "accept",
            "Accept a request: issues the assignment number and freezes the tariff",
            engagements.accept,
            EngagementPublic,
        ),
        Call(
            "POST",
            f"{ITEM}/decline",
            "decline",
            "Decline a request with a reason",
            engagements.decline,
            EngagementPublic,
            EngagementDecline,
        ),
        Call(
            "POST",
            f"{ITEM}/withdraw",
            "withdraw",
            "Withdraw a request or an accepted engagement that has not started",
            engagements.withdraw,
            EngagementPublic,
        ),
        Call(
            "POST",
            f"{ITEM}/start",
            "start",
            "Report the start of care (JW305); schedules the start payment",
            engagements.start,
            EngagementPublic,
            EngagementStart,
        ),
        Call(
            "POST",
            f"{ITEM}/close",
            "close",
            "Close the engagement (JW307) with final GAS per goal; schedules the completion payment",
            closure.close,
            EngagementPublic,
            EngagementClose,
        ),
        Call(
            "POST",
            f"{ITEM}/subcontracts",
            "add_subcontract",
            "Hire a subcontractor for part of the work",
            subcontracts.add_subcontract,
            SubcontractPublic,
            SubcontractCreate,
            status_code=201,
        ),
        Call(
            "GET",
            f"{ITEM}/subcontracts",
            "list_subcontracts",
            "The engagement's subcontracts (a subcontractor sees its own)",
            subcontracts.list_subcontracts,
            SubcontractPublic,
            many=True,
        ),
        Call(
            "POST",
            f"{ITEM}/progress-reports",
            "add_progress_report",
            "Report progress: a GAS estimate per goal and the problem reduction",
            progress.add_progress_report,
            ProgressReportPublic,
            ProgressReportCreate,
            status_code=201,
        ),
        Call(
            "GET",
            f"{ITEM}/progress-reports",
            "list_progress_reports",
            "The engagement's progress reports, oldest first",
            progress.list_progress_reports,
            ProgressReportPublic,
            many=True,
        ),
        Call(
            "POST",
            f"{ITEM}/experience-surveys",
            "submit_experience_survey",
            "A family member rates the help (1–10)",
            experience.submit_survey,
            ExperienceSurveyPublic,
            ExperienceSurveyCreate,
            status_code=201,
        ),
    ],
)
