"""Start and end of care from a provider system: JW301 → JW305/JW307 → JW306/JW308, applied once."""

from collections.abc import Callable
from datetime import timedelta

import httpx
from lxml import etree
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.ijw import IjwMessage
from app.models.money import PaymentLine
from app.models.providers import Contract
from app.services.steering.insight_queries import Period, closed_figures
from tests.support.builders import nl_today
from tests.support.engagements import closure_body
from tests.support.factories import Reference
from tests.support.ijw import (
    XML,
    all_codes,
    allocated,
    codes,
    document,
    jw305,
    jw307,
    messages,
    post_message,
    valid,
)

Auth = Callable[..., dict[str, str]]


async def kinds(session: AsyncSession, eid: str) -> list[str]:
    session.expire_all()
    rows = await session.scalars(select(PaymentLine.kind).where(PaymentLine.engagement_id == eid))
    return sorted(rows.all())


async def test_round_trip_starts_and_ends_the_engagement(
    client: httpx.AsyncClient, session: AsyncSession, ref: Reference, auth: Auth
) -> None:
    (case, a, eid), allocation = await allocated(client, session, ref, auth)
    today = nl_today()

    started = await client.post(
        "/ijw-messages", content=jw305(allocation, today, issued=today), headers=a.provider | XML
    )
    assert started.status_code == 201, started.text
    assert started.headers["content-type"].startswith("application/xml")
    jw306 = etree.fromstring(started.content)
    assert valid("JW306", jw306)
    assert set(all_codes(jw306)) == {"0200"}
    engagement = (await client.get(f"/engagements/{eid}", headers=a.provider)).json()
    assert (engagement["status"], engagement["startDate"]) == ("started", today.isoformat())
    assert await kinds(session, eid) == ["start"]
    stored = await client.get(started.headers["location"].removeprefix("/api/v1"), headers=a.provider)
    assert stored.status_code == 200 and b"StartProduct" in stored.content

    ended = await client.post(
        "/ijw-messages", content=jw307(allocation, today, today, "31", issued=today), headers=a.provider | XML
    )
    assert ended.status_code == 201, ended.text
    jw308 = etree.fromstring(ended.content)
    assert valid("JW308", jw308)
    assert set(all_codes(jw308)) == {"0200"}
    engagement = (await client.get(f"/engagements/{eid}", headers=a.provider)).json()
    assert (engagement["status"], engagement["endDate"], engagement["endReason"]) == (
        "closed",
        today.isoformat(),
        "31",
    )
    assert engagement["outcomePending"] is True and engagement["outcome"] is None
    assert await kinds(session, eid) == ["completion", "start"]

    listed = await messages(client, a.team, eid)
    assert [(m["messageCode"], m["direction"]) for m in listed] == [
        ("JW301", "outbound"),
        ("JW305", "inbound"),
        ("JW306", "outbound"),
        ("JW307", "inbound"),
        ("JW301", "outbound"),  # the allocation ends with the care
        ("JW308", "outbound"),
    ]
    assert listed[1]["returnCodes"] == ["0200"]
    assert listed[2]["answersId"] == listed[1]["id"]
    for sent in listed:
        if sent["direction"] == "outbound":
            assert valid(sent["messageCode"], await document(client, a.provider, sent["id"]))

    # Meanwhile the engagement stays out of the outcome figures.
    period = Period(today.replace(day=1), today)
    assert await closed_figures(session, case.municipality, "providers", period) == {}

    # The closure report follows with the same end date and reason: the outcome is then complete.
    wrong = closure_body(case.goal_ids[1:], [0, 1], "34")
    refused = await client.post(f"/engagements/{eid}/close", json=wrong, headers=a.provider)
    assert refused.status_code == 400
    assert [p["code"] for p in refused.json()["invalidParams"]] == ["differs_from_end_of_care"]
    report = closure_body(case.goal_ids[1:], [0, 1], "31")
    closed = await client.post(f"/engagements/{eid}/close", json=report, headers=a.provider)
    assert closed.status_code == 200, closed.text
    assert closed.json()["outcomePending"] is False
    assert closed.json()["outcome"]["goalsAchieved"] == 2
    again = await client.post(f"/engagements/{eid}/close", json=report, headers=a.provider)
    assert again.status_code == 409
    figures = await closed_figures(session, case.municipality, "providers", period)
    assert figures[str(ref.providers[0])]["closed"] == 1


async def test_the_same_message_twice_is_answered_the_same_and_applied_once(
    client: httpx.AsyncClient, session: AsyncSession, ref: Reference, auth: Auth
) -> None:
    (_, a, eid), allocation = await allocated(client, session, ref, auth)
    today = nl_today()
    body = jw305(allocation, today, issued=today)
    first = await client.post("/ijw-messages", content=body, headers=a.provider | XML)
    second = await client.post("/ijw-messages", content=body, headers=a.provider | XML)
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.content == first.content
    assert second.headers["location"] == first.headers["location"]
    assert await kinds(session, eid) == ["start"]
    count = await session.scalar(select(func.count()).select_from(IjwMessage))
    assert count == 3  # JW301, JW305, JW306

    other = jw305(allocation, today - timedelta(days=1), issued=today)  # same identification, other content
    refused = await client.post("/ijw-messages", content=other, headers=a.provider | XML)
    assert refused.status_code == 200
    reply = etree.fromstring(refused.content)
    assert valid("JW306", reply)
    assert codes(reply, "Header") == ["9056"]
    assert codes(reply, "StartProduct") == ["0233"]
    assert "location" not in refused.headers
    assert await session.scalar(select(func.count()).select_from(IjwMessage)) == 3


async def test_the_result_share_waits_for_the_closure_report(
    client: httpx.AsyncClient, session: AsyncSession, ref: Reference, auth: Auth
) -> None:
    await session.execute(
        update(Contract).where(Contract.id == ref.contracts[ref.providers[0]]).values(result_share_percent=10)
    )
    await session.commit()
    (case, a, eid), allocation = await allocated(client, session, ref, auth)
    today = nl_today()
    for body in (jw305(allocation, today, issued=today), jw307(allocation, today, today, "31", issued=today)):
        await post_message(client, a.provider, body)
    assert await kinds(session, eid) == ["completion", "start"]  # no result share without scores
    report = closure_body(case.goal_ids[1:], [0, 1], "31")
    assert (
        await client.post(f"/engagements/{eid}/close", json=report, headers=a.provider)
    ).status_code == 200
    assert await kinds(session, eid) == ["completion", "result", "start"]
