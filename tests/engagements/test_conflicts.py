"""Every 409 of the provider side, each naming what is in the way."""

import uuid
from collections.abc import Callable
from datetime import date, timedelta

import httpx
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.families import Family
from app.models.plans import Goal, Plan
from app.models.referrals import Consent, Referral
from tests.support.builders import build_case, member, nl_today
from tests.support.engagements import actors, closure_body, engagement_at, raise_handoff, request
from tests.support.factories import Reference

Auth = Callable[..., dict[str, str]]


def conflict(response: httpx.Response, code: str) -> dict[str, object]:
    assert response.status_code == 409, response.text
    body = response.json()
    assert body["code"] == code, body
    assert response.headers["content-type"].startswith("application/problem+json")
    return body


async def test_request_conflicts(
    client: httpx.AsyncClient, session: AsyncSession, ref: Reference, auth: Auth
) -> None:
    main, second, _ = ref.providers
    case = await build_case(session, ref, consent_providers=[main, ref.uncontracted_provider])
    a = actors(auth, ref, case)

    body = conflict(await request(client, a.family, case, second), "consent_required")
    assert body["providerId"] == str(second)
    conflict(await request(client, a.team, case, ref.uncontracted_provider), "provider_not_contracted")

    # a child without a support profile on the plan
    family = await session.get(Family, case.family_id)
    assert family is not None
    extra = member(family, "child", "Mo", date(2019, 1, 1))
    session.add(extra)
    await session.commit()
    conflict(await request(client, a.family, case, main, memberId=str(extra.id)), "support_profile_required")

    # the referral the profile rests on has expired
    await session.execute(
        update(Referral)
        .where(Referral.id == case.referral_id)
        .values(valid_to=nl_today() - timedelta(days=1))
    )
    await session.commit()
    conflict(await request(client, a.family, case, main), "referral_required")
    await session.execute(
        update(Referral)
        .where(Referral.id == case.referral_id)
        .values(valid_to=nl_today() + timedelta(days=30))
    )
    await session.commit()

    # an open engagement for the same support profile
    first = await request(client, a.family, case, main)
    assert first.status_code == 201
    body = conflict(await request(client, a.team, case, main), "engagement_exists")
    assert body["existing"] == f"/api/v1/engagements/{first.json()['id']}"

    # the youth's goals are all achieved: nothing left in scope
    await session.execute(update(Goal).where(Goal.plan_id == case.plan_id).values(status="achieved"))
    await session.commit()
    conflict(await request(client, a.family, case, main, memberId=str(case.youth_id)), "no_goals_in_scope")


async def test_request_needs_an_agreed_plan(
    client: httpx.AsyncClient, session: AsyncSession, ref: Reference, auth: Auth
) -> None:
    case = await build_case(session, ref, plan_status="draft", consent_providers=[ref.providers[0]])
    body = conflict(
        await request(client, actors(auth, ref, case).family, case, ref.providers[0]), "plan_not_agreed"
    )
    assert body["currentStatus"] == "draft"


async def test_invalid_transitions_name_the_current_state(
    client: httpx.AsyncClient, session: AsyncSession, ref: Reference, auth: Auth
) -> None:
    case, a, eid = await engagement_at("requested", client, session, ref, auth)
    today = nl_today().isoformat()

    async def post(path: str, headers: dict[str, str], json: object = None) -> httpx.Response:
        return await client.post(f"/engagements/{eid}/{path}", json=json, headers=headers)

    # requested: cannot start or close
    body = conflict(await post("start", a.provider, {"startDate": today}), "invalid_transition")
    assert body["currentStatus"] == "requested" and "'requested'" in str(body["detail"])
    conflict(await post("close", a.provider, closure_body(case.goal_ids[1:], [0, 0])), "invalid_transition")
    # nor take a treatment plan, progress, subcontracts or surveys
    tp = {"approach": "x", "activities": []}
    assert (
        await client.put(f"/engagements/{eid}/treatment-plan", json=tp, headers=a.provider)
    ).status_code == 409
    body = conflict(
        await post(
            "progress-reports",
            a.provider,
            {"goals": [{"goalId": str(case.goal_ids[1]), "gasScore": 0}], "problemReduction": 1},
        ),
        "invalid_state",
    )
    assert body["currentStatus"] == "requested"
    conflict(
        await post("experience-surveys", a.family, {"respondentMemberId": str(case.parent_id), "score": 5}),
        "invalid_state",
    )
    # accepted: not again, not declined
    assert (await post("accept", a.provider)).status_code == 200
    assert conflict(await post("accept", a.provider), "invalid_transition")["currentStatus"] == "accepted"
    conflict(await post("decline", a.provider, {"reasonCode": "01", "reason": "Vol."}), "invalid_transition")
    # started: cannot be withdrawn
    assert (await post("start", a.provider, {"startDate": today})).status_code == 200
    assert conflict(await post("withdraw", a.family), "invalid_transition")["currentStatus"] == "started"
    # closed: nothing moves any more
    assert (await post("close", a.provider, closure_body(case.goal_ids[1:], [0, 0]))).status_code == 200
    for path, headers, json in (
        ("close", a.provider, closure_body(case.goal_ids[1:], [0, 0])),
        ("start", a.provider, {"startDate": today}),
        ("withdraw", a.team, None),
        ("accept", a.provider, None),
    ):
        assert conflict(await post(path, headers, json), "invalid_transition")["currentStatus"] == "closed"
    conflict(
        await post(
            "subcontracts", a.provider, {"agbCode": "99999999", "name": "X", "scope": "x", "startDate": today}
        ),
        "invalid_state",
    )
    # one survey per respondent
    survey = {"respondentMemberId": str(case.parent_id), "score": 6}
    assert (await post("experience-surveys", a.family, survey)).status_code == 201
    conflict(await post("experience-surveys", a.family, survey), "survey_exists")
    # declined and withdrawn requests are final too
    other, b, declined = await engagement_at("requested", client, session, ref, auth)
    assert (
        await client.post(
            f"/engagements/{declined}/decline",
            json={"reasonCode": "01", "reason": "Vol."},
            headers=b.provider,
        )
    ).status_code == 200
    body = conflict(
        await client.post(f"/engagements/{declined}/withdraw", headers=b.family), "invalid_transition"
    )
    assert body["currentStatus"] == "declined"
    withdrawn = (await request(client, b.family, other, ref.providers[0])).json()["id"]
    assert (await client.post(f"/engagements/{withdrawn}/withdraw", headers=b.team)).status_code == 200
    body = conflict(
        await client.post(f"/engagements/{withdrawn}/accept", headers=b.provider), "invalid_transition"
    )
    assert body["currentStatus"] == "withdrawn"


async def test_treatment_plan_conflicts_and_versions(
    client: httpx.AsyncClient, session: AsyncSession, ref: Reference, auth: Auth
) -> None:
    case, a, eid = await engagement_at("started", client, session, ref, auth)
    path = f"/engagements/{eid}/treatment-plan"
    mental, parenting = (str(g) for g in case.goal_ids[1:])

    assert (await client.post(f"{path}/submit", headers=a.provider)).status_code == 404  # none yet
    with_etag = await client.put(
        path, json={"approach": "a", "activities": []}, headers={**a.provider, "If-Match": '"1"'}
    )
    assert with_etag.status_code == 412  # nothing to match yet
    created = await client.put(
        path,
        json={"approach": "a", "activities": [{"description": "x", "goalIds": [mental]}]},
        headers=a.provider,
    )
    assert created.status_code == 201 and created.headers["etag"] == '"1"'
    body = conflict(await client.post(f"{path}/submit", headers=a.provider), "goals_not_covered")
    assert body["uncoveredGoalIds"] == [parenting]
    full = {"approach": "b", "activities": [{"description": "x", "goalIds": [mental, parenting]}]}
    assert (await client.put(path, json=full, headers=a.provider)).status_code == 428
    assert (await client.put(path, json=full, headers={**a.provider, "If-Match": '"7"'})).status_code == 412
    updated = await client.put(path, json=full, headers={**a.provider, "If-Match": '"1"'})
    assert updated.status_code == 200 and updated.headers["etag"] == '"2"'
    assert (await client.post(f"{path}/submit", headers={**a.provider, "If-Match": '"1"'})).status_code == 412
    submitted = await client.post(f"{path}/submit", headers={**a.provider, "If-Match": '"2"'})
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    body = conflict(await client.post(f"{path}/submit", headers=a.provider), "invalid_transition")
    assert body["currentStatus"] == "submitted"
    # changing a submitted plan makes it a draft again, to be submitted anew
    again = await client.put(path, json=full, headers={**a.provider, "If-Match": submitted.headers["etag"]})
    assert again.json()["status"] == "draft" and again.headers["etag"] == '"4"'
    # invalid input lists every problem at once
    bad = await client.put(
        path,
        json={
            "approach": "c",
            "activities": [
                {"description": "x", "goalIds": [str(case.goal_ids[0])]},
                {"description": "y", "goalIds": [mental], "subcontractId": str(uuid.uuid4())},
            ],
        },
        headers={**a.provider, "If-Match": '"4"'},
    )
    assert bad.status_code == 400
    assert [p["code"] for p in bad.json()["invalidParams"]] == ["goal_not_in_scope", "unknown_subcontract"]


async def test_consent_withdrawn_before_acceptance(
    client: httpx.AsyncClient, session: AsyncSession, ref: Reference, auth: Auth
) -> None:
    case, a, eid = await engagement_at("requested", client, session, ref, auth)
    await session.execute(
        update(Consent)
        .where(Consent.id == case.consent_ids[ref.providers[0]])
        .values(withdrawn_at=Consent.granted_at)
    )
    await session.commit()
    conflict(await client.post(f"/engagements/{eid}/accept", headers=a.provider), "consent_required")
    # declining stays possible
    declined = await client.post(
        f"/engagements/{eid}/decline",
        json={"reasonCode": "05", "reason": "Geen toestemming."},
        headers=a.provider,
    )
    assert declined.status_code == 200 and declined.json()["view"] == "restricted"


async def test_handoff_conflicts(
    client: httpx.AsyncClient, session: AsyncSession, ref: Reference, auth: Auth
) -> None:
    case = await build_case(session, ref)
    a = actors(auth, ref, case)
    raised = await raise_handoff(
        client, a.team, "Huisuitzetting dreigt.", "crisis", "housing", planId=str(case.plan_id)
    )
    assert raised.status_code == 201
    hid = raised.json()["id"]
    assert (
        conflict(await client.post(f"/handoffs/{hid}/start", headers=a.team), "invalid_transition")[
            "currentStatus"
        ]
        == "open"
    )
    body = conflict(
        await client.post(f"/handoffs/{hid}/resolve", json={"resolution": "x"}, headers=a.team),
        "invalid_transition",
    )
    assert "'open'" in str(body["detail"])
    assert (
        await client.post(f"/handoffs/{hid}/decline", json={"reason": "Al bekend bij wonen."}, headers=a.team)
    ).status_code == 200
    assert (
        conflict(await client.post(f"/handoffs/{hid}/acknowledge", headers=a.team), "invalid_transition")[
            "currentStatus"
        ]
        == "declined"
    )
    # no handoffs on a closed plan
    await session.execute(update(Plan).where(Plan.id == case.plan_id).values(status="closed"))
    await session.commit()
    body = conflict(
        await client.post(
            "/handoffs",
            json={"planId": str(case.plan_id), "domainCode": "housing", "need": "x", "urgency": "routine"},
            headers=a.team,
        ),
        "plan_not_open",
    )
    assert body["currentStatus"] == "closed"
