"""Support profiles on the plan: segment A without a referral, B and C only on a valid one."""

import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select

from app.models.plans import Plan, PlanSupportProfile
from app.models.referrals import Referral
from tests.support.families import (
    create_family,
    create_plan,
    family_body,
    member_of,
    pro,
    support_profile,
    team_referral,
)


async def _setup(client: Any, auth: Any, ref: Any) -> tuple[dict, dict, dict]:
    team = pro(auth, ref)
    family = await create_family(client, team, family_body(ref))
    plan = await create_plan(client, team, family["id"])
    child = next(m for m in family["members"] if m["role"] == "child")
    return family, plan, child


async def _referral(
    client: Any, auth: Any, ref: Any, child: dict, profile: str = "P06", intensity: str = "I2"
) -> dict:
    response = await client.post(
        "/referrals",
        json=team_referral(child["id"], profile, intensity, "Onderzoek nodig."),
        headers=pro(auth, ref),
    )
    assert response.status_code == 201, response.text
    return response.json()


def _profile(child: dict, code: str, intensity: str = "I2", referral: dict | None = None) -> dict[str, Any]:
    return support_profile(
        child["id"], code, intensity, "Concentratie en onrust.", referral and referral["id"]
    )


async def test_segment_a_needs_no_referral_b_and_c_do(client, auth, ref, session) -> None:
    _, plan, child = await _setup(client, auth, ref)
    path = f"/plans/{plan['id']}/support-profiles"
    team = pro(auth, ref)
    a = await client.post(path, json=_profile(child, "P01"), headers={**team, "If-Match": '"1"'})
    assert a.status_code == 201, a.text
    assert (a.json()["profileCode"], a.json()["referralId"], a.headers["ETag"]) == ("P01", None, '"2"')
    for code in ("P06", "P10"):
        response = await client.post(path, json=_profile(child, code), headers={**team, "If-Match": '"2"'})
        assert (response.status_code, response.json()["code"]) == (409, "referral_required")
    rows = (await session.execute(select(PlanSupportProfile.profile_code))).scalars().all()
    assert rows == ["P01"]
    assert (await session.get(Plan, plan["id"])).version == 2


async def test_a_valid_referral_is_used_once(client, auth, ref, session) -> None:
    _, plan, child = await _setup(client, auth, ref)
    path = f"/plans/{plan['id']}/support-profiles"
    team = pro(auth, ref)
    referral = await _referral(client, auth, ref, child)
    wrong_profile = await client.post(
        path, json=_profile(child, "P07", referral=referral), headers={**team, "If-Match": '"1"'}
    )
    assert wrong_profile.json()["code"] == "referral_required"
    wrong_intensity = await client.post(
        path, json=_profile(child, "P06", "I3", referral), headers={**team, "If-Match": '"1"'}
    )
    assert wrong_intensity.json()["code"] == "referral_required"
    assert (await session.get(Referral, uuid.UUID(referral["id"]))).status == "open"
    used = await client.post(
        path, json=_profile(child, "P06", referral=referral), headers={**team, "If-Match": '"1"'}
    )
    assert used.status_code == 201
    assert used.json()["referralId"] == referral["id"]
    session.expire_all()
    assert (await session.get(Referral, uuid.UUID(referral["id"]))).status == "in_use"
    read = await client.get(f"/referrals/{referral['id']}", headers=pro(auth, ref))
    assert read.json()["status"] == "in_use"
    # the same child and profile again: a duplicate on the plan
    again = await client.post(
        path, json=_profile(child, "P06", referral=referral), headers={**team, "If-Match": '"2"'}
    )
    assert (again.status_code, again.json()["code"]) == (409, "duplicate_support_profile")
    # and a new referral for it is a duplicate of the one in use
    dup = await client.post(
        "/referrals",
        json={
            "childMemberId": child["id"],
            "referrerType": "01",
            "profileCode": "P06",
            "intensityCode": "I2",
            "reason": "x",
        },
        headers=team,
    )
    assert (dup.status_code, dup.json()["existing"]) == (409, f"/api/v1/referrals/{referral['id']}")


async def test_an_expired_or_foreign_referral_is_not_valid(client, auth, ref, session) -> None:
    _, plan, child = await _setup(client, auth, ref)
    team = pro(auth, ref)
    path = f"/plans/{plan['id']}/support-profiles"
    expired = await _referral(client, auth, ref, child, "P04")
    row = await session.get(Referral, uuid.UUID(expired["id"]))
    row.valid_to = date.today() - timedelta(days=1)
    await session.commit()
    response = await client.post(
        path, json=_profile(child, "P04", referral=expired), headers={**team, "If-Match": '"1"'}
    )
    assert response.json()["code"] == "referral_required"
    # a referral of another family's child
    other = await create_family(client, team, family_body(ref))
    other_child = next(m for m in other["members"] if m["role"] == "child")
    foreign = await _referral(client, auth, ref, other_child, "P05")
    response = await client.post(
        path, json=_profile(child, "P05", referral=foreign), headers={**team, "If-Match": '"1"'}
    )
    assert response.json()["code"] == "referral_required"
    assert (await session.get(Referral, uuid.UUID(foreign["id"]))).status == "open"
    assert (await session.execute(select(func.count()).select_from(PlanSupportProfile))).scalar_one() == 0


async def test_support_profile_input_rules(client, auth, ref) -> None:
    family, plan, _ = await _setup(client, auth, ref)
    parent = next(m for m in family["members"] if m["role"] == "parent")
    path = f"/plans/{plan['id']}/support-profiles"
    team = pro(auth, ref)
    response = await client.post(
        path,
        json={**_profile(parent, "P99"), "intensityCode": "I1"},
        headers={**team, "If-Match": '"1"'},
    )
    assert response.status_code == 400
    assert {(p["name"], p["code"]) for p in response.json()["invalidParams"]} == {
        ("memberId", "not_a_child"),
        ("profileCode", "unknown_profile"),
    }
    unknown = await client.post(
        path,
        json={**_profile(parent, "P02", "I7"), "memberId": plan["id"]},
        headers={**team, "If-Match": '"1"'},
    )
    assert {(p["name"], p["code"]) for p in unknown.json()["invalidParams"]} == {
        ("memberId", "unknown_member"),
        ("intensityCode", "unknown_intensity"),
    }
    as_family = await client.post(
        path, json=_profile(parent, "P01"), headers={**member_of(auth, family), "If-Match": '"1"'}
    )
    assert as_family.status_code == 403
