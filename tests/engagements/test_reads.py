"""Reading engagements: the inbox with filters and pages, audit rows, no N+1, private events."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.core import AuditEvent, OutboxEvent
from tests.support.builders import add_engagement, build_case
from tests.support.engagements import consented_case, engagement_at, request
from tests.support.factories import Reference

Auth = Callable[..., dict[str, str]]


async def test_inbox_filters_pages_and_audits_every_row(
    client: httpx.AsyncClient, session: AsyncSession, ref: Reference, auth: Auth, count_statements: Any
) -> None:
    main = ref.providers[0]
    cases = [await build_case(session, ref) for _ in range(4)]
    base = datetime.now(UTC) - timedelta(days=2)
    ids = [
        str(
            (
                await add_engagement(
                    session, c, main, status="requested", requested_at=base + timedelta(hours=i)
                )
            ).id
        )
        for i, c in enumerate(cases)
    ]
    started = await add_engagement(session, cases[0], main, member_id=cases[0].youth_id)
    staff = auth("provider_staff", provider=main, sub="inbox-reader")

    with count_statements() as counter:
        first = await client.get("/engagements", params={"status": "requested", "pageSize": 3}, headers=staff)
    assert first.status_code == 200
    page = first.json()
    assert [i["id"] for i in page["items"]] == ids[:3]
    assert all(i["view"] == "restricted" for i in page["items"])  # no consents: no names
    assert all(i.get("child") is None for i in page["items"])
    assert counter.count <= 6
    second = (
        await client.get(
            "/engagements",
            params={"status": "requested", "pageSize": 3, "cursor": page["nextCursor"]},
            headers=staff,
        )
    ).json()
    assert [i["id"] for i in second["items"]] == ids[3:] and second["nextCursor"] is None
    everything = (await client.get("/engagements", headers=staff)).json()["items"]
    assert {i["id"] for i in everything} == {*ids, str(started.id)}
    by_plan = (
        await client.get("/engagements", params={"planId": str(cases[0].plan_id)}, headers=staff)
    ).json()
    assert {i["id"] for i in by_plan["items"]} == {ids[0], str(started.id)}
    assert (await client.get("/engagements", params={"status": "nonsense"}, headers=staff)).status_code == 400
    assert (await client.get("/engagements", params={"cursor": "!!"}, headers=staff)).status_code == 400

    session.expire_all()
    audited = (
        await session.execute(
            select(AuditEvent.resource_id, AuditEvent.family_id).where(
                AuditEvent.subject == "inbox-reader", AuditEvent.resource_type == "engagement"
            )
        )
    ).all()
    assert {(rid, fid) for rid, fid in audited} >= {(ids[i], cases[i].family_id) for i in range(4)}


async def test_one_engagement_view_costs_a_fixed_number_of_statements(
    client: httpx.AsyncClient, session: AsyncSession, ref: Reference, auth: Auth, count_statements: Any
) -> None:
    case, a, eid = await engagement_at("started", client, session, ref, auth)
    with count_statements() as few:
        assert (await client.get(f"/engagements/{eid}", headers=a.team)).status_code == 200
    activities = [
        {"description": f"Activiteit {i}", "goalIds": [str(g) for g in case.goal_ids[1:]]} for i in range(12)
    ]
    await client.put(
        f"/engagements/{eid}/treatment-plan",
        json={"approach": "Veel.", "activities": activities},
        headers=a.provider,
    )
    with count_statements() as many:
        treatment = await client.get(f"/engagements/{eid}/treatment-plan", headers=a.team)
        view = await client.get(f"/engagements/{eid}", headers=a.team)
    assert len(treatment.json()["activities"]) == 12 and view.json()["treatmentPlan"]["activityCount"] == 12
    assert many.count <= few.count + 6


async def test_events_carry_no_personal_data(
    client: httpx.AsyncClient, session: AsyncSession, ref: Reference, auth: Auth
) -> None:
    main = ref.providers[0]
    case, a = await consented_case(session, ref, auth)
    created = await request(client, a.family, case, main, choiceReason="Sam wil naar de praktijk van Anouk.")
    eid = created.json()["id"]
    await client.post(
        f"/engagements/{eid}/decline",
        json={"reasonCode": "05", "reason": "Noor belde af."},
        headers=a.provider,
    )
    session.expire_all()
    rows = (await session.scalars(select(OutboxEvent).where(OutboxEvent.subject == eid))).all()
    assert [r.type for r in rows] == [
        "nl.perspectief.engagement.requested",
        "nl.perspectief.engagement.declined",
    ]
    for row in rows:
        text = str(row.data)
        assert "Sam" not in text and "Noor" not in text and "Anouk" not in text
    assert rows[1].data == {
        "id": eid,
        "status": "declined",
        "planId": str(case.plan_id),
        "providerId": str(main),
        "reasonCode": "05",
    }
