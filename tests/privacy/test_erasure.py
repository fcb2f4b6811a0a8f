"""Erasure on request: who may ask, when it must wait, and that nothing personal is left."""

import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy import text

from tests.support.builders import add_engagement, build_case, nl_today
from tests.support.privacy import MARKER, planted_family, scan


def _ask(case: Any, requester: uuid.UUID, member: uuid.UUID | None = None) -> dict[str, Any]:
    body = {
        "familyId": str(case.family_id),
        "requestedByMemberId": str(requester),
        "reason": "Verzoek art. 17",
    }
    if member is not None:
        body["memberId"] = str(member)
    return body


async def test_erasure_leaves_no_personal_data_anywhere(client, auth, ref, session, app) -> None:
    planted = await planted_family(client, session, ref, auth)
    before = await scan(app.state.engine, planted.needles())
    # planted everywhere the service keeps such data (the check that the scan can find it)
    assert {
        "family_members",
        "plans",
        "plan_assessments",
        "goals",
        "plan_support_profiles",
        "referrals",
        "plan_versions",
        "engagements",
        "subcontracts",
        "treatment_plans",
        "treatment_activities",
        "handoffs",
        "progress_reports",
        "experience_surveys",
        "payment_lines",
        "idempotency_keys",
        "ijw_messages",
        "ijw_allocation_requests",
    } <= set(before)

    admin = auth("admin", sub="privacy-officer")
    r = await client.post("/erasure-requests", json=_ask(planted.case, planted.case.parent_id), headers=admin)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["status"] == "completed" and body["refusalCode"] is None
    assert r.headers["location"] == f"/api/v1/erasure-requests/{body['id']}"

    assert await scan(app.state.engine, planted.needles()) == {}
    async with app.state.engine.connect() as conn:
        members = (
            await conn.execute(
                text(
                    "SELECT birth_date, active FROM family_members WHERE family_id = :f ORDER BY birth_date"
                ),
                {"f": planted.case.family_id},
            )
        ).all()
        status = (
            await conn.execute(
                text("SELECT status FROM families WHERE id = :f"), {"f": planted.case.family_id}
            )
        ).scalar()
    assert [m.birth_date for m in members] == [date(1983, 1, 1), date(2009, 1, 1), date(2011, 1, 1)]
    assert not any(m.active for m in members) and status == "anonymised"

    # the decision is on record and audited
    got = await client.get(f"/erasure-requests/{body['id']}", headers=admin)
    assert got.status_code == 200 and got.json()["status"] == "completed"
    trail = (await client.get(f"/audit-events?familyId={planted.case.family_id}", headers=admin)).json()
    assert {(e["action"], e["resourceType"], e["subject"]) for e in trail["items"]} >= {
        ("delete", "family", "privacy-officer"),
        ("create", "erasure-request", "privacy-officer"),
    }
    # the family's plan still reads (texts emptied), and so does its frozen version
    team = auth("district_professional", team=planted.case.team_id)
    plan = await client.get(f"/plans/{planted.case.plan_id}", headers=team)
    assert plan.status_code == 200 and MARKER not in plan.text
    version = await client.get(f"/plans/{planted.case.plan_id}/versions/3", headers=team)
    assert version.status_code == 200, version.text


async def test_member_erasure_touches_only_that_member(client, auth, ref, session, app) -> None:
    case = await build_case(session, ref, youth_birth_date=nl_today() - timedelta(days=365 * 13))
    await session.execute(
        text("UPDATE goals SET description = 'Qzx eigen doel' WHERE member_id = :m"), {"m": case.child_id}
    )
    await session.commit()
    admin = auth("admin")
    r = await client.post("/erasure-requests", json=_ask(case, case.youth_id, case.youth_id), headers=admin)
    assert r.status_code == 201, r.text
    async with app.state.engine.connect() as conn:
        names = dict(
            (
                await conn.execute(
                    text("SELECT id, given_name FROM family_members WHERE family_id = :f"),
                    {"f": case.family_id},
                )
            ).all()
        )
    assert names[case.youth_id] == "" and names[case.child_id] == "Sam" and names[case.parent_id] == "Noor"
    assert "goals" in await scan(app.state.engine, ["Qzx eigen doel"])  # another member's text stays


async def test_who_may_ask(client, auth, ref, session) -> None:
    young = nl_today() - timedelta(days=365 * 10)
    case = await build_case(
        session, ref, child_birth_date=young, youth_birth_date=nl_today() - timedelta(days=365 * 14)
    )
    other = await build_case(session, ref)
    admin = auth("admin")
    cases = [
        (_ask(case, case.child_id, case.child_id), "requester_under_12"),
        (_ask(case, case.youth_id), "requester_not_entitled"),  # a child asks for the whole family
        (_ask(case, case.youth_id, case.child_id), "requester_not_entitled"),  # ...or for a sibling
        (_ask(case, other.parent_id), "requester_not_in_family"),
        (_ask(case, uuid.uuid4()), "requester_not_in_family"),
    ]
    for body, code in cases:
        r = await client.post("/erasure-requests", json=body, headers=admin)
        assert r.status_code == 409, r.text
        problem = r.json()
        assert problem["code"] == code
        # the refusal is on record with its code
        recorded = await client.get(problem["erasureRequest"].removeprefix("/api/v1"), headers=admin)
        assert recorded.json()["status"] == "refused" and recorded.json()["refusalCode"] == code
    await session.execute(
        text("UPDATE family_members SET role = 'other' WHERE id = :m"), {"m": case.parent_id}
    )
    await session.commit()
    r = await client.post("/erasure-requests", json=_ask(case, case.parent_id), headers=admin)
    assert r.json()["code"] == "requester_not_entitled"


async def test_erasure_waits_for_running_care_and_unpaid_money(client, auth, ref, session) -> None:
    case = await build_case(session, ref)
    engagement = await add_engagement(
        session, case, ref.providers[0], status="started", start_date=nl_today()
    )
    admin = auth("admin")
    r = await client.post("/erasure-requests", json=_ask(case, case.parent_id), headers=admin)
    assert (r.status_code, r.json()["code"]) == (409, "engagement_running")
    await session.execute(
        text(
            "UPDATE engagements SET status = 'closed', end_date = start_date, end_reason = '31' WHERE id = :e"
        ),
        {"e": engagement.id},
    )
    await session.execute(
        text(
            "INSERT INTO payment_lines (id, municipality_code, engagement_id, contract_id, provider_id, kind,"
            " amount_cents, due_date, period, status, created_at)"
            " VALUES (gen_random_uuid(), 'GM0363', :e, :c, :p, 'start', 100, current_date,"
            " to_char(current_date, 'YYYY-MM'), 'exported', now())"
        ),
        {"e": engagement.id, "c": ref.contracts[ref.providers[0]], "p": ref.providers[0]},
    )
    await session.commit()
    r = await client.post("/erasure-requests", json=_ask(case, case.parent_id), headers=admin)
    assert (r.status_code, r.json()["code"]) == (409, "payment_unsettled")
    await session.execute(text("UPDATE payment_lines SET status = 'paid'"))
    await session.commit()
    r = await client.post("/erasure-requests", json=_ask(case, case.parent_id), headers=admin)
    assert r.status_code == 201, r.text


async def test_erasure_is_the_admins_and_confined_to_its_municipality(client, auth, ref, session) -> None:
    case = await build_case(session, ref)
    body = _ask(case, case.parent_id)
    team = auth("district_professional", team=case.team_id)
    assert (await client.post("/erasure-requests", json=body, headers=team)).status_code == 403
    elsewhere = auth("admin", municipality="GM0599")
    assert (await client.post("/erasure-requests", json=body, headers=elsewhere)).status_code == 404
    unknown_member = {**body, "memberId": str(uuid.uuid4())}
    assert (
        await client.post("/erasure-requests", json=unknown_member, headers=auth("admin"))
    ).status_code == 404
    bad = await client.post("/erasure-requests", json={"familyId": "x", "reason": ""}, headers=auth("admin"))
    assert bad.status_code == 400
    assert {p["name"] for p in bad.json()["invalidParams"]} >= {"familyId", "requestedByMemberId", "reason"}
    other = await client.get(f"/erasure-requests/{uuid.uuid4()}", headers=auth("admin"))
    assert other.status_code == 404
