"""HTTP routes: webhook subscriptions of the integration bus, their deliveries and dead letters."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from app.auth import Integration
from app.config import Settings
from app.db import SessionDep
from app.models.base import Page
from app.pagination import PageParams
from app.routers.shapes import located, page_of
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


def _settings(request: Request) -> Settings:
    return request.app.state.settings


# The subscriptions' rules (how often a delivery is tried, what counts as unhealthy) are settings.
AppSettings = Annotated[Settings, Depends(_settings)]


def _public(view: subscriptions.SubscriptionView) -> SubscriptionPublic:
    return SubscriptionPublic.model_validate(view.public())


@router.post(
    "/subscriptions",
    summary="Subscribe a callback URL to event types (the secret signs deliveries; never returned)",
    status_code=201,
)
async def create_subscription(
    body: SubscriptionCreate,
    settings: AppSettings,
    session: SessionDep,
    principal: Integration,
    response: Response,
) -> SubscriptionPublic:
    view = await subscriptions.create(
        session, principal, settings, body.callback_url, body.types, body.secret
    )
    return located(response, _public(view), "subscriptions", view.subscription.id)


@router.get(
    "/subscriptions",
    summary="The municipality's subscriptions; ?health=unhealthy lists those that keep failing",
)
async def list_subscriptions(
    settings: AppSettings,
    session: SessionDep,
    principal: Integration,
    page: PageParams,
    health: Health | None = None,
) -> Page[SubscriptionPublic]:
    found = await subscriptions.list_subscriptions(session, principal, settings, page, health)
    return page_of(SubscriptionPublic, found, _public)


@router.get(
    "/subscriptions/{subscription_id}",
    summary="One subscription",
    responses=_NOT_FOUND,
)
async def get_subscription(
    subscription_id: uuid.UUID, settings: AppSettings, session: SessionDep, principal: Integration
) -> SubscriptionPublic:
    view = await subscriptions.get(session, principal, settings, subscription_id)
    return _public(view)


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
    responses=_NOT_FOUND,
)
async def list_deliveries(
    subscription_id: uuid.UUID,
    settings: AppSettings,
    session: SessionDep,
    principal: Integration,
    page: PageParams,
    status: Annotated[DeliveryStatus | None, Query()] = None,
) -> Page[DeliveryPublic]:
    found = await subscriptions.list_deliveries(session, principal, settings, subscription_id, page, status)
    return page_of(DeliveryPublic, found)


@router.post(
    "/subscriptions/{subscription_id}/deliveries/{delivery_id}/retry",
    summary="Try one delivery again now (a dead letter gets a fresh retry window)",
    responses={
        **_NOT_FOUND,
        409: {"description": "Delivered already (delivery_not_retryable) or being delivered now."},
    },
)
async def retry_delivery(
    subscription_id: uuid.UUID,
    delivery_id: uuid.UUID,
    settings: AppSettings,
    session: SessionDep,
    principal: Integration,
) -> DeliveryPublic:
    item = await subscriptions.retry(session, principal, settings, subscription_id, delivery_id)
    return DeliveryPublic.model_validate(item)


@router.post(
    "/subscriptions/{subscription_id}/replay",
    summary="Replay every dead letter of the subscription",
    responses=_NOT_FOUND,
)
async def replay(
    subscription_id: uuid.UUID,
    settings: AppSettings,
    session: SessionDep,
    principal: Integration,
    body: ReplayRequest | None = None,
) -> ReplayResult:
    count = await subscriptions.replay(session, principal, settings, subscription_id)
    return ReplayResult(replayed=count)
