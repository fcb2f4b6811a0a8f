"""The integration bus follows every event's ``dataref`` and reads the resource without personal data.

A story over HTTP plants names, BSNs, birth dates and free texts; every event of it is read from
the pull feed, every ``dataref`` fetched with the integration role: 200, and none of what was
planted appears.
"""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import get_settings
from tests.support.builders import build_case, nl_today
from tests.support.engagements import actors, closure_body
from tests.support.factories import Reference
from tests.support.families import agreed_plan, bsn, family_body, pro, years_ago

REASON = "Slaapt slecht sinds de verhuizing."
APPROACH = "Gezinsbehandeling thuis, twee keer per week."
NEED = "Schuldhulp nodig, aanmaningen stapelen zich op."
PERSONAL_FIELDS = {"givenName", "familyName", "bsn", "birthDate", "reason", "need", "approach", "note"}
DATAREF_KINDS = {
    "families", "plans", "referrals", "engagements", "treatment-plan", "handoffs", "payments",
    "payment-batches", "consents",
}  # fmt: skip


def kind_of(path: str) -> str:
    parts = path.strip("/").split("/")
    return parts[-1] if parts[-1] == "treatment-plan" else parts[-2]


async def read_feed(client: httpx.AsyncClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    after = "0"
    for _ in range(50):
        page = (await client.get(f"/events?afterSequence={after}&pageSize=200", headers=headers)).json()
        items += page["items"]
        if page["nextCursor"] is None:
            return items
        after = page["nextCursor"]
    raise AssertionError("the feed did not end")


async def test_every_dataref_is_readable_by_the_bus_without_personal_data(
    client: httpx.AsyncClient, session: AsyncSession, ref: Reference, auth: Callable[..., dict[str, str]]
) -> None:
    main = ref.providers[0]
    case = await build_case(session, ref, consent_providers=[main])
    a = actors(auth, ref, case)
    team = pro(auth, ref)
    planted = ["Sam", "Noor", "Lex", "Rust in huis", "Doel ", "Het gaat beter", "2015-03-14", "1985-06-01"]
    planted += [REASON, APPROACH, NEED]
    goals = case.goal_ids[1:]  # the child's (the first is the family's finances goal)

    # a family registered, its plan agreed (names, BSNs, birth dates, assessment and goal texts)
    body = family_body(ref, child_bsn=bsn(21), parent_bsn=bsn(22))
    planted += ["Sanne", "Daan", "de Vries", bsn(21), bsn(22), "Gaat redelijk", "Rustiger ochtenden"]
    planted += [m["birthDate"] for m in body["members"]]
    await agreed_plan(client, auth, ref, body)

    # a GP refers an unknown child (intake); the team registers it and the referral is linked
    child_birth = years_ago(7)
    gp = auth("gp", agb="01012345", sub="gp-1")
    referral = await client.post(
        "/referrals",
        json={"bsn": bsn(23), "birthDate": child_birth, "referrerType": "02", "profileCode": "P06",
              "intensityCode": "I2", "reason": REASON, "districtCode": ref.districts["GM0363"][0]},
        headers=gp,
    )  # fmt: skip
    assert referral.status_code == 201, referral.text
    registered = family_body(ref, child_bsn=bsn(23))
    registered["members"][1]["birthDate"] = child_birth
    assert (await client.post("/families", json=registered, headers=team)).status_code == 201
    planted += [bsn(23), child_birth]

    # a consent granted and withdrawn
    consents = f"/families/{case.family_id}/consents"
    granted = await client.post(
        consents,
        json={"scope": "share_plan_with_provider", "providerId": str(ref.providers[1]),
              "grantedByMemberId": str(case.parent_id)},
        headers=a.family,
    )  # fmt: skip
    assert granted.status_code == 201, granted.text
    withdrawn = await client.delete(f"{consents}/{granted.json()['id']}", headers=a.family)
    assert withdrawn.status_code == 204

    # an engagement requested, accepted, started, with a treatment plan and a handoff, closed
    created = await client.post(
        "/engagements",
        json={"planId": str(case.plan_id), "memberId": str(case.child_id), "providerId": str(main)},
        headers=a.family,
    )
    assert created.status_code == 201, created.text
    eid = created.json()["id"]
    assert (await client.post(f"/engagements/{eid}/accept", headers=a.provider)).status_code == 200
    today = nl_today()
    started = await client.post(
        f"/engagements/{eid}/start", json={"startDate": today.isoformat()}, headers=a.provider
    )
    assert started.status_code == 200, started.text
    plan_body = {
        "approach": APPROACH,
        "expectedEndDate": (today + timedelta(days=120)).isoformat(),
        "activities": [
            {"description": "Gesprekken", "goalIds": [str(g) for g in goals], "frequency": "weekly"}
        ],
    }
    put = await client.put(f"/engagements/{eid}/treatment-plan", json=plan_body, headers=a.provider)
    assert put.status_code == 201, put.text
    submitted = await client.post(f"/engagements/{eid}/treatment-plan/submit", headers=a.provider)
    assert submitted.status_code == 200, submitted.text
    raised = await client.post(
        "/handoffs",
        json={"engagementId": eid, "domainCode": "finances", "need": NEED, "urgency": "urgent",
              "routeTo": "debt_counselling"},
        headers=a.provider,
    )  # fmt: skip
    assert raised.status_code == 201, raised.text
    closed = await client.post(
        f"/engagements/{eid}/close",
        json=closure_body(goals, [2] * len(goals)),
        headers=a.provider,
    )
    assert closed.status_code == 200, closed.text

    # the payments approved and exported in a batch
    lines = (await client.get("/payments", headers=a.officer)).json()["items"]
    approved = await client.post(
        "/payments/approve", json={"ids": [x["id"] for x in lines]}, headers=a.officer
    )
    assert approved.status_code == 200, approved.text
    for period in sorted({x["period"] for x in lines}):
        batch = await client.post("/payment-batches", json={"period": period}, headers=a.officer)
        assert batch.status_code in (200, 201), batch.text

    # the bus reads the feed and follows every dataref
    events = await read_feed(client, a.integration)
    types = {e["type"].removeprefix("nl.perspectief.") for e in events}
    assert {
        "family.created", "plan.created", "plan.agreed", "plan.activated", "plan.evaluation-started",
        "referral.created", "referral.linked", "consent.granted", "consent.withdrawn",
        "engagement.requested", "engagement.accepted", "engagement.started", "engagement.closed",
        "treatment-plan.submitted", "handoff.raised", "payment.scheduled", "payment-batch.exported",
    } <= types  # fmt: skip
    prefix = f"{get_settings().public_base_url}/api/v1"
    kinds = set()
    for event in events:
        assert event["dataref"].startswith(prefix)
        path = event["dataref"].removeprefix(prefix)
        response = await client.get(path, headers=a.integration)
        assert response.status_code == 200, (event["type"], response.text)
        assert response.json()["id"] == event["subject"]
        assert response.json().get("view") in {"integration", "restricted"}, event["type"]
        leaked = [p for p in planted if p in response.text]
        assert leaked == [], (event["type"], leaked)
        for payload in (event, response.json()):
            filled = {key for key, value in payload.items() if value not in (None, "", [])}
            assert not PERSONAL_FIELDS & filled, (event["type"], PERSONAL_FIELDS & filled)
        kinds.add(kind_of(path))
    assert kinds == DATAREF_KINDS

    # another municipality's bus sees none of it
    elsewhere = auth("integration", municipality="GM0599")
    for event in events:
        response = await client.get(event["dataref"].removeprefix(prefix), headers=elsewhere)
        assert response.status_code == 404, (event["type"], response.status_code)
