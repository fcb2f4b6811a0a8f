"""Normal, dropout and premature endings; the plan's way to `evaluating`; consent withdrawal."""

from collections.abc import Callable
from datetime import date

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.money import PaymentLine
from app.models.plans import Plan, PlanAssessment
from tests.support.engagements import (
    closure_body,
    engagement_at,
    raise_handoff,
    request,
    subcontract_second_provider,
)
from tests.support.factories import Reference

Auth = Callable[..., dict[str, str]]


@pytest.mark.parametrize(
    ("reason", "dropout", "premature", "completion_paid"),
    [
        ("31", False, False, True),  # according to plan
        ("32", True, False, False),  # one-sided by the client: dropout, no completion part
        ("33", True, False, False),  # one-sided by the provider: dropout
        ("34", False, True, None),  # by agreement: counted apart (paid pro rata by the ledger's rules)
        ("35", False, True, None),  # external circumstances: counted apart
    ],
)
async def test_endings(
    client: httpx.AsyncClient,
    session: AsyncSession,
    ref: Reference,
    auth: Auth,
    reason: str,
    dropout: bool,
    premature: bool,
    completion_paid: bool | None,
) -> None:
    case, a, eid = await engagement_at("started", client, session, ref, auth)
    closed = await client.post(
        f"/engagements/{eid}/close",
        json=closure_body(case.goal_ids[1:], [-1, -2], reason),
        headers=a.provider,
    )
    assert closed.status_code == 200, closed.text
    result = closed.json()["outcome"]
    assert (result["endReason"], result["dropout"], result["prematureByAgreement"]) == (
        reason,
        dropout,
        premature,
    )
    assert (result["goalsAchieved"], result["goalsPartlyAchieved"], result["goalAttainmentShare"]) == (
        0,
        1,
        0.5,
    )
    assert result["gasTScore"] == round(50 + 10 * -3 / (0.7 * 2 + 0.3 * 4) ** 0.5, 2)
    kinds = (await session.scalars(select(PaymentLine.kind).where(PaymentLine.engagement_id == eid))).all()
    if completion_paid is not None:
        assert ("completion" in kinds) is completion_paid
    plan = await session.get(Plan, case.plan_id, populate_existing=True)
    assert plan is not None and plan.status == "evaluating"


async def test_plan_evaluates_only_when_every_engagement_has_ended(
    client: httpx.AsyncClient, session: AsyncSession, ref: Reference, auth: Auth
) -> None:
    case, a, first = await engagement_at("started", client, session, ref, auth)
    second = (await request(client, a.team, case, ref.providers[0], memberId=str(case.youth_id))).json()["id"]
    closed = await client.post(
        f"/engagements/{first}/close", json=closure_body(case.goal_ids[1:], [1, 1]), headers=a.provider
    )
    assert closed.status_code == 200
    plan = await session.get(Plan, case.plan_id, populate_existing=True)
    assert plan is not None and plan.status == "active" and plan.version == 4  # the youth's request is open
    assert (await client.post(f"/engagements/{second}/withdraw", headers=a.family)).status_code == 200
    plan = await session.get(Plan, case.plan_id, populate_existing=True)
    assert plan is not None and plan.status == "evaluating" and plan.version == 5

    # with final domain scores recorded, the outcome shows the change in self-reliance
    await session.execute(
        update(PlanAssessment)
        .where(
            PlanAssessment.plan_id == case.plan_id,
            PlanAssessment.domain_code.in_(["finances", "mental_health"]),
        )
        .values(final_score=4)
    )
    await session.commit()
    view = (await client.get(f"/engagements/{first}", headers=a.family)).json()
    assert view["outcome"]["selfRelianceChange"] == {
        "domainsCompared": 2,
        "meanChange": 2.0,
        "domainsImproved": 2,
        "domainsWorsened": 0,
    }


async def test_a_declined_only_plan_does_not_evaluate(
    client: httpx.AsyncClient, session: AsyncSession, ref: Reference, auth: Auth
) -> None:
    case, a, eid = await engagement_at("requested", client, session, ref, auth)
    declined = await client.post(
        f"/engagements/{eid}/decline",
        json={"reasonCode": "01", "reason": "Wachtlijst vol."},
        headers=a.provider,
    )
    assert declined.status_code == 200
    assert (
        declined.json()["declineReasonCode"] == "01" and declined.json()["declineReason"] == "Wachtlijst vol."
    )
    plan = await session.get(Plan, case.plan_id, populate_existing=True)
    assert plan is not None and plan.status == "agreed" and plan.version == 3


async def test_consent_withdrawal_hides_the_case_from_the_provider_at_once(
    client: httpx.AsyncClient, session: AsyncSession, ref: Reference, auth: Auth
) -> None:
    case, a, eid = await engagement_at("started", client, session, ref, auth)
    await subcontract_second_provider(client, a.provider, eid, ref, scope="Training", start=date(2026, 1, 1))
    await client.put(
        f"/engagements/{eid}/treatment-plan",
        json={
            "approach": "Gezinstherapie.",
            "activities": [{"description": "Gesprekken", "goalIds": [str(case.goal_ids[1])]}],
        },
        headers=a.provider,
    )
    raised = await raise_handoff(client, a.provider, engagementId=eid)
    assert raised.status_code == 201
    before = (await client.get(f"/engagements/{eid}", headers=a.provider)).json()
    assert (
        before["view"] == "full" and before["child"]["givenName"] == "Sam" and before["consentActive"] is True
    )
    assert (await client.get(f"/engagements/{eid}", headers=a.sub)).status_code == 200

    withdrawn = await client.delete(
        f"/families/{case.family_id}/consents/{case.consent_ids[ref.providers[0]]}", headers=a.family
    )
    assert withdrawn.status_code == 204

    after = await client.get(f"/engagements/{eid}", headers=a.provider)
    assert after.status_code == 200
    view = after.json()
    assert view["view"] == "restricted" and view["consentActive"] is False
    assert view["child"] is None and view["choiceReason"] is None and view["subcontracts"] is None
    assert all(g["description"] is None for g in view["goals"])
    assert "Sam" not in after.text and "Doel" not in after.text
    treatment = (await client.get(f"/engagements/{eid}/treatment-plan", headers=a.provider)).json()
    assert treatment["approach"] is None and treatment["activities"][0]["description"] is None
    assert (await client.get(f"/plans/{case.plan_id}", headers=a.provider)).status_code == 404
    assert (await client.get(f"/engagements/{eid}/progress-reports", headers=a.provider)).json()["code"] == (
        "consent_required"
    )
    assert (await client.get("/handoffs", headers=a.provider)).json()["items"] == []
    assert (await client.get(f"/engagements/{eid}", headers=a.sub)).status_code == 404
    put = await client.put(
        f"/engagements/{eid}/treatment-plan",
        json={"approach": "x", "activities": []},
        headers={**a.provider, "If-Match": '"1"'},
    )
    assert put.status_code == 409 and put.json()["code"] == "consent_required"
    # the trajectory can still be ended and paid
    closed = await client.post(
        f"/engagements/{eid}/close", json=closure_body(case.goal_ids[1:], [0, 0], "32"), headers=a.provider
    )
    assert closed.status_code == 200 and closed.json()["view"] == "restricted"
