"""The provider's side end to end, over HTTP with real tokens.

options → the family chooses → request → the provider accepts → starts → treatment plan with a
subcontractor → a handoff for debts, acknowledged and resolved by the team → progress → close
with GAS → experience surveys → the outcome on the engagement → the plan is evaluating.
"""

import math
from collections.abc import Callable
from datetime import datetime, timedelta

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.demo.catalogue import REGIONAL_TARIFF_CENTS
from app.models.core import AuditEvent
from app.models.money import PaymentLine
from app.models.plans import Plan
from tests.support.builders import add_started, build_case, nl_today
from tests.support.engagements import consented_case, event_types, raise_handoff, subcontract_second_provider
from tests.support.factories import Reference


async def test_the_provider_side_from_options_to_outcome(
    client: httpx.AsyncClient, session: AsyncSession, ref: Reference, auth: Callable[..., dict[str, str]]
) -> None:
    main, sub_provider, third = ref.providers
    case, a = await consented_case(session, ref, auth)
    # history elsewhere in the region: waiting 12 days at the main provider, 5 at the second one;
    # the second provider has one running engagement under its contract
    other = await build_case(session, ref, municipality="GM0599")
    today = nl_today()
    await add_started(session, other, main, 12, today - timedelta(days=8))
    await add_started(
        session,
        other,
        sub_provider,
        5,
        today - timedelta(days=10),
        contract_id=ref.contracts[sub_provider],
        member_id=other.youth_id,
    )

    # 1. the options for the child's profile P03 × I2, shortest wait first
    options = await client.get(
        f"/plans/{case.plan_id}/provider-options", params={"memberId": str(case.child_id)}, headers=a.family
    )
    assert options.status_code == 200, options.text
    rows = options.json()
    assert [r["providerId"] for r in rows] == [str(sub_provider), str(main), str(third)]
    assert [r["waitingDays"] for r in rows] == [5, 12, None]
    assert {r["tariffCents"] for r in rows} == {REGIONAL_TARIFF_CENTS["I2"]}
    assert [r["freeCapacity"] for r in rows] == [49, 50, 50]
    assert rows[1]["contractId"] == str(ref.contracts[main])

    # 2. the family chooses the main provider (it consented to share the plan with it)
    created = await client.post(
        "/engagements",
        json={
            "planId": str(case.plan_id),
            "memberId": str(case.child_id),
            "providerId": str(main),
            "choiceReason": "Dichtbij huis, en de gezinstherapeut spreekt Turks.",
        },
        headers=a.family,
    )
    assert created.status_code == 201, created.text
    engagement = created.json()
    eid = engagement["id"]
    assert created.headers["location"] == f"/api/v1/engagements/{eid}"
    assert engagement["status"] == "requested"
    assert engagement["assignmentNumber"] is None
    assert [g["goalId"] for g in engagement["goals"]] == [str(g) for g in case.goal_ids[1:]]
    assert engagement["flags"]["requestUnanswered"] is False

    # 3. the provider's inbox shows the request with the child
    inbox = await client.get("/engagements", params={"status": "requested"}, headers=a.provider)
    assert inbox.status_code == 200
    [item] = inbox.json()["items"]
    assert item["id"] == eid and item["view"] == "full"
    assert item["child"]["givenName"] == "Sam"

    # 4. accept: assignment number, frozen tariff, contract and payment model
    accepted = await client.post(f"/engagements/{eid}/accept", headers=a.provider)
    assert accepted.status_code == 200, accepted.text
    body = accepted.json()
    assert body["status"] == "accepted"
    assert len(body["assignmentNumber"]) == 8 and body["assignmentNumber"].isdigit()
    assert body["tariffCents"] == REGIONAL_TARIFF_CENTS["I2"]
    assert body["contractId"] == str(ref.contracts[main])
    assert body["paymentModel"] == "milestone" and body["startSharePercent"] == 70

    # 5. start: the plan becomes active and the start payment is scheduled
    started = await client.post(
        f"/engagements/{eid}/start", json={"startDate": today.isoformat()}, headers=a.provider
    )
    assert started.status_code == 200, started.text
    assert started.json()["startDate"] == today.isoformat()
    plan = await session.get(Plan, case.plan_id, populate_existing=True)
    assert (
        plan is not None and plan.status == "active" and plan.version == 4 and plan.activated_at is not None
    )
    lines = (await session.scalars(select(PaymentLine).where(PaymentLine.engagement_id == eid))).all()
    assert [(line.kind, line.amount_cents) for line in lines] == [
        ("start", REGIONAL_TARIFF_CENTS["I2"] * 70 // 100)
    ]

    # 6. a subcontractor for the parenting part
    subcontract = await subcontract_second_provider(client, a.provider, eid, ref, start=today)
    assert subcontract.status_code == 201, subcontract.text
    assert subcontract.json()["providerId"] == str(sub_provider)
    subcontract_id = subcontract.json()["id"]

    # 7. the treatment plan: a first version misses a goal, so it cannot be submitted
    mental_health, parenting = case.goal_ids[1], case.goal_ids[2]
    talks = {"description": "Gezinsgesprekken", "goalIds": [str(mental_health)], "frequency": "weekly"}

    async def put_treatment_plan(approach: str, activities: list[dict], etag: str | None) -> httpx.Response:
        body = {
            "approach": approach,
            "expectedEndDate": (today + timedelta(days=180)).isoformat(),
            "activities": activities,
        }
        headers = a.provider | ({"If-Match": etag} if etag else {})
        return await client.put(f"/engagements/{eid}/treatment-plan", json=body, headers=headers)

    first = await put_treatment_plan("Systeemtherapie met het gezin.", [talks], None)
    assert first.status_code == 201, first.text
    assert first.headers["etag"] == '"1"'
    refused = await client.post(f"/engagements/{eid}/treatment-plan/submit", headers=a.provider)
    assert refused.status_code == 409
    assert refused.json()["code"] == "goals_not_covered"
    assert refused.json()["uncoveredGoalIds"] == [str(parenting)]
    training = {
        "description": "Oudertraining",
        "goalIds": [str(parenting)],
        "subcontractId": subcontract_id,
        "frequency": "biweekly",
    }
    second = await put_treatment_plan(
        "Systeemtherapie met het gezin, oudertraining door de onderaannemer.",
        [talks, training],
        first.headers["etag"],
    )
    assert second.status_code == 200, second.text
    assert second.headers["etag"] == '"2"'
    submitted = await client.post(f"/engagements/{eid}/treatment-plan/submit", headers=a.provider)
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["status"] == "submitted" and submitted.headers["etag"] == '"3"'
    family_read = await client.get(f"/engagements/{eid}/treatment-plan", headers=a.family)
    assert family_read.status_code == 200
    assert family_read.json()["approach"].startswith("Systeemtherapie")

    # the subcontractor sees the goals and activities of this engagement, nothing else of the family
    sub_view = await client.get(f"/engagements/{eid}", headers=a.sub)
    assert sub_view.status_code == 200
    sv = sub_view.json()
    assert sv["view"] == "subcontractor"
    assert [g["description"] for g in sv["goals"]] == ["Doel mental_health", "Doel parenting"]
    assert [x["description"] for x in sv["activities"]] == ["Gezinsgesprekken", "Oudertraining"]
    assert sv["familyId"] is None and sv["planId"] is None and sv["child"] is None and sv["memberId"] is None
    for secret in ("de Vries", "Sam", str(case.family_id), str(case.plan_id), str(case.child_id), "Turks"):
        assert secret not in sub_view.text

    # 8. a handoff for debts, raised by the provider, routed to debt counselling
    need = "Oplopende schulden, deurwaarder is geweest."
    raised = await raise_handoff(
        client, a.provider, need, "urgent", engagementId=eid, routeTo="debt_counselling"
    )
    assert raised.status_code == 201, raised.text
    handoff = raised.json()
    hid = handoff["id"]
    assert handoff["status"] == "open" and handoff["overdue"] is False
    due = datetime.fromisoformat(handoff["dueAt"]) - datetime.fromisoformat(handoff["createdAt"])
    assert due == timedelta(days=5)
    assert handoff["teamId"] == str(case.team_id) and handoff["planId"] == str(case.plan_id)

    # the team sees it, acknowledges, starts and resolves it
    team_list = await client.get("/handoffs", headers=a.team)
    assert [h["id"] for h in team_list.json()["items"]] == [hid]
    for step, payload in (
        ("acknowledge", None),
        ("start", None),
        ("resolve", {"resolution": "Aangemeld bij schuldhulp."}),
    ):
        moved = await client.post(f"/handoffs/{hid}/{step}", json=payload, headers=a.team)
        assert moved.status_code == 200, (step, moved.text)
    assert moved.json()["status"] == "resolved" and moved.json()["resolution"] == "Aangemeld bij schuldhulp."

    # 9. progress
    progress = await client.post(
        f"/engagements/{eid}/progress-reports",
        json={
            "goals": [
                {"goalId": str(mental_health), "gasScore": 0, "note": "Minder ruzie."},
                {"goalId": str(parenting), "gasScore": -1},
            ],
            "problemReduction": 2,
        },
        headers=a.provider,
    )
    assert progress.status_code == 201, progress.text
    reports = await client.get(f"/engagements/{eid}/progress-reports", headers=a.family)
    assert [r["problemReduction"] for r in reports.json()] == [2]

    # 10. close according to plan, with the final GAS per goal
    closed = await client.post(
        f"/engagements/{eid}/close",
        json={
            "endDate": today.isoformat(),
            "endReason": "31",
            "goals": [
                {"goalId": str(mental_health), "gasScore": 1},
                {"goalId": str(parenting), "gasScore": 0},
            ],
            "problemReduction": 3,
        },
        headers=a.provider,
    )
    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "closed" and closed.json()["endReason"] == "31"
    kinds = (await session.scalars(select(PaymentLine.kind).where(PaymentLine.engagement_id == eid))).all()
    assert sorted(kinds) == ["completion", "start"]

    # 11. experience surveys: a parent and the youth rate the help
    parent_survey = await client.post(
        f"/engagements/{eid}/experience-surveys",
        json={"respondentMemberId": str(case.parent_id), "score": 8, "answers": {"wouldRecommend": True}},
        headers=a.family,
    )
    assert parent_survey.status_code == 201, parent_survey.text
    assert parent_survey.json()["respondentKind"] == "parent"
    youth_survey = await client.post(
        f"/engagements/{eid}/experience-surveys",
        json={"respondentMemberId": str(case.child_id), "score": 7},
        headers=a.youth,
    )
    assert youth_survey.status_code == 201 and youth_survey.json()["respondentKind"] == "youth"

    # 12. the outcome on the engagement
    final = await client.get(f"/engagements/{eid}", headers=a.family)
    assert final.status_code == 200
    outcome = final.json()["outcome"]
    expected_t = round(50 + 10 * 1 / math.sqrt(0.7 * 2 + 0.3 * 4), 2)
    assert outcome == {
        "endReason": "31",
        "dropout": False,
        "prematureByAgreement": False,
        "problemReduction": 3,
        "goalsTotal": 2,
        "goalsAchieved": 2,
        "goalsPartlyAchieved": 0,
        "goalAttainmentShare": 1.0,
        "gasTScore": expected_t,
        "experience": {"parentMean": 8.0, "parentCount": 1, "youthMean": 7.0, "youthCount": 1},
        "selfRelianceChange": None,
    }
    assert expected_t == 56.2
    assert final.json()["treatmentPlan"]["status"] == "submitted"
    assert final.json()["treatmentPlan"]["activityCount"] == 2

    # 13. the plan is evaluating: its only engagement has closed
    plan = await session.get(Plan, case.plan_id, populate_existing=True)
    assert plan is not None and plan.status == "evaluating" and plan.evaluating_at is not None

    # every state change left its event, in order
    assert await event_types(session, eid) == [
        "engagement.requested",
        "engagement.accepted",
        "engagement.started",
        "engagement.closed",
    ]
    assert await event_types(session, hid) == [
        "handoff.raised",
        "handoff.acknowledged",
        "handoff.started",
        "handoff.resolved",
    ]
    assert "treatment-plan.submitted" in await event_types(session)
    # and every access its audit row, on the family's trail
    session.expire_all()
    audited = (
        await session.execute(
            select(AuditEvent.subject, AuditEvent.action, AuditEvent.resource_type).where(
                AuditEvent.family_id == case.family_id
            )
        )
    ).all()
    assert ("sub-staff", "read", "engagement") in audited
    assert ("main-staff", "update", "treatment-plan") in audited
    assert ("pro-1", "update", "handoff") in audited
    assert ("parent-1", "create", "experience-survey") in audited
