"""Evaluation (final domain scores) and closing; withdrawing an agreed plan."""

from sqlalchemy import select

from app.models.core import OutboxEvent
from app.models.families import Family
from app.models.plans import Plan, PlanAssessment
from app.models.referrals import Referral
from tests.support.families import (
    DOMAINS,
    agreed_plan,
    engagement_row,
    member_of,
    pro,
    revised_support_profile,
    support_profile,
    team_referral,
)

SCORED = [d for d in DOMAINS if d != "justice"]  # the helpers mark 'justice' not relevant


def _scores(codes: list[str], score: int = 4) -> list[dict]:
    return [{"domainCode": code, "finalScore": score} for code in codes]


async def test_evaluate_and_close_an_agreed_plan_without_engagements(client, auth, ref, session) -> None:
    family, plan, version = await agreed_plan(client, auth, ref)
    team = pro(auth, ref)
    path = f"/plans/{plan['id']}"
    early = await client.post(f"{path}/close", headers={**team, "If-Match": f'"{version}"'})
    assert (early.status_code, early.json()["code"]) == (409, "evaluation_required")
    bad = await client.post(
        f"{path}/evaluation",
        json={
            "scores": _scores(["finances", "justice", "finances"]),
            "goals": [{"goalId": plan["id"], "status": "achieved"}],
        },
        headers={**team, "If-Match": f'"{version}"'},
    )
    assert bad.status_code == 400
    found = {(p["name"], p["code"]) for p in bad.json()["invalidParams"]}
    assert found == {
        ("scores.1.domainCode", "not_assessed"),
        ("scores.2.domainCode", "duplicate"),
        ("scores", "missing_scores"),
        ("goals.0.goalId", "unknown_goal"),
    }
    finals = (await session.execute(select(PlanAssessment.final_score))).scalars().all()
    assert set(finals) == {None}
    by_family = await client.post(
        f"{path}/evaluation",
        json={"scores": _scores(SCORED)},
        headers={**member_of(auth, family), "If-Match": f'"{version}"'},
    )
    assert by_family.status_code == 403
    goal_id = (await client.get(path, headers=team)).json()["goals"][0]["id"]
    evaluated = await client.post(
        f"{path}/evaluation",
        json={"scores": _scores(SCORED), "goals": [{"goalId": goal_id, "status": "partly_achieved"}]},
        headers={**team, "If-Match": f'"{version}"'},
    )
    assert evaluated.status_code == 200, evaluated.text
    version = int(evaluated.headers["ETag"].strip('"'))
    assert evaluated.json()["evaluatedAt"] is not None
    body = (await client.get(path, headers=team)).json()
    assert {a["domainCode"]: a["finalScore"] for a in body["assessments"]} == {
        **{code: 4 for code in SCORED},
        "justice": None,
    }
    assert body["goals"][0]["status"] == "partly_achieved"
    closed = await client.post(f"{path}/close", headers={**team, "If-Match": f'"{version}"'})
    assert closed.status_code == 200
    assert (closed.json()["status"], closed.headers["ETag"]) == ("closed", f'"{version + 1}"')
    assert (await session.get(Family, family["id"])).care_ended_at is not None
    last = (
        await session.execute(select(OutboxEvent).order_by(OutboxEvent.sequence.desc()).limit(1))
    ).scalar_one()
    assert (last.type, last.data["status"]) == ("nl.perspectief.plan.closed", "closed")
    again = await client.post(f"{path}/close", headers={**team, "If-Match": f'"{version + 1}"'})
    assert (again.status_code, again.json()["code"]) == (409, "invalid_transition")
    # a closed plan is not open: the family may start a new one
    assert (await client.post(f"/families/{family['id']}/plans", headers=team)).status_code == 201


async def test_evaluation_waits_for_the_engagements(client, auth, ref, session) -> None:
    family, plan, version = await agreed_plan(client, auth, ref)
    profile = await revised_support_profile(client, auth, ref, family, plan["id"], version)
    team = pro(auth, ref)
    path = f"/plans/{plan['id']}"
    # agree the revision that added the profile
    version = int((await client.get(path, headers=team)).headers["ETag"].strip('"'))
    await client.post(f"{path}/signatures", headers={**team, "If-Match": f'"{version}"'})
    await client.post(f"{path}/signatures", headers={**member_of(auth, family), "If-Match": f'"{version}"'})
    engagement_id = await engagement_row(session, family, plan["id"], profile, ref.providers[0], "started")
    stored = await session.get(Plan, plan["id"])
    stored.status = "active"
    await session.commit()
    response = await client.post(
        f"{path}/evaluation", json={"scores": _scores(SCORED)}, headers={**team, "If-Match": f'"{version}"'}
    )
    assert (response.status_code, response.json()["code"]) == (409, "invalid_transition")
    withdraw = await client.post(f"{path}/withdraw", headers={**team, "If-Match": f'"{version}"'})
    assert (withdraw.status_code, withdraw.json()["code"]) == (409, "invalid_transition")
    # the engagement side closes the engagement and moves the plan to evaluating
    from app.models.engagements import Engagement

    engagement = await session.get(Engagement, engagement_id)
    engagement.status = "closed"
    stored = await session.get(Plan, plan["id"])
    stored.status = "evaluating"
    await session.commit()
    response = await client.post(
        f"{path}/evaluation",
        json={"scores": _scores(SCORED, 5)},
        headers={**team, "If-Match": f'"{version}"'},
    )
    assert response.status_code == 200
    closed = await client.post(f"{path}/close", headers={**team, "If-Match": response.headers["ETag"]})
    assert closed.json()["status"] == "closed"


async def test_withdrawing_an_agreed_plan_frees_its_referrals(client, auth, ref, session) -> None:
    family, plan, version = await agreed_plan(client, auth, ref)
    team = pro(auth, ref)
    child = next(m for m in family["members"] if m["role"] == "child")
    referral = await client.post(
        "/referrals", json=team_referral(child["id"], reason="Gedrag thuis."), headers=team
    )
    assert referral.status_code == 201
    path = f"/plans/{plan['id']}"
    revision = await client.post(f"{path}/revisions", headers={**team, "If-Match": f'"{version}"'})
    version = int(revision.headers["ETag"].strip('"'))
    profile = await client.post(
        f"{path}/support-profiles",
        json=support_profile(child["id"], "P03", "I2", "Driftbuien.", referral.json()["id"]),
        headers={**team, "If-Match": f'"{version}"'},
    )
    assert profile.status_code == 201
    assert (await session.get(Referral, referral.json()["id"])).status == "in_use"
    version += 1
    # a requested engagement blocks the withdrawal
    engagement_id = await engagement_row(
        session, family, plan["id"], profile.json(), ref.providers[0], "requested"
    )
    blocked = await client.post(f"{path}/withdraw", headers={**team, "If-Match": f'"{version}"'})
    assert (blocked.status_code, blocked.json()["code"]) == (409, "open_engagements")
    from app.models.engagements import Engagement

    (await session.get(Engagement, engagement_id)).status = "withdrawn"
    await session.commit()
    done = await client.post(f"{path}/withdraw", headers={**team, "If-Match": f'"{version}"'})
    assert done.status_code == 200
    assert done.json()["status"] == "withdrawn"
    session.expire_all()
    assert (await session.get(Referral, referral.json()["id"])).status == "open"
