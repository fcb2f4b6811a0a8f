"""Referrals: referrer types, GP matching by BSN + birth date, intake tasks, duplicates, scope."""

import uuid
from datetime import date, timedelta
from typing import Any

import httpx
from sqlalchemy import func, select

from app.models.core import OutboxEvent
from app.models.geography import Team
from app.models.referrals import Referral
from app.services.referrals.service import add_months
from tests.support.families import bsn, create_family, family_body, member_of, pro, team_referral, years_ago

GP_AGB = "01012345"


def gp(auth: Any, agb: str = GP_AGB) -> dict[str, str]:
    return auth("gp", agb=agb, sub=f"gp-{agb}")


def child_of(family: dict) -> dict:
    return next(m for m in family["members"] if m["role"] == "child")


def gp_body(child_bsn: str, birth_date: str, **extra: Any) -> dict[str, Any]:
    return {
        "bsn": child_bsn,
        "birthDate": birth_date,
        "referrerType": "02",
        "profileCode": "P06",
        "intensityCode": "I2",
        "reason": "Concentratieproblemen op school.",
        **extra,
    }


async def _count(session: Any) -> int:
    return (await session.execute(select(func.count()).select_from(Referral))).scalar_one()


async def test_team_referral_for_a_child(client, auth, ref, session) -> None:
    family = await create_family(client, pro(auth, ref), family_body(ref))
    body = team_referral(child_of(family)["id"], reason="Driftbuien thuis en op school.")
    response = await client.post("/referrals", json=body, headers=pro(auth, ref))
    assert response.status_code == 201, response.text
    referral = response.json()
    assert response.headers["Location"] == f"/api/v1/referrals/{referral['id']}"
    assert (referral["status"], referral["matched"], referral["familyId"], referral["teamId"]) == (
        "open",
        True,
        family["id"],
        str(ref.teams["GM0363"]),
    )
    assert referral["validFrom"] == date.today().isoformat()
    assert referral["validTo"] == add_months(date.today(), 12).isoformat()
    event = (
        await session.execute(select(OutboxEvent).where(OutboxEvent.type.endswith("referral.created")))
    ).scalar_one()
    assert event.data == {
        "id": referral["id"],
        "status": "open",
        "referrerType": "01",
        "profileCode": "P03",
        "intensityCode": "I2",
        "familyId": family["id"],
        "teamId": str(ref.teams["GM0363"]),
    }
    # the family sees its referral, another family does not
    assert (
        await client.get(f"/referrals/{referral['id']}", headers=member_of(auth, family))
    ).status_code == 200
    other = await create_family(client, pro(auth, ref), family_body(ref))
    assert (
        await client.get(f"/referrals/{referral['id']}", headers=member_of(auth, other))
    ).status_code == 404
    listed = (await client.get("/referrals", headers=member_of(auth, other))).json()
    assert listed["items"] == []


async def test_gp_referral_is_matched_to_the_child(client, auth, ref) -> None:
    family = await create_family(client, pro(auth, ref), family_body(ref, child_bsn=bsn(11)))
    child = child_of(family)
    response = await client.post("/referrals", json=gp_body(bsn(11), child["birthDate"]), headers=gp(auth))
    assert response.status_code == 201, response.text
    referral = response.json()
    assert (referral["status"], referral["memberId"], referral["familyId"], referral["childBsn"]) == (
        "open",
        child["id"],
        family["id"],
        None,
    )
    assert (referral["referrerType"], referral["referrerAgb"]) == ("02", GP_AGB)
    # GPs see only their own referrals; the team sees it for its family
    assert (await client.get(f"/referrals/{referral['id']}", headers=gp(auth))).status_code == 200
    other_gp = gp(auth, "09999999")
    assert (await client.get(f"/referrals/{referral['id']}", headers=other_gp)).status_code == 404
    assert (await client.get("/referrals", headers=other_gp)).json()["items"] == []
    assert [r["id"] for r in (await client.get("/referrals", headers=gp(auth))).json()["items"]] == [
        referral["id"]
    ]
    assert (await client.get(f"/referrals/{referral['id']}", headers=pro(auth, ref))).status_code == 200
    other_team = pro(auth, ref, team=ref.second_team)
    assert (await client.get(f"/referrals/{referral['id']}", headers=other_team)).status_code == 404
    elsewhere = auth("gp", agb=GP_AGB, municipality="GM0599")
    assert (await client.get(f"/referrals/{referral['id']}", headers=elsewhere)).status_code == 404


async def test_unmatched_gp_referral_is_an_intake_task_for_the_district_team(
    client, auth, ref, session
) -> None:
    birth = years_ago(7)
    body = gp_body(bsn(12), birth, districtCode=ref.districts["GM0363"][0])
    response = await client.post("/referrals", json=body, headers=gp(auth))
    assert response.status_code == 201
    intake = response.json()
    assert (
        intake["status"],
        intake["matched"],
        intake["teamId"],
        intake["childBsn"],
        intake["childBirthDate"],
    ) == (
        "intake",
        False,
        str(ref.teams["GM0363"]),
        bsn(12),
        birth,
    )
    team_list = (await client.get("/referrals", params={"status": "intake"}, headers=pro(auth, ref))).json()
    assert [r["id"] for r in team_list["items"]] == [intake["id"]]
    other_team = pro(auth, ref, team=ref.second_team)
    assert (await client.get(f"/referrals/{intake['id']}", headers=other_team)).status_code == 404
    # a wrong birth date never matches an existing child
    await create_family(client, pro(auth, ref), family_body(ref, child_bsn=bsn(13)))
    mismatch = await client.post("/referrals", json=gp_body(bsn(13), years_ago(3)), headers=gp(auth))
    assert mismatch.status_code == 400  # no district and no intake team
    assert mismatch.json()["invalidParams"] == [
        {
            "name": "districtCode",
            "code": "required",
            "reason": "Name the child's district: the municipality has no intake team.",
        }
    ]
    # the team registers the child: the waiting referral is linked to it
    family_json = family_body(ref, child_bsn=bsn(12))
    family_json["members"][1]["birthDate"] = birth
    family = await create_family(client, pro(auth, ref), family_json)
    session.expire_all()
    linked = await session.get(Referral, uuid.UUID(intake["id"]))
    assert (linked.status, str(linked.member_id), linked.child_bsn, linked.child_birth_date) == (
        "open",
        child_of(family)["id"],
        None,
        None,
    )
    seen_by_gp = (await client.get(f"/referrals/{intake['id']}", headers=gp(auth))).json()
    assert (seen_by_gp["matched"], seen_by_gp["familyId"]) == (True, family["id"])


async def test_without_a_district_the_municipalitys_intake_team_gets_it(client, auth, ref, session) -> None:
    intake_team = Team(name="Intake", kind="intake", municipality_code="GM0363")
    session.add(intake_team)
    await session.commit()
    response = await client.post("/referrals", json=gp_body(bsn(14), years_ago(5)), headers=gp(auth))
    assert response.status_code == 201
    assert (response.json()["status"], response.json()["teamId"]) == ("intake", str(intake_team.id))
    team = auth("district_professional", team=intake_team.id)
    assert (await client.get(f"/referrals/{response.json()['id']}", headers=team)).status_code == 200


async def test_every_invalid_field_at_once_and_nothing_written(client, auth, ref, session) -> None:
    body = {
        "bsn": "123456789",
        "birthDate": "2999-05-05",
        "districtCode": "WK034401",  # another municipality's district
        "referrerType": "03",
        "profileCode": "P99",
        "intensityCode": "I1",
        "reason": "x",
        "validTo": "2001-01-01",
    }

    async def refer(body: dict[str, str]) -> httpx.Response:
        return await client.post("/referrals", json=body, headers=pro(auth, ref))

    response = await refer(body)
    assert response.status_code == 400
    assert {(p["name"], p["code"]) for p in response.json()["invalidParams"]} == {
        ("bsn", "invalid_bsn"),
        ("birthDate", "in_future"),
        ("districtCode", "unknown_district"),
        ("referrerAgb", "required"),
        ("profileCode", "unknown_profile"),
        ("validTo", "in_past"),
    }
    neither = await refer({"referrerType": "01", "profileCode": "P03", "intensityCode": "I9", "reason": "x"})
    assert {(p["name"], p["code"]) for p in neither.json()["invalidParams"]} == {
        ("childMemberId", "required"),
        ("intensityCode", "unknown_intensity"),
    }
    schema = await refer(
        {"referrerType": "07", "referrerAgb": "12", "profileCode": "P03", "intensityCode": "I1"}
    )
    assert schema.status_code == 400
    assert {p["name"] for p in schema.json()["invalidParams"]} == {"referrerType", "referrerAgb", "reason"}
    assert await _count(session) == 0
    assert (await session.execute(select(func.count()).select_from(OutboxEvent))).scalar_one() == 0


async def test_gp_refers_as_itself(client, auth, ref, session) -> None:
    family = await create_family(client, pro(auth, ref), family_body(ref, child_bsn=bsn(15)))
    birth = child_of(family)["birthDate"]
    as_court = await client.post(
        "/referrals", json=gp_body(bsn(15), birth, referrerType="08"), headers=gp(auth)
    )
    assert as_court.status_code == 403
    other_agb = await client.post(
        "/referrals", json=gp_body(bsn(15), birth, referrerAgb="07777777"), headers=gp(auth)
    )
    assert other_agb.status_code == 403
    by_member = await client.post(
        "/referrals",
        json={
            **gp_body(bsn(15), birth),
            "bsn": None,
            "birthDate": None,
            "childMemberId": child_of(family)["id"],
        },
        headers=gp(auth),
    )
    assert by_member.status_code == 400
    assert by_member.json()["invalidParams"][0]["code"] == "not_allowed"
    for role in (auth("family_member", family=family["id"], member=child_of(family)["id"]), auth("admin")):
        assert (
            await client.post("/referrals", json=gp_body(bsn(15), birth), headers=role)
        ).status_code == 403
    assert await _count(session) == 0


async def test_all_referrer_types_are_accepted_from_the_team(client, auth, ref) -> None:
    family = await create_family(client, pro(auth, ref), family_body(ref))
    for n, code in enumerate(["01", "02", "03", "04", "05", "06", "08"]):
        profile = f"P{n + 2:02d}"
        body = {
            "childMemberId": child_of(family)["id"],
            "referrerType": code,
            "profileCode": profile,
            "intensityCode": "I1",
            "reason": "Verwijzing.",
            **({"referrerAgb": "01234567"} if code in ("02", "03", "05") else {}),
        }
        response = await client.post("/referrals", json=body, headers=pro(auth, ref))
        assert response.status_code == 201, (code, response.text)
        assert response.json()["referrerType"] == code


async def test_duplicate_referrals_are_refused_with_a_link(client, auth, ref, session) -> None:
    family = await create_family(client, pro(auth, ref), family_body(ref, child_bsn=bsn(16)))
    child = child_of(family)
    first = await client.post("/referrals", json=gp_body(bsn(16), child["birthDate"]), headers=gp(auth))
    by_team = team_referral(child["id"], "P06", "I4", "Nogmaals.")
    duplicate = await client.post("/referrals", json=by_team, headers=pro(auth, ref))
    assert duplicate.status_code == 409
    assert duplicate.json()["code"] == "duplicate_referral"
    assert duplicate.json()["existing"] == f"/api/v1/referrals/{first.json()['id']}"
    # another profile is fine
    assert (
        await client.post("/referrals", json={**by_team, "profileCode": "P05"}, headers=pro(auth, ref))
    ).status_code == 201
    # intake referrals for the same unregistered child and profile are duplicates too
    district = ref.districts["GM0363"][0]
    intake = await client.post(
        "/referrals", json=gp_body(bsn(17), years_ago(6), districtCode=district), headers=gp(auth)
    )
    again = await client.post(
        "/referrals", json=gp_body(bsn(17), years_ago(6), districtCode=district), headers=gp(auth, "08888888")
    )
    assert (again.status_code, again.json()["existing"]) == (409, f"/api/v1/referrals/{intake.json()['id']}")
    # an expired referral no longer blocks a new one, and reads as expired
    stored = await session.get(Referral, uuid.UUID(first.json()["id"]))
    stored.valid_to = date.today() - timedelta(days=1)
    await session.commit()
    assert (await client.get(f"/referrals/{first.json()['id']}", headers=gp(auth))).json()[
        "status"
    ] == "expired"
    expired = (await client.get("/referrals", params={"status": "expired"}, headers=gp(auth))).json()["items"]
    assert [r["id"] for r in expired] == [first.json()["id"]]
    assert (await client.post("/referrals", json=by_team, headers=pro(auth, ref))).status_code == 201
    assert await _count(session) == 4
