"""The case-review queue: flags, pseudonyms for officers, full cases for the own team, decisions."""

import re
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from app.models.core import AuditEvent
from app.models.engagements import Handoff, TreatmentPlan
from tests.support.generators import Builder

TODAY = date.today()


def _years_ago(years: int, plus_days: int) -> date:
    return date(TODAY.year - years, TODAY.month, min(TODAY.day, 28)) + timedelta(days=plus_days)


async def _arrange(session, ref):
    """One subject per flag in team 1, one in team 2, and near misses that raise no flag."""
    b = Builder(session, ref)
    d1, d2 = ref.districts["GM0363"]
    cases = {}
    # past expected end (team 2)
    rows = await b.family(d2, names=("Fenna", "Kuipers", "Ravi"))
    e = await b.engagement(rows, start=TODAY - timedelta(days=100))
    session.add(
        TreatmentPlan(
            engagement_id=e.id,
            municipality_code="GM0363",
            approach="x",
            expected_end_date=TODAY - timedelta(days=3),
            status="submitted",
        )
    )
    cases["past_expected_end"] = e.id
    near = await b.engagement(await b.family(d2), start=TODAY - timedelta(days=10))
    session.add(
        TreatmentPlan(
            engagement_id=near.id,
            municipality_code="GM0363",
            approach="x",
            expected_end_date=TODAY + timedelta(days=30),
            status="submitted",
        )
    )
    # overdue handoff (team 1)
    rows = await b.family(d1, names=("Ilse", "Brouwer", "Mats"))
    for due, status in [(-1, "open"), (-1, "acknowledged"), (2, "open")]:
        h = Handoff(
            municipality_code="GM0363",
            family_id=rows.family.id,
            plan_id=rows.plan.id,
            domain_code="finances",
            need="schulden",
            urgency="urgent",
            raised_by="t",
            raised_by_role="provider_staff",
            status=status,
            due_at=datetime.now(UTC) + timedelta(days=due),
        )
        session.add(h)
        await session.flush()
        cases.setdefault("overdue_handoff", h.id)
    # declined by three providers (team 1); two declines elsewhere; three declines but care found
    rows = await b.family(d1, names=("Jet", "de Boer", "Noud"))
    first = None
    for i, provider in enumerate(ref.providers):
        declined = await b.engagement(
            rows, provider=provider, profile="P05", status="declined", requested=date(2026, 1, 5 + i)
        )
        first = first or declined.plan_support_profile_id
    cases["declined_by_providers"] = first
    twice = await b.family(d1)
    for provider in ref.providers[:2]:
        await b.engagement(twice, provider=provider, profile="P05", status="declined")
    helped = await b.family(d1)
    for provider in ref.providers:
        await b.engagement(helped, provider=provider, profile="P05", status="declined")
    await b.engagement(helped, provider=ref.uncontracted_provider, profile="P05", status="started")
    # waiting more than 8 weeks (team 1); a 4-week wait is fine
    rows = await b.family(d1, names=("Roos", "Hendriks", "Lotte"))
    cases["waiting_over_8_weeks"] = (
        await b.engagement(rows, status="requested", requested=TODAY - timedelta(days=60), start=None)
    ).id
    await b.engagement(
        await b.family(d1), status="accepted", requested=TODAY - timedelta(days=28), start=None
    )
    # turning 18 within 6 months (team 1); 8 months away is not yet
    rows = await b.family(d1, child_birth=_years_ago(18, 60), names=("Mila", "Vos", "Bram"))
    cases["turning_18"] = (await b.engagement(rows, start=TODAY - timedelta(days=20))).id
    later = await b.family(d1, child_birth=_years_ago(18, 240))
    await b.engagement(later, start=TODAY - timedelta(days=20))
    await session.commit()
    return cases


async def test_queue_is_pseudonymous_for_officers(client, auth, session, ref):
    cases = await _arrange(session, ref)
    r = await client.get("/case-reviews", headers=auth("municipality_officer"))
    assert r.status_code == 200
    items = r.json()["items"]
    assert sorted(i["flag"] for i in items) == sorted(cases)
    assert all(re.fullmatch(r"CR-[0-9A-F]{12}", i["pseudonym"]) for i in items)
    assert all(i["case"] is None for i in items)
    text = r.text
    for name in ("Ravi", "Kuipers", "Brouwer", "de Boer", "Hendriks", "Vos", "Mila"):
        assert name not in text
    for subject in cases.values():
        assert str(subject) not in text
    again = (await client.get("/case-reviews", headers=auth("municipality_officer"))).json()["items"]
    assert {i["pseudonym"] for i in again} == {i["pseudonym"] for i in items}


async def test_team_sees_its_own_cases_in_full(client, auth, session, ref):
    cases = await _arrange(session, ref)
    team1 = auth("district_professional", team=ref.teams["GM0363"])
    items = (await client.get("/case-reviews", headers=team1)).json()["items"]
    assert sorted(i["flag"] for i in items) == sorted(set(cases) - {"past_expected_end"})
    by_flag = {i["flag"]: i for i in items}
    eighteen = by_flag["turning_18"]["case"]
    assert eighteen["subjectType"] == "engagement" and eighteen["subjectId"] == str(cases["turning_18"])
    assert {m["givenName"] for m in eighteen["members"]} == {"Mila", "Bram"}
    assert by_flag["declined_by_providers"]["case"]["subjectId"] == str(cases["declined_by_providers"])
    assert by_flag["overdue_handoff"]["case"]["subjectType"] == "handoff"
    team2 = auth("district_professional", team=ref.second_team)
    only = (await client.get("/case-reviews", headers=team2)).json()["items"]
    assert [i["flag"] for i in only] == ["past_expected_end"]
    assert {m["familyName"] for m in only[0]["case"]["members"]} == {"Kuipers"}
    reads = await session.scalar(
        select(func.count()).where(AuditEvent.resource_type == "case-review", AuditEvent.action == "read")
    )
    assert reads == len(items) + 1
    assert (await client.get("/case-reviews", headers=auth("gp", agb="01234567"))).status_code == 403


async def test_decisions(client, auth, session, ref):
    await _arrange(session, ref)
    team1 = auth("district_professional", team=ref.teams["GM0363"])
    officer = auth("municipality_officer")
    items = (await client.get("/case-reviews", headers=team1)).json()["items"]
    review = next(i for i in items if i["flag"] == "waiting_over_8_weeks")
    r = await client.post(
        f"/case-reviews/{review['id']}/decisions",
        json={"decision": "switch_provider", "note": "Roos wacht te lang"},
        headers=team1,
    )
    assert r.status_code == 201 and r.json()["note"] == "Roos wacht te lang"
    seen = (await client.get(f"/case-reviews/{review['id']}", headers=officer)).json()
    assert seen["status"] == "decided"
    assert seen["decisions"] == [
        {
            "id": r.json()["id"],
            "decision": "switch_provider",
            "note": None,
            "decidedByRole": "district_professional",
            "decidedAt": r.json()["decidedAt"],
        }
    ]
    assert "Roos" not in (await client.get("/case-reviews", headers=officer)).text
    officer_decision = await client.post(
        f"/case-reviews/{review['id']}/decisions", json={"decision": "escalate"}, headers=officer
    )
    assert (
        officer_decision.status_code == 201
        and officer_decision.json()["decidedByRole"] == "municipality_officer"
    )
    team2 = auth("district_professional", team=ref.second_team)
    hidden = await client.post(
        f"/case-reviews/{review['id']}/decisions", json={"decision": "no_action"}, headers=team2
    )
    assert hidden.status_code == 404
    other = auth("municipality_officer", municipality="GM0599")
    assert (await client.get(f"/case-reviews/{review['id']}", headers=other)).status_code == 404
    bad = await client.post(
        f"/case-reviews/{review['id']}/decisions", json={"decision": "shrug"}, headers=officer
    )
    assert bad.status_code == 400


async def test_flag_that_no_longer_holds_is_resolved(client, auth, session, ref):
    cases = await _arrange(session, ref)
    officer = auth("municipality_officer")
    await client.get("/case-reviews", headers=officer)
    from app.models.engagements import Engagement

    waiting = await session.get(Engagement, cases["waiting_over_8_weeks"])
    waiting.status, waiting.start_date = "started", TODAY
    await session.commit()
    items = (
        await client.get("/case-reviews", params={"flag": "waiting_over_8_weeks"}, headers=officer)
    ).json()
    assert [i["status"] for i in items["items"]] == ["resolved"]
    still = (await client.get("/case-reviews", params={"status": "open"}, headers=officer)).json()["items"]
    assert len(still) == len(cases) - 1
