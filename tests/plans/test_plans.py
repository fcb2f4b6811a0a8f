"""The plan lifecycle: draft, parts, versions (If-Match), signatures, agreement, snapshots, revisions."""

from typing import Any

from sqlalchemy import func, select

from app.models.core import OutboxEvent
from app.models.plans import Goal, Plan, PlanAssessment, PlanSignature, PlanVersion
from tests.support.families import (
    DOMAINS,
    add_goal,
    agreed_plan,
    assess_all,
    create_family,
    create_plan,
    family_body,
    member_of,
    pro,
    sign,
    years_ago,
)


def etag(response: Any) -> int:
    return int(response.headers["ETag"].strip('"'))


async def _events(session: Any) -> list[str]:
    rows = await session.execute(select(OutboxEvent.type).order_by(OutboxEvent.sequence))
    return [t.removeprefix("nl.perspectief.") for t in rows.scalars()]


async def test_create_plan_and_one_open_plan_per_family(client, auth, ref, session) -> None:
    family = await create_family(client, pro(auth, ref), family_body(ref))
    response = await client.post(
        f"/families/{family['id']}/plans",
        json={"familyVision": "Samen rust in huis."},
        headers=pro(auth, ref),
    )
    assert response.status_code == 201
    plan = response.json()
    assert response.headers["Location"] == f"/api/v1/plans/{plan['id']}"
    assert response.headers["ETag"] == '"1"'
    assert (plan["status"], plan["version"], plan["familyVision"], plan["revisionOpen"]) == (
        "draft",
        1,
        "Samen rust in huis.",
        False,
    )
    second = await client.post(f"/families/{family['id']}/plans", headers=pro(auth, ref))
    assert second.status_code == 409
    assert second.json()["code"] == "open_plan_exists"
    assert second.json()["existing"] == f"/api/v1/plans/{plan['id']}"
    assert (await session.execute(select(func.count()).select_from(Plan))).scalar_one() == 1
    assert await _events(session) == ["family.created", "plan.created"]
    # only the team starts a plan
    assert (
        await client.post(f"/families/{family['id']}/plans", headers=member_of(auth, family))
    ).status_code == 403
    other = pro(auth, ref, team=ref.second_team)
    assert (await client.post(f"/families/{family['id']}/plans", headers=other)).status_code == 404


async def test_if_match_is_required_and_must_be_current(client, auth, ref, session) -> None:
    team = pro(auth, ref)
    family = await create_family(client, team, family_body(ref))
    plan = await create_plan(client, team, family["id"])
    path = f"/plans/{plan['id']}"
    missing = await client.patch(path, json={"summary": "x"}, headers=team)
    assert missing.status_code == 428
    stale = await client.patch(path, json={"summary": "x"}, headers={**team, "If-Match": '"7"'})
    assert stale.status_code == 412
    assert stale.json()["currentVersion"] == 1
    garbage = await client.patch(path, json={"summary": "x"}, headers={**team, "If-Match": "nonsense"})
    assert garbage.status_code == 412
    ok = await client.patch(path, json={"summary": "Overzicht"}, headers={**team, "If-Match": '"1"'})
    assert ok.status_code == 200
    assert ok.headers["ETag"] == '"2"'
    assert ok.json()["summary"] == "Overzicht"
    # every write on the plan's parts needs it too
    for method, sub, body in (
        ("PUT", "/assessments/finances", {"score": 2}),
        ("POST", "/goals", {"domainCode": "finances", "description": "x"}),
        ("POST", "/signatures", {}),
        ("POST", "/revisions", {}),
        ("POST", "/withdraw", {}),
        ("POST", "/close", {}),
    ):
        response = await client.request(method, path + sub, json=body, headers=team)
        assert response.status_code == 428, (sub, response.text)
    stored = await session.get(Plan, plan["id"])
    assert (stored.version, stored.summary) == (2, "Overzicht")


async def test_get_plan_has_etag_and_everything(client, auth, ref) -> None:
    team = pro(auth, ref)
    family = await create_family(client, team, family_body(ref))
    plan = await create_plan(client, team, family["id"])
    version = await assess_all(client, team, plan["id"], 1, ["finances", "justice"])
    child = next(m for m in family["members"] if m["role"] == "child")
    goal = await client.post(
        f"/plans/{plan['id']}/goals",
        json={"domainCode": "school", "memberId": child["id"], "description": "Elke dag naar school."},
        headers={**member_of(auth, family), "If-Match": f'"{version}"'},
    )
    assert goal.status_code == 201
    response = await client.get(f"/plans/{plan['id']}", headers=member_of(auth, family))
    assert response.status_code == 200
    assert response.headers["ETag"] == f'"{version + 1}"'
    body = response.json()
    assert [(a["domainCode"], a["score"], a["relevant"]) for a in body["assessments"]] == [
        ("finances", 3, True),
        ("justice", None, False),
    ]
    assert [(g["domainCode"], g["memberId"], g["status"]) for g in body["goals"]] == [
        ("school", child["id"], "open")
    ]
    assert body["supportProfiles"] == body["signatures"] == body["engagements"] == body["handoffs"] == []
    assert set(body) >= {"status", "version", "agreedVersion", "revisionOpen", "familyVision", "summary"}


async def test_assessment_rules(client, auth, ref, session) -> None:
    team = pro(auth, ref)
    family = await create_family(client, team, family_body(ref))
    plan = await create_plan(client, team, family["id"])
    base = f"/plans/{plan['id']}/assessments"
    headers = {**team, "If-Match": '"1"'}
    not_relevant_with_score = await client.put(
        f"{base}/finances", json={"score": 2, "relevant": False}, headers=headers
    )
    assert not_relevant_with_score.status_code == 400
    assert not_relevant_with_score.json()["invalidParams"][0]["code"] == "score_not_allowed"
    out_of_range = await client.put(f"{base}/finances", json={"score": 6, "situation": ""}, headers=headers)
    assert out_of_range.status_code == 400
    assert {p["name"] for p in out_of_range.json()["invalidParams"]} == {"score", "situation"}
    assert (await client.put(f"{base}/astrology", json={"score": 2}, headers=headers)).status_code == 404
    # the family member writes its texts and goals, not the professional's assessment
    family_headers = {**member_of(auth, family), "If-Match": '"1"'}
    assert (
        await client.put(f"{base}/finances", json={"score": 2}, headers=family_headers)
    ).status_code == 403
    first = await client.put(
        f"{base}/finances", json={"score": 2, "familyWish": "Schulden weg"}, headers=headers
    )
    assert first.status_code == 200
    again = await client.put(f"{base}/finances", json={"score": 4}, headers={**team, "If-Match": '"2"'})
    assert again.json()["score"] == 4
    assert again.json()["familyWish"] is None  # PUT replaces
    count = (await session.execute(select(func.count()).select_from(PlanAssessment))).scalar_one()
    assert count == 1
    assert (await session.get(Plan, plan["id"])).version == 3


async def test_goal_rules_and_edits(client, auth, ref, session) -> None:
    team = pro(auth, ref)
    family = await create_family(client, team, family_body(ref))
    other = await create_family(client, team, family_body(ref))
    plan = await create_plan(client, team, family["id"])
    stranger = other["members"][0]["id"]
    bad = await client.post(
        f"/plans/{plan['id']}/goals",
        json={
            "domainCode": "astrology",
            "memberId": stranger,
            "description": "x",
            "targetDate": "2000-01-01",
        },
        headers={**team, "If-Match": '"1"'},
    )
    assert bad.status_code == 400
    assert {(p["name"], p["code"]) for p in bad.json()["invalidParams"]} == {
        ("domainCode", "unknown_domain"),
        ("memberId", "unknown_member"),
        ("targetDate", "in_past"),
    }
    assert (await session.execute(select(func.count()).select_from(Goal))).scalar_one() == 0
    assert (await session.get(Plan, plan["id"])).version == 1
    goal, version = await add_goal(client, member_of(auth, family), plan["id"], 1)
    assert goal["description"] == "Rustiger ochtenden voor school."
    path = f"/plans/{plan['id']}/goals/{goal['id']}"
    changed = await client.patch(
        path, json={"desiredResult": None, "status": "dropped"}, headers={**team, "If-Match": f'"{version}"'}
    )
    assert changed.status_code == 200
    assert (changed.json()["desiredResult"], changed.json()["status"]) == (None, "dropped")
    emptied = await client.patch(
        path, json={"description": None}, headers={**team, "If-Match": f'"{version + 1}"'}
    )
    assert emptied.status_code == 400
    unknown = await client.patch(
        f"/plans/{plan['id']}/goals/{plan['id']}",
        json={"status": "open"},
        headers={**team, "If-Match": '"3"'},
    )
    assert unknown.status_code == 404


async def test_incomplete_plan_cannot_be_signed_and_names_what_is_missing(client, auth, ref, session) -> None:
    team = pro(auth, ref)
    family = await create_family(client, team, family_body(ref))
    plan = await create_plan(client, team, family["id"])
    response = await sign(client, team, plan["id"], 1)
    assert response.status_code == 409
    problem = response.json()
    assert problem["code"] == "plan_not_complete"
    assert problem["missingDomains"] == DOMAINS
    assert problem["missingGoal"] is True
    version = await assess_all(client, team, plan["id"], 1, DOMAINS[:-1])
    response = await sign(client, member_of(auth, family), plan["id"], version)
    assert response.status_code == 409
    assert (response.json()["missingDomains"], response.json()["missingGoal"]) == (["school"], True)
    assert (await session.execute(select(func.count()).select_from(PlanSignature))).scalar_one() == 0


async def test_signatures_on_one_version_agree_the_plan_and_freeze_a_snapshot(
    client, auth, ref, session
) -> None:
    team = pro(auth, ref)
    family = await create_family(client, team, family_body(ref))
    plan = await create_plan(client, team, family["id"])
    version = await assess_all(client, team, plan["id"], 1)
    _, version = await add_goal(client, team, plan["id"], version)
    parent = member_of(auth, family)
    first = await sign(client, parent, plan["id"], version)
    assert first.status_code == 201
    assert (first.json()["signerKind"], first.json()["version"], first.json()["planStatus"]) == (
        "family",
        version,
        "draft",
    )
    assert first.headers["ETag"] == f'"{version}"'  # a signature does not change the content
    assert (await sign(client, parent, plan["id"], version)).json()["code"] == "already_signed"
    # an edit after the family signed: the family's signature is on the old version
    edited = await client.patch(
        f"/plans/{plan['id']}", json={"summary": "Aangepast"}, headers={**team, "If-Match": f'"{version}"'}
    )
    version = etag(edited)
    pro_sig = await sign(client, team, plan["id"], version)
    assert pro_sig.status_code == 201
    assert pro_sig.json()["planStatus"] == "draft"
    agreed = await sign(client, parent, plan["id"], version)
    assert agreed.status_code == 201
    assert (agreed.json()["planStatus"], agreed.json()["agreedVersion"]) == ("agreed", version)
    body = (await client.get(f"/plans/{plan['id']}", headers=team)).json()
    assert (body["status"], body["version"], body["agreedVersion"], body["revisionOpen"]) == (
        "agreed",
        version,
        version,
        False,
    )
    snapshot = await client.get(f"/plans/{plan['id']}/versions/{version}", headers=parent)
    assert snapshot.status_code == 200
    frozen = snapshot.json()["plan"]
    assert (frozen["status"], frozen["summary"], len(frozen["assessments"]), len(frozen["goals"])) == (
        "agreed",
        "Aangepast",
        17,
        1,
    )
    assert sorted(s["signerKind"] for s in frozen["signatures"]) == ["family", "professional"]
    assert all(s["version"] == version for s in frozen["signatures"])
    assert (await client.get(f"/plans/{plan['id']}/versions/1", headers=team)).status_code == 404
    versions = (await client.get(f"/plans/{plan['id']}/versions", headers=team)).json()["items"]
    assert [v["version"] for v in versions] == [version]
    # an agreed plan is frozen: edits need a revision
    locked = await client.patch(
        f"/plans/{plan['id']}", json={"summary": "x"}, headers={**team, "If-Match": f'"{version}"'}
    )
    assert locked.status_code == 409
    assert (locked.json()["code"], locked.json()["planStatus"]) == ("plan_not_editable", "agreed")
    assert await _events(session) == ["family.created", "plan.created", "plan.agreed"]


async def test_who_may_sign(client, auth, ref) -> None:
    team = pro(auth, ref)
    body = family_body(ref)
    body["members"].append(
        {"role": "child", "givenName": "Sem", "familyName": "de Vries", "birthDate": years_ago(16)}
    )
    body["members"].append(
        {"role": "other", "givenName": "Oom", "familyName": "Bakker", "birthDate": years_ago(50)}
    )
    family = await create_family(client, team, body)
    plan = await create_plan(client, team, family["id"])
    version = await assess_all(client, team, plan["id"], 1)
    _, version = await add_goal(client, team, plan["id"], version)
    parent, young_child, teen, uncle = family["members"]
    # a family member cannot sign for someone else, nor can a professional sign for the family
    as_parent = member_of(auth, family)
    for_teen = await client.post(
        f"/plans/{plan['id']}/signatures",
        json={"memberId": teen["id"]},
        headers={**as_parent, "If-Match": f'"{version}"'},
    )
    assert for_teen.status_code == 403
    pro_for_parent = await client.post(
        f"/plans/{plan['id']}/signatures",
        json={"memberId": parent["id"]},
        headers={**team, "If-Match": f'"{version}"'},
    )
    assert pro_for_parent.status_code == 403
    as_young = auth("family_member", family=family["id"], member=young_child["id"])
    assert (await sign(client, as_young, plan["id"], version)).status_code == 403
    as_uncle = auth("family_member", family=family["id"], member=uncle["id"])
    assert (await sign(client, as_uncle, plan["id"], version)).status_code == 403
    # the young person of 16 signs for itself
    as_teen = auth("family_member", family=family["id"], member=teen["id"])
    assert (await sign(client, as_teen, plan["id"], version)).status_code == 201
    other_team = pro(auth, ref, team=ref.second_team)
    assert (await sign(client, other_team, plan["id"], version)).status_code == 404
    assert (await sign(client, auth("gp", agb="01012345"), plan["id"], version)).status_code == 403
    done = await sign(client, team, plan["id"], version)
    assert done.json()["planStatus"] == "agreed"


async def test_revision_keeps_the_agreed_version_in_force(client, auth, ref, session) -> None:
    family, plan, version = await agreed_plan(client, auth, ref)
    team = pro(auth, ref)
    path = f"/plans/{plan['id']}"
    revision = await client.post(f"{path}/revisions", headers={**team, "If-Match": f'"{version}"'})
    assert revision.status_code == 201
    assert (revision.json()["status"], revision.json()["revisionOpen"], revision.json()["agreedVersion"]) == (
        "agreed",
        True,
        version,
    )
    draft = etag(revision)
    assert draft == version + 1
    again = await client.post(f"{path}/revisions", headers={**team, "If-Match": f'"{draft}"'})
    assert again.json()["code"] == "revision_open"
    # the family edits the new draft; the agreed snapshot stays as it was
    _, draft = await add_goal(client, member_of(auth, family), plan["id"], draft, domain="school")
    frozen = (await client.get(f"{path}/versions/{version}", headers=team)).json()["plan"]
    assert len(frozen["goals"]) == 1
    live = (await client.get(path, headers=team)).json()
    assert (live["status"], live["agreedVersion"], len(live["goals"])) == ("agreed", version, 2)
    # agreeing the revision
    assert (await sign(client, team, plan["id"], draft)).status_code == 201
    agreed = await sign(client, member_of(auth, family), plan["id"], draft)
    assert (agreed.json()["planStatus"], agreed.json()["agreedVersion"]) == ("agreed", draft)
    live = (await client.get(path, headers=team)).json()
    assert (live["revisionOpen"], live["agreedVersion"]) == (False, draft)
    versions = (await client.get(f"{path}/versions", headers=team)).json()["items"]
    assert [v["version"] for v in versions] == [version, draft]
    assert (await session.execute(select(func.count()).select_from(PlanVersion))).scalar_one() == 2
    assert await _events(session) == [
        "family.created",
        "plan.created",
        "plan.agreed",
        "plan.revised",
        "plan.agreed",
    ]
    # a draft cannot be revised
    other = await create_family(client, team, family_body(ref))
    draft_plan = await create_plan(client, team, other["id"])
    response = await client.post(f"/plans/{draft_plan['id']}/revisions", headers={**team, "If-Match": '"1"'})
    assert (response.status_code, response.json()["code"]) == (409, "invalid_transition")


async def test_withdraw_then_a_new_plan_may_start(client, auth, ref, session) -> None:
    team = pro(auth, ref)
    family = await create_family(client, team, family_body(ref))
    plan = await create_plan(client, team, family["id"])
    by_family = await client.post(
        f"/plans/{plan['id']}/withdraw", headers={**member_of(auth, family), "If-Match": '"1"'}
    )
    assert by_family.status_code == 403
    response = await client.post(f"/plans/{plan['id']}/withdraw", headers={**team, "If-Match": '"1"'})
    assert response.status_code == 200
    assert (response.json()["status"], response.headers["ETag"]) == ("withdrawn", '"2"')
    again = await client.post(f"/plans/{plan['id']}/withdraw", headers={**team, "If-Match": '"2"'})
    assert (again.status_code, again.json()["code"]) == (409, "invalid_transition")
    await create_plan(client, team, family["id"])
    plans = (await client.get(f"/families/{family['id']}/plans", headers=member_of(auth, family))).json()[
        "items"
    ]
    assert [p["status"] for p in plans] == ["draft", "withdrawn"]
    assert await _events(session) == ["family.created", "plan.created", "plan.withdrawn", "plan.created"]
