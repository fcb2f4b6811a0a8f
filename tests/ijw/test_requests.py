"""Requests for an allocation (JW315): linked to the family's plan and referral or kept as an
intake task, answered by an allocation (JW301 naming the reference) or a JW319, late ones flagged."""

from collections.abc import Callable
from datetime import timedelta

import httpx
from lxml import etree
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.ijw import AllocationRequest, IjwMessage
from app.services.engagements.flags import add_working_days
from tests.support.builders import nl_today
from tests.support.engagements import consented_case, request
from tests.support.factories import Reference
from tests.support.families import bsn
from tests.support.ijw import (
    all_codes,
    answer,
    codes,
    document,
    ijw_case,
    jw315,
    messages,
    requester,
    text,
    valid,
)

Auth = Callable[..., dict[str, str]]
TODAY = nl_today()


async def send(client: httpx.AsyncClient, staff: dict[str, str], body: bytes) -> etree._Element:
    return await answer(client, staff, body, "JW316")


async def team_requests(client: httpx.AsyncClient, team: dict[str, str], **params: str) -> list[dict]:
    response = await client.get("/ijw-allocation-requests", params=params, headers=team)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def test_a_request_for_a_family_of_ours_is_linked_and_answered_by_the_allocation(
    client: httpx.AsyncClient, session: AsyncSession, ref: Reference, auth: Auth
) -> None:
    main = ref.providers[0]
    case, a = await consented_case(session, ref, auth, build=ijw_case)
    reply = await send(
        client, a.provider, jw315(requester(ref), "VTA-1", start=TODAY, identification="REQ1", issued=TODAY)
    )
    assert set(all_codes(reply)) == {"0200"}
    [task] = await team_requests(client, a.team)
    assert (task["familyId"], task["memberId"], task["planId"], task["referralId"]) == (
        str(case.family_id),
        str(case.child_id),
        str(case.plan_id),
        str(case.referral_id),
    )
    assert (task["status"], task["providerReference"]) == ("open", "VTA-1")
    assert task["answerDue"] == add_working_days(TODAY, 5).isoformat()
    assert await team_requests(client, a.other_team) == []  # another team's family

    eid = (await request(client, a.family, case, main)).json()["id"]
    assert (await client.post(f"/engagements/{eid}/accept", headers=a.provider)).status_code == 200
    [jw301] = await messages(client, a.provider, eid)
    assert (
        text(await document(client, a.provider, jw301["id"]), "ToegewezenProduct/ReferentieAanbieder")
        == "VTA-1"
    )
    [task] = await team_requests(client, a.team)
    assert task["status"] == "allocated"


async def test_an_unknown_client_is_an_intake_task_the_team_answers_with_jw319(
    client: httpx.AsyncClient, session: AsyncSession, ref: Reference, auth: Auth
) -> None:
    staff = auth("provider_staff", provider=ref.providers[0])
    team = auth("district_professional", team=ref.second_team)
    body = jw315(requester(ref, bsn_=bsn(40)), "VTA-2", start=TODAY, identification="REQ2", issued=TODAY)
    await send(client, staff, body)
    [task] = await team_requests(client, team, status="open")
    assert task["familyId"] is None
    intake = await document(client, team, task["messageId"])  # the team reads who it is for
    assert text(intake, "Client/Bsn") == bsn(40)
    outsider = auth("district_professional", team=ref.teams["GM0599"], municipality="GM0599")
    assert (await client.get(f"/ijw-messages/{task['messageId']}", headers=outsider)).status_code == 404
    missing = await client.post(
        f"/ijw-allocation-requests/{task['id']}/answer", json={"answer": "refused"}, headers=team
    )
    assert missing.status_code == 400
    answered = await client.post(
        f"/ijw-allocation-requests/{task['id']}/answer",
        json={"answer": "refused", "refusalReason": "8", "responsibleMunicipality": "GM0599"},
        headers=team,
    )
    assert answered.status_code == 200, answered.text
    assert (answered.json()["status"], answered.json()["answerCode"]) == ("answered", "1")
    again = await client.post(
        f"/ijw-allocation-requests/{task['id']}/answer", json={"answer": "investigating"}, headers=team
    )
    assert (again.status_code, again.json()["code"]) == (409, "request_answered")
    jw319 = await _answer_of(client, session, staff, task["messageId"])
    assert text(jw319, "Antwoord/RedenAfwijzingVerzoek") == "8"
    assert text(jw319, "Antwoord/Woonplaatsbeginsel/Gemeente") == "0599"


async def _answer_of(
    client: httpx.AsyncClient, session: AsyncSession, staff: dict[str, str], request_message_id: str
) -> etree._Element:
    """The JW319 answering a JW315, read as the provider reads it."""
    session.expire_all()
    answer_id = await session.scalar(
        select(IjwMessage.id).where(
            IjwMessage.answers_id == request_message_id, IjwMessage.message_code == "JW319"
        )
    )
    assert answer_id is not None
    jw319 = await document(client, staff, str(answer_id))
    assert valid("JW319", jw319)
    return jw319


async def test_a_product_the_provider_has_no_contract_for_is_refused_at_once(
    client: httpx.AsyncClient, session: AsyncSession, ref: Reference, auth: Auth
) -> None:
    staff = auth("provider_staff", provider=ref.providers[0])
    team = auth("district_professional", team=ref.teams["GM0363"])
    body = jw315(
        requester(ref, bsn_=bsn(41), product="P01I1"),
        "VTA-3",
        start=TODAY,
        identification="REQ3",
        issued=TODAY,
    )
    await send(client, staff, body)
    [task] = await team_requests(client, team)
    assert (task["status"], task["answerCode"], task["refusalReason"]) == ("answered", "1", "3")
    jw319 = await _answer_of(client, session, staff, task["messageId"])
    assert text(jw319, "Antwoord/ReferentieAanbieder") == "VTA-3"


async def test_cross_message_rules_for_requests(
    client: httpx.AsyncClient, session: AsyncSession, ref: Reference, auth: Auth
) -> None:
    staff = auth("provider_staff", provider=ref.providers[0])
    first = jw315(requester(ref, bsn_=bsn(42)), "VTA-4", start=TODAY, identification="REQ4", issued=TODAY)
    await send(client, staff, first)
    pending = jw315(requester(ref, bsn_=bsn(42)), "VTA-5", start=TODAY, identification="REQ5", issued=TODAY)
    assert codes(await send(client, staff, pending), "AangevraagdProduct") == ["9374"]  # TR374
    reused = jw315(requester(ref, bsn_=bsn(43)), "VTA-4", start=TODAY, identification="REQ6", issued=TODAY)
    assert codes(await send(client, staff, reused), "AangevraagdProduct") == ["9347"]  # TR347
    twice = jw315(
        requester(ref, bsn_=bsn(44)), "VTA-7", "VTA-7", start=TODAY, identification="REQ7", issued=TODAY
    )
    reply = await send(client, staff, twice)
    assert [codes(p) for p in reply.xpath("//*[local-name()='AangevraagdProduct']")] == [
        ["0200"],
        ["0001"],
    ]  # TR383
    team = auth("district_professional", team=ref.teams["GM0363"])
    assert sorted(t["providerReference"] for t in await team_requests(client, team)) == ["VTA-4", "VTA-7"]


async def test_a_late_answer_goes_to_case_review(
    client: httpx.AsyncClient, session: AsyncSession, ref: Reference, auth: Auth
) -> None:
    _, a = await consented_case(session, ref, auth, build=ijw_case)
    await send(
        client, a.provider, jw315(requester(ref), "VTA-8", start=TODAY, identification="REQ8", issued=TODAY)
    )
    reviews = (
        await client.get("/case-reviews", params={"flag": "allocation_request_late"}, headers=a.officer)
    ).json()
    assert reviews["items"] == []
    await session.execute(update(AllocationRequest).values(answer_due=TODAY - timedelta(days=1)))
    await session.commit()
    reviews = (
        await client.get("/case-reviews", params={"flag": "allocation_request_late"}, headers=a.officer)
    ).json()
    assert [r["flag"] for r in reviews["items"]] == ["allocation_request_late"]
