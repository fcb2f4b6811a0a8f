"""Handoffs: due dates by urgency, overdue ones flagged, routing, scoped lists, texts kept private."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.core import OutboxEvent
from app.models.engagements import Handoff
from tests.support.builders import build_case
from tests.support.engagements import actors, engagement_at, raise_handoff
from tests.support.factories import Reference

Auth = Callable[..., dict[str, str]]


@pytest.mark.parametrize(("urgency", "days"), [("crisis", 1), ("urgent", 5), ("routine", 20)])
async def test_due_at_follows_urgency(
    client: httpx.AsyncClient, session: AsyncSession, ref: Reference, auth: Auth, urgency: str, days: int
) -> None:
    case = await build_case(session, ref)
    team = actors(auth, ref, case).team
    raised = await raise_handoff(
        client, team, "Woning onbewoonbaar.", urgency, "housing", planId=str(case.plan_id)
    )
    assert raised.status_code == 201, raised.text
    body = raised.json()
    created, due = datetime.fromisoformat(body["createdAt"]), datetime.fromisoformat(body["dueAt"])
    assert due - created == timedelta(days=days)
    assert body["routeTo"] == "team" and body["teamId"] == str(case.team_id)
    assert body["raisedByRole"] == "district_professional" and body["engagementId"] is None
    assert raised.headers["location"] == f"/api/v1/handoffs/{body['id']}"


async def test_overdue_handoffs_are_flagged_and_filterable(
    client: httpx.AsyncClient, session: AsyncSession, ref: Reference, auth: Auth
) -> None:
    case = await build_case(session, ref)
    a = actors(auth, ref, case)
    ids = []
    for domain in ("housing", "work_education", "substance_use"):
        response = await raise_handoff(
            client, a.team, "Hulp nodig.", "crisis", domain, planId=str(case.plan_id)
        )
        ids.append(response.json()["id"])
    # the first two were raised three days ago; the second has been acknowledged since
    past = datetime.now(UTC) - timedelta(days=3)
    for offset, handoff_id in enumerate(ids[:2]):
        await session.execute(
            update(Handoff)
            .where(Handoff.id == handoff_id)
            .values(created_at=past, due_at=past + timedelta(days=1, hours=offset))
        )
    await session.commit()
    assert (await client.post(f"/handoffs/{ids[1]}/acknowledge", headers=a.team)).status_code == 200

    listed = (await client.get("/handoffs", headers=a.team)).json()["items"]
    assert [(h["id"], h["overdue"]) for h in listed] == [(ids[0], True), (ids[1], False), (ids[2], False)]
    overdue = (await client.get("/handoffs", params={"overdue": "true"}, headers=a.team)).json()["items"]
    assert [h["id"] for h in overdue] == [ids[0]]
    not_overdue = (await client.get("/handoffs", params={"overdue": "false"}, headers=a.team)).json()["items"]
    assert [h["id"] for h in not_overdue] == ids[1:]
    acknowledged = (await client.get("/handoffs", params={"status": "acknowledged"}, headers=a.family)).json()
    assert [h["id"] for h in acknowledged["items"]] == [ids[1]]
    # pages follow the due date
    first_page = (await client.get("/handoffs", params={"pageSize": 2}, headers=a.team)).json()
    assert [h["id"] for h in first_page["items"]] == ids[:2] and first_page["nextCursor"]
    second_page = (
        await client.get(
            "/handoffs", params={"pageSize": 2, "cursor": first_page["nextCursor"]}, headers=a.team
        )
    ).json()
    assert [h["id"] for h in second_page["items"]] == ids[2:] and second_page["nextCursor"] is None


async def test_provider_handoff_routed_to_a_municipal_service_and_read_by_the_bus(
    client: httpx.AsyncClient, session: AsyncSession, ref: Reference, auth: Auth
) -> None:
    case, a, eid = await engagement_at("started", client, session, ref, auth)
    need = "Beslag op het loon van moeder Noor de Vries."
    raised = await raise_handoff(
        client, a.provider, need, "urgent", engagementId=eid, routeTo="debt_counselling"
    )
    assert raised.status_code == 201
    body = raised.json()
    assert body["routeTo"] == "debt_counselling" and body["raisedByProviderId"] == str(ref.providers[0])
    assert body["teamId"] == str(case.team_id)  # the family's team is the service's contact point
    by_engagement = (await client.get("/handoffs", params={"engagementId": eid}, headers=a.team)).json()[
        "items"
    ]
    assert [h["id"] for h in by_engagement] == [body["id"]]
    # the integration bus may read the resource the event points at, without the texts
    bus = await client.get(f"/handoffs/{body['id']}", headers=a.integration)
    assert bus.status_code == 200 and bus.json()["view"] == "restricted" and bus.json()["need"] is None
    assert "Noor" not in bus.text
    # events carry ids, codes and states only
    session.expire_all()
    event = (await session.scalars(select(OutboxEvent).where(OutboxEvent.subject == body["id"]))).one()
    assert event.type == "nl.perspectief.handoff.raised"
    assert event.data == {
        "id": body["id"],
        "status": "open",
        "planId": str(case.plan_id),
        "engagementId": eid,
        "domainCode": "finances",
        "urgency": "urgent",
        "routeTo": "debt_counselling",
    }
    assert event.dataref.endswith(f"/api/v1/handoffs/{body['id']}")


async def test_handoff_input_is_checked(
    client: httpx.AsyncClient, session: AsyncSession, ref: Reference, auth: Auth
) -> None:
    case = await build_case(session, ref)
    team = actors(auth, ref, case).team
    neither = await client.post(
        "/handoffs", json={"domainCode": "housing", "need": "x", "urgency": "routine"}, headers=team
    )
    assert neither.status_code == 400
    bad = await raise_handoff(client, team, "", "soon", "housing", planId=str(case.plan_id), routeTo="Geen!")
    assert bad.status_code == 400
    assert {p["name"] for p in bad.json()["invalidParams"]} == {"need", "urgency", "routeTo"}
