"""Shared arrangements for the engagement tests: actors (tokens) and HTTP shortcuts."""

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, NamedTuple

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.core import OutboxEvent
from tests.support.builders import Case, build_case, nl_today
from tests.support.factories import Reference

Headers = dict[str, str]
Auth = Callable[..., Headers]
CaseBuilder = Callable[..., Awaitable[Case]]


@dataclass
class Actors:
    family: Headers
    youth: Headers
    team: Headers
    other_team: Headers
    provider: Headers  # main contractor (ref.providers[0])
    sub: Headers  # ref.providers[1], becomes subcontractor
    third: Headers  # ref.providers[2], not involved
    other_municipality_team: Headers
    officer: Headers
    gp: Headers
    purchasing: Headers
    integration: Headers
    admin: Headers


def actors(auth: Auth, ref: Reference, case: Case) -> Actors:
    return Actors(
        family=auth("family_member", family=case.family_id, member=case.parent_id, sub="parent-1"),
        youth=auth("family_member", family=case.family_id, member=case.youth_id, sub="youth-1"),
        team=auth("district_professional", team=case.team_id, sub="pro-1"),
        other_team=auth("district_professional", team=ref.second_team, sub="pro-2"),
        provider=auth("provider_staff", provider=ref.providers[0], sub="main-staff"),
        sub=auth("provider_staff", provider=ref.providers[1], sub="sub-staff"),
        third=auth("provider_staff", provider=ref.providers[2], sub="third-staff"),
        other_municipality_team=auth(
            "district_professional", team=ref.teams["GM0599"], municipality="GM0599", sub="pro-rdam"
        ),
        officer=auth("municipality_officer", sub="officer"),
        gp=auth("gp", agb="01999999", sub="gp"),
        purchasing=auth("purchasing_officer", region=ref.region_id, sub="buyer"),
        integration=auth("integration", sub="bus"),
        admin=auth("admin", sub="admin"),
    )


async def request(
    client: httpx.AsyncClient, headers: Headers, case: Case, provider: uuid.UUID, **extra: Any
) -> Any:
    body = {"planId": str(case.plan_id), "memberId": str(case.child_id), "providerId": str(provider), **extra}
    return await client.post("/engagements", json=body, headers=headers)


Stage = Literal["requested", "accepted", "started"]


async def taken_to(
    stage: Stage, client: httpx.AsyncClient, family: Headers, staff: Headers, case: Case, provider: uuid.UUID
) -> str:
    """Request (as the family), then accept and start (as the provider's ``staff``) as far as
    ``stage``; returns the engagement id."""
    created = await request(client, family, case, provider)
    assert created.status_code == 201, created.text
    engagement_id = str(created.json()["id"])
    if stage == "requested":
        return engagement_id
    accepted = await client.post(f"/engagements/{engagement_id}/accept", headers=staff)
    assert accepted.status_code == 200, accepted.text
    if stage == "started":
        started = await client.post(
            f"/engagements/{engagement_id}/start", json={"startDate": nl_today().isoformat()}, headers=staff
        )
        assert started.status_code == 200, started.text
    return engagement_id


async def started_engagement(
    client: httpx.AsyncClient, family: Headers, provider_staff: Headers, case: Case, provider: uuid.UUID
) -> str:
    """Request (as the family), accept and start (as the provider); returns the engagement id."""
    return await taken_to("started", client, family, provider_staff, case, provider)


async def consented_case(
    session: AsyncSession, ref: Reference, auth: Auth, *, build: CaseBuilder = build_case, **case_options: Any
) -> tuple[Case, Actors]:
    """A case built by ``build`` whose family consented to the main provider (``ref.providers[0]``),
    and the actors around it."""
    case = await build(session, ref, consent_providers=[ref.providers[0]], **case_options)
    return case, actors(auth, ref, case)


class Engaged(NamedTuple):
    """A case whose family consented to the main provider (``ref.providers[0]``), the actors
    around it, and the engagement the family asked of that provider."""

    case: Case
    a: Actors
    id: str


async def engagement_at(
    stage: Stage,
    client: httpx.AsyncClient,
    session: AsyncSession,
    ref: Reference,
    auth: Auth,
    *,
    build: CaseBuilder = build_case,
    **case_options: Any,
) -> Engaged:
    """A case built by ``build`` with consent for the main provider, and the family's request of
    that provider taken to ``stage``."""
    case, a = await consented_case(session, ref, auth, build=build, **case_options)
    return Engaged(case, a, await taken_to(stage, client, a.family, a.provider, case, ref.providers[0]))


async def subcontract_second_provider(
    client: httpx.AsyncClient,
    staff: Headers,
    engagement_id: str,
    ref: Reference,
    *,
    scope: str = "Oudertraining",
    start: date | None = None,
) -> httpx.Response:
    """The second provider (``ref.providers[1]``, named by its AGB code) taken on as subcontractor."""
    body = {
        "agbCode": ref.provider_agbs[1],
        "name": "Aanbieder 2",
        "scope": scope,
        "startDate": (start or nl_today()).isoformat(),
    }
    return await client.post(f"/engagements/{engagement_id}/subcontracts", json=body, headers=staff)


async def raise_handoff(
    client: httpx.AsyncClient,
    staff: Headers,
    need: str = "Schulden.",
    urgency: str = "routine",
    domain: str = "finances",
    **about: str,
) -> httpx.Response:
    """A handoff raised by ``staff``; ``about`` names what it comes from (``engagementId`` or
    ``planId``) and where it goes (``routeTo``)."""
    body = {**about, "domainCode": domain, "need": need, "urgency": urgency}
    return await client.post("/handoffs", json=body, headers=staff)


def closure_body(goal_ids: list[uuid.UUID], scores: list[int], end_reason: str = "31") -> dict[str, Any]:
    return {
        "endDate": nl_today().isoformat(),
        "endReason": end_reason,
        "goals": [{"goalId": str(g), "gasScore": s} for g, s in zip(goal_ids, scores, strict=True)],
        "problemReduction": 3,
    }


async def event_types(session: AsyncSession, subject: object | None = None) -> list[str]:
    query = select(OutboxEvent.type).order_by(OutboxEvent.sequence)
    if subject is not None:
        query = query.where(OutboxEvent.subject == str(subject))
    session.expire_all()
    return [t.removeprefix("nl.perspectief.") for t in (await session.scalars(query)).all()]
