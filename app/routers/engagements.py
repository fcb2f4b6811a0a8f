"""HTTP routes: provider options, engagements, their subcontracts, progress, closure and surveys."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from app.auth import CurrentPrincipal
from app.db import SessionDep
from app.models.base import Page, QueryDate
from app.pagination import PageParams
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


@router.get(
    "/plans/{plan_id}/provider-options",
    summary="Contracted providers for the child's support profile, by waiting time",
    response_model=list[ProviderOption],
    status_code=200,
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
    response_model=EngagementPublic,
    status_code=201,
    responses={404: {"description": "The plan does not exist or is not visible to you."}},
)
async def request_engagement(
    body: EngagementCreate, session: SessionDep, principal: CurrentPrincipal, response: Response
) -> EngagementPublic:
    view = await engagements.request_engagement(session, principal, body)
    response.headers["Location"] = f"/api/v1/engagements/{view['id']}"
    return EngagementPublic.model_validate(view)


@router.get(
    "/engagements",
    summary="The engagements the caller may see (the provider's inbox with ?status=requested)",
    response_model=Page[EngagementPublic],
    status_code=200,
)
async def list_engagements(
    session: SessionDep,
    principal: CurrentPrincipal,
    page: PageParams,
    status: EngagementStatus | None = None,
    plan_id: Annotated[uuid.UUID | None, Query(alias="planId")] = None,
) -> Page[EngagementPublic]:
    items, cursor = await engagement_views.list_engagements(
        session, principal, page, status=status.value if status else None, plan_id=plan_id
    )
    return Page[EngagementPublic](
        items=[EngagementPublic.model_validate(i) for i in items], next_cursor=cursor
    )


@router.get(
    "/engagements/{engagement_id}",
    summary="One engagement, with flags, treatment plan summary and (when closed) its outcome",
    response_model=EngagementPublic,
    status_code=200,
)
async def get_engagement(
    engagement_id: uuid.UUID, session: SessionDep, principal: CurrentPrincipal
) -> EngagementPublic:
    return EngagementPublic.model_validate(
        await engagement_views.get_engagement(session, principal, engagement_id)
    )


@router.post(
    "/engagements/{engagement_id}/accept",
    summary="Accept a request: issues the assignment number and freezes the tariff",
    response_model=EngagementPublic,
    status_code=200,
)
async def accept(
    engagement_id: uuid.UUID, session: SessionDep, principal: CurrentPrincipal
) -> EngagementPublic:
    return EngagementPublic.model_validate(await engagements.accept(session, principal, engagement_id))


@router.post(
    "/engagements/{engagement_id}/decline",
    summary="Decline a request with a reason",
    response_model=EngagementPublic,
    status_code=200,
)
async def decline(
    engagement_id: uuid.UUID, body: EngagementDecline, session: SessionDep, principal: CurrentPrincipal
) -> EngagementPublic:
    return EngagementPublic.model_validate(await engagements.decline(session, principal, engagement_id, body))


@router.post(
    "/engagements/{engagement_id}/withdraw",
    summary="Withdraw a request or an accepted engagement that has not started",
    response_model=EngagementPublic,
    status_code=200,
)
async def withdraw(
    engagement_id: uuid.UUID, session: SessionDep, principal: CurrentPrincipal
) -> EngagementPublic:
    return EngagementPublic.model_validate(await engagements.withdraw(session, principal, engagement_id))


@router.post(
    "/engagements/{engagement_id}/start",
    summary="Report the start of care (JW305); schedules the start payment",
    response_model=EngagementPublic,
    status_code=200,
)
async def start(
    engagement_id: uuid.UUID, body: EngagementStart, session: SessionDep, principal: CurrentPrincipal
) -> EngagementPublic:
    return EngagementPublic.model_validate(await engagements.start(session, principal, engagement_id, body))


@router.post(
    "/engagements/{engagement_id}/close",
    summary="Close the engagement (JW307) with final GAS per goal; schedules the completion payment",
    response_model=EngagementPublic,
    status_code=200,
)
async def close(
    engagement_id: uuid.UUID, body: EngagementClose, session: SessionDep, principal: CurrentPrincipal
) -> EngagementPublic:
    return EngagementPublic.model_validate(await closure.close(session, principal, engagement_id, body))


@router.post(
    "/engagements/{engagement_id}/subcontracts",
    summary="Hire a subcontractor for part of the work",
    response_model=SubcontractPublic,
    status_code=201,
)
async def add_subcontract(
    engagement_id: uuid.UUID, body: SubcontractCreate, session: SessionDep, principal: CurrentPrincipal
) -> SubcontractPublic:
    return SubcontractPublic.model_validate(
        await subcontracts.add_subcontract(session, principal, engagement_id, body)
    )


@router.get(
    "/engagements/{engagement_id}/subcontracts",
    summary="The engagement's subcontracts (a subcontractor sees its own)",
    response_model=list[SubcontractPublic],
    status_code=200,
)
async def list_subcontracts(
    engagement_id: uuid.UUID, session: SessionDep, principal: CurrentPrincipal
) -> list[SubcontractPublic]:
    rows = await subcontracts.list_subcontracts(session, principal, engagement_id)
    return [SubcontractPublic.model_validate(row) for row in rows]


@router.post(
    "/engagements/{engagement_id}/progress-reports",
    summary="Report progress: a GAS estimate per goal and the problem reduction",
    response_model=ProgressReportPublic,
    status_code=201,
)
async def add_progress_report(
    engagement_id: uuid.UUID, body: ProgressReportCreate, session: SessionDep, principal: CurrentPrincipal
) -> ProgressReportPublic:
    return ProgressReportPublic.model_validate(
        await progress.add_progress_report(session, principal, engagement_id, body)
    )


@router.get(
    "/engagements/{engagement_id}/progress-reports",
    summary="The engagement's progress reports, oldest first",
    response_model=list[ProgressReportPublic],
    status_code=200,
)
async def list_progress_reports(
    engagement_id: uuid.UUID, session: SessionDep, principal: CurrentPrincipal
) -> list[ProgressReportPublic]:
    rows = await progress.list_progress_reports(session, principal, engagement_id)
    return [ProgressReportPublic.model_validate(row) for row in rows]


@router.post(
    "/engagements/{engagement_id}/experience-surveys",
    summary="A family member rates the help (1–10)",
    response_model=ExperienceSurveyPublic,
    status_code=201,
)
async def submit_experience_survey(
    engagement_id: uuid.UUID, body: ExperienceSurveyCreate, session: SessionDep, principal: CurrentPrincipal
) -> ExperienceSurveyPublic:
    return ExperienceSurveyPublic.model_validate(
        await experience.submit_survey(session, principal, engagement_id, body)
    )
