"""Every refused request on the family side leaves the database exactly as it was
(apart from the audit row of a denied attempt, which is recorded on purpose)."""

from typing import Any

from sqlalchemy import text

from tests.support.families import (
    agreed_plan,
    bsn,
    create_family,
    create_plan,
    family_body,
    member_of,
    pro,
    team_referral,
    years_ago,
)

TABLES = [
    "families",
    "family_members",
    "plans",
    "plan_assessments",
    "goals",
    "plan_support_profiles",
    "plan_signatures",
    "plan_versions",
    "referrals",
    "consents",
    "outbox_events",
]


async def _state(session: Any) -> dict[str, Any]:
    counts = {t: (await session.execute(text(f"SELECT count(*) FROM {t}"))).scalar_one() for t in TABLES}
    # denied attempts (403/404) are audited on purpose, in a transaction of their own
    counts["audit_events"] = (
        await session.execute(text("SELECT count(*) FROM audit_events WHERE outcome = 'success'"))
    ).scalar_one()
    plans = (
        await session.execute(text("SELECT id, status, version, revision_open FROM plans ORDER BY id"))
    ).all()
    referrals = (await session.execute(text("SELECT id, status FROM referrals ORDER BY id"))).all()
    await session.rollback()
    return {"counts": counts, "plans": [tuple(p) for p in plans], "referrals": [tuple(r) for r in referrals]}


async def test_refused_requests_write_nothing(client, auth, ref, session) -> None:
    team = pro(auth, ref)
    family, agreed, version = await agreed_plan(client, auth, ref, family_body(ref, child_bsn=bsn(60)))
    child = next(m for m in family["members"] if m["role"] == "child")
    draft_family = await create_family(client, team, family_body(ref))
    draft = await create_plan(client, team, draft_family["id"])
    draft_child = next(m for m in draft_family["members"] if m["role"] == "child")
    used = await client.post("/referrals", json=team_referral(child["id"], "P02", "I1"), headers=team)
    assert used.status_code == 201
    consent = {"scope": "share_plan_with_provider", "providerId": str(ref.providers[0])}
    granted = await client.post(
        f"/families/{family['id']}/consents",
        json={**consent, "grantedByMemberId": family["members"][0]["id"]},
        headers=team,
    )
    assert granted.status_code == 201
    other_team = pro(auth, ref, team=ref.second_team)
    a, d = f"/plans/{agreed['id']}", f"/plans/{draft['id']}"
    v, dv = {"If-Match": f'"{version}"'}, {"If-Match": '"1"'}
    refused: list[tuple[str, str, dict, dict, int, str | None]] = [
        # 400
        ("POST", "/families", {**family_body(ref), "districtCode": "WK000000"}, team, 400, "invalid_input"),
        ("PATCH", f"/families/{family['id']}/members/{child['id']}", {"bsn": "123"}, team, 400, None),
        ("PUT", f"{d}/assessments/finances", {"score": 3, "relevant": False}, {**team, **dv}, 400, None),
        ("POST", f"{d}/goals", {"domainCode": "nope", "description": "x"}, {**team, **dv}, 400, None),
        ("POST", "/referrals", {"bsn": "1", "referrerType": "01", "profileCode": "P02"}, team, 400, None),
        (
            "POST",
            f"/families/{family['id']}/consents",
            {**consent, "grantedByMemberId": child["id"]},
            team,
            400,
            None,
        ),
        # 403
        (
            "PUT",
            f"{d}/assessments/finances",
            {"score": 3},
            {**member_of(auth, draft_family), **dv},
            403,
            None,
        ),
        # 404
        ("GET", a, {}, other_team, 404, None),
        ("PATCH", a, {"summary": "x"}, {**other_team, **v}, 404, None),
        ("POST", f"/families/{family['id']}/plans", {}, pro(auth, ref, municipality="GM0599"), 404, None),
        (
            "POST",
            f"{d}/goals",
            {"domainCode": "school", "description": "x"},
            {**member_of(auth, family), **dv},
            404,
            None,
        ),
        # 409
        ("POST", f"/families/{family['id']}/plans", {}, team, 409, "open_plan_exists"),
        ("POST", "/families", family_body(ref, child_bsn=bsn(60)), team, 409, "duplicate_bsn"),
        ("PATCH", a, {"summary": "x"}, {**team, **v}, 409, "plan_not_editable"),
        ("POST", f"{d}/signatures", {}, {**team, **dv}, 409, "plan_not_complete"),
    ]
    before = await _state(session)
    for method, path, body, headers, status, code in refused:
        response = await client.request(method, path, json=body or None, headers=headers)
        assert response.status_code == status, (method, path, response.text)
        if code:
            assert response.json()["code"] == code, (path, response.text)
        if method != "GET":
            assert await _state(session) == before, (method, path)
    denied = (
        await session.execute(text("SELECT count(*) FROM audit_events WHERE outcome = 'denied'"))
    ).scalar_one()
    assert denied == 5  # the 403 and the four 404s
    await session.rollback()
    # state-dependent refusals on the open revision
    revision = await client.post(f"{a}/revisions", headers={**team, **v})
    rv = {"If-Match": revision.headers["ETag"]}
    profile = {"memberId": child["id"], "intensityCode": "I1", "problemDescription": "x"}
    dup = team_referral(child["id"], "P02")
    more: list[tuple[str, str, dict, dict, int, str]] = [
        ("POST", f"{a}/revisions", {}, {**team, **rv}, 409, "revision_open"),
        (
            "POST",
            f"{a}/support-profiles",
            {**profile, "profileCode": "P07"},
            {**team, **rv},
            409,
            "referral_required",
        ),
        ("POST", "/referrals", dup, team, 409, "duplicate_referral"),
        ("POST", f"{a}/close", {}, {**team, **rv}, 409, "revision_open"),
        (
            "POST",
            f"/families/{family['id']}/consents",
            {**consent, "grantedByMemberId": family["members"][0]["id"]},
            team,
            409,
            "consent_exists",
        ),
        (
            "POST",
            f"{a}/goals",
            {"domainCode": "school", "description": "x"},
            {**team, **v},
            412,
            "precondition_failed",
        ),
        (
            "POST",
            f"{a}/goals",
            {"domainCode": "school", "description": "x"},
            team,
            428,
            "precondition_required",
        ),
        ("POST", f"{d}/signatures", {}, {**team, "If-Match": '"9"'}, 412, "precondition_failed"),
        (
            "POST",
            "/referrals",
            {**dup, "childMemberId": draft_child["id"], "birthDate": years_ago(3)},
            team,
            400,
            "invalid_input",
        ),
    ]
    before = await _state(session)
    for method, path, body, headers, status, code in more:
        response = await client.request(method, path, json=body or None, headers=headers)
        assert (response.status_code, response.json()["code"]) == (status, code), (path, response.text)
        assert await _state(session) == before, (method, path)
