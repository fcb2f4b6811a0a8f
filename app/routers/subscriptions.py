"""HTTP routes: webhook subscriptions of the integration bus, their deliveries and dead letters."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.auth import Integration
from app.db import SessionDep
from app.models.base import Page
from app.pagination import PageParams
from app.schemas.integration import (
    DeliveryPublic,
    DeliveryStatus,
    Health,
    ReplayRequest,
    ReplayResult,
    SubscriptionCreate,
    SubscriptionPublic,
)
from app.services.integration import subscriptions

router = APIRouter(tags=["integration"])
_NOT_FOUND = {404: {"description": "The subscription does not exist or is not visible to you."}}


@router.post(
    "/subscriptions",
    summary="Subscribe a callback URL to event types (the secret signs deliveries; never returned)",
    response_model=SubscriptionPublic,
    status_code=201,
)
async def create_subscription(
    body: SubscriptionCreate,
    request: Request,
    session: SessionDep,
    principal: Integration,
    response: Response,
) -> SubscriptionPublic:
    view = await subscriptions.create(
        session, principal, request.app.state.settings, body.callback_url, body.types, body.secret
    )
    response.headers["Location"] = f"/api/v1/subscriptions/{view.subscription.id}"
    return SubscriptionPublic.model_validate(view.public())


@router.get(
    "/subscriptions",
    summary="The municipality's subscriptions; ?health=unhealthy lists those that keep failing",
    response_model=Page[SubscriptionPublic],
    status_code=200,
)
async def list_subscriptions(
    request: Request,
    session: SessionDep,
    principal: Integration,
    page: PageParams,
    health: Health | None = None,
) -> Page[SubscriptionPublic]:
    views, cursor = await subscriptions.list_subscriptions(
        session, principal, request.app.state.settings, page, health
    )
    return Page[SubscriptionPublic](
        items=[SubscriptionPublic.model_validate(v.public()) for v in views], next_cursor=cursor
    )


@router.get(
    "/subscriptions/{subscription_id}",
    summary="One subscription",
    response_model=SubscriptionPublic,
    status_code=200,
    responses=_NOT_FOUND,
)
async def get_subscription(
    subscription_id: uuid.UUID, request: Request, session: SessionDep, principal: Integration
) -> SubscriptionPublic:
    view = await subscriptions.get(session, principal, request.app.state.settings, subscription_id)
    return SubscriptionPublic.model_validate(view.public())


@router.delete(
    "/subscriptions/{subscription_id}",
    summary="End a subscription (what it is still owed is dropped)",
    status_code=204,
    responses=_NOT_FOUND,
)
async def delete_subscription(
    subscription_id: uuid.UUID, session: SessionDep, principal: Integration
) -> Response:
    await subscriptions.delete(session, principal, subscription_id)
    return Response(status_code=204)


@router.get(
    "/subscriptions/{subscription_id}/deliveries",
    summary="The subscription's deliveries in event order; ?status=dead lists the dead letters",
    response_model=Page[DeliveryPublic],
    status_code=200,
    responses=_NOT_FOUND,
)
async def list_deliveries(
    subscription_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    principal: Integration,
    page: PageParams,
    status: Annotated[DeliveryStatus | None, Query()] = None,
) -> Page[DeliveryPublic]:
    items, cursor = await subscriptions.list_deliveries(
        session, principal, request.app.state.settings, subscription_id, page, status
    )
    return Page[DeliveryPublic](items=[DeliveryPublic.model_validate(i) for i in items], next_cursor=cursor)


@router.post(
    "/subscriptions/{subscription_id}/deliveries/{delivery_id}/retry",
    summary="Try one delivery again now (a dead letter gets a fresh retry window)",
    response_model=DeliveryPublic,
    status_code=200,
    responses={
        **_NOT_FOUND,
        409: {"description": "Delivered already (delivery_not_retryable) or being delivered now."},
    },
)
async def retry_delivery(
    subscription_id: uuid.UUID,
    delivery_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    principal: Integration,
) -> DeliveryPublic:
    item = await subscriptions.retry(
        session, principal, request.app.state.settings, subscription_id, delivery_id
    )
    return DeliveryPublic.model_validate(item)


@router.post(
    "/subscriptions/{subscription_id}/replay",
    summary="Replay every dead letter of the subscription",
    response_model=ReplayResult,
    status_code=200,
    responses=_NOT_FOUND,
)
async def replay(
    subscription_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    principal: Integration,
    body: ReplayRequest | None = None,
) -> ReplayResult:
    count = await subscriptions.replay(session, principal, request.app.state.settings, subscription_id)
    return ReplayResult(replayed=count)
