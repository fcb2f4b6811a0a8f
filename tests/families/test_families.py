"""Families and members: creation rules, BSN, search, team scope, audit and events."""

from datetime import date
from typing import Any

from sqlalchemy import func, select

from app.models.core import AuditEvent, OutboxEvent
from app.models.families import Family, FamilyMember
from app.pagination import encode_cursor
from tests.support.families import bsn, create_family, family_body, member_of, pro, years_ago


async def _count(session: Any, model: Any) -> int:
    return (await session.execute(select(func.count()).select_from(model))).scalar_one()


async def test_create_family_with_members(client, auth, ref, session) -> None:
    body = family_body(ref, child_bsn=bsn(1))
    response = await client.post("/families", json=body, headers=pro(auth, ref))
    assert response.status_code == 201, response.text
    family = response.json()
    assert response.headers["Location"] == f"/api/v1/families/{family['id']}"
    assert family["teamId"] == str(ref.teams["GM0363"])
    assert family["districtCode"] == ref.districts["GM0363"][0]
    assert family["municipalityCode"] == "GM0363"
    assert [(m["role"], m["givenName"], m["bsn"]) for m in family["members"]] == [
        ("parent", "Sanne", None),
        ("child", "Daan", bsn(1)),
    ]
    event = (await session.execute(select(OutboxEvent))).scalar_one()
    assert event.type == "nl.perspectief.family.created"
    assert event.data == {
        "id": family["id"],
        "status": "active",
        "teamId": str(ref.teams["GM0363"]),
        "districtCode": ref.districts["GM0363"][0],
    }
    rows = (
        await session.execute(select(AuditEvent.action, AuditEvent.resource_type, AuditEvent.family_id))
    ).all()
    assert [(a, r, str(f)) for a, r, f in rows] == [("create", "family", family["id"])]


async def test_every_invalid_field_is_reported_at_once_and_nothing_is_written(
    client, auth, ref, session
) -> None:
    body = {
        "districtCode": "WK999999",
        "members": [
            {
                "role": "parent",
                "givenName": "A",
                "familyName": "B",
                "birthDate": "2999-01-01",
                "bsn": "123456789",
            },
            {
                "role": "child",
                "givenName": "C",
                "familyName": "B",
                "birthDate": years_ago(19),
                "bsn": "12345",
            },
            {
                "role": "child",
                "givenName": "D",
                "familyName": "B",
                "birthDate": years_ago(25),
                "extendedCare": True,
            },
            {
                "role": "parent",
                "givenName": "E",
                "familyName": "B",
                "birthDate": years_ago(40),
                "extendedCare": True,
            },
        ],
    }
    response = await client.post("/families", json=body, headers=pro(auth, ref))
    assert response.status_code == 400
    problem = response.json()
    assert problem["code"] == "invalid_input"
    assert response.headers["content-type"].startswith("application/problem+json")
    found = {(p["name"], p["code"]) for p in problem["invalidParams"]}
    assert found == {
        ("districtCode", "unknown_district"),
        ("members.0.bsn", "invalid_bsn"),
        ("members.0.birthDate", "in_future"),
        ("members.1.bsn", "invalid_format"),
        ("members.1.birthDate", "too_old_for_child"),
        ("members.2.birthDate", "too_old_for_child"),
        ("members.3.extendedCare", "not_a_child"),
    }
    assert "123456789" not in response.text  # a BSN is never echoed
    assert await _count(session, Family) == 0
    assert await _count(session, FamilyMember) == 0
    assert await _count(session, OutboxEvent) == 0


async def test_request_validation_lists_all_fields(client, auth, ref) -> None:
    body = {"members": [{"role": "uncle", "givenName": "", "birthDate": "not-a-date"}], "extra": 1}
    response = await client.post("/families", json=body, headers=pro(auth, ref))
    assert response.status_code == 400
    names = {p["name"] for p in response.json()["invalidParams"]}
    assert {
        "districtCode",
        "extra",
        "members.0.role",
        "members.0.givenName",
        "members.0.familyName",
        "members.0.birthDate",
    } <= names


async def test_child_with_extended_care_may_be_up_to_22(client, auth, ref) -> None:
    body = family_body(ref)
    body["members"][1].update(birthDate=years_ago(21), extendedCare=True)
    family = await create_family(client, pro(auth, ref), body)
    assert family["members"][1]["extendedCare"] is True


async def test_same_bsn_twice_in_one_request_is_400(client, auth, ref) -> None:
    body = family_body(ref, child_bsn=bsn(2), parent_bsn=bsn(2))
    response = await client.post("/families", json=body, headers=pro(auth, ref))
    assert response.status_code == 400
    assert [(p["name"], p["code"]) for p in response.json()["invalidParams"]] == [
        ("members.1.bsn", "duplicate_bsn")
    ]


async def test_bsn_of_an_active_family_is_409_with_link(client, auth, ref, session) -> None:
    first = await create_family(client, pro(auth, ref), family_body(ref, child_bsn=bsn(3)))
    # another team of the same municipality registers the same child
    other_team = pro(auth, ref, team=ref.second_team)
    body = family_body(ref, child_bsn=bsn(3))
    body["districtCode"] = ref.districts["GM0363"][1]
    response = await client.post("/families", json=body, headers=other_team)
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate_bsn"
    assert response.json()["existing"] == f"/api/v1/families/{first['id']}"
    assert bsn(3) not in response.text
    assert await _count(session, Family) == 1
    assert await _count(session, FamilyMember) == 2
    # another municipality may register the same BSN (the rule is per municipality)
    utrecht = pro(auth, ref, municipality="GM0344")
    body["districtCode"] = ref.districts["GM0344"][0]
    assert (await client.post("/families", json=body, headers=utrecht)).status_code == 201


async def test_a_family_is_created_for_the_callers_own_team_only(client, auth, ref, session) -> None:
    body = {**family_body(ref), "teamId": str(ref.second_team)}
    response = await client.post("/families", json=body, headers=pro(auth, ref))
    assert response.status_code == 403
    assert await _count(session, Family) == 0


async def test_roles_other_than_the_team_cannot_create_families(client, auth, ref) -> None:
    for headers in (auth("gp", agb="01012345"), auth("provider_staff", provider=ref.providers[0])):
        response = await client.post("/families", json=family_body(ref), headers=headers)
        assert response.status_code == 403


async def test_scope_team_family_and_municipality(client, auth, ref) -> None:
    family = await create_family(client, pro(auth, ref), family_body(ref))
    other = await create_family(client, pro(auth, ref), family_body(ref))
    path = f"/families/{family['id']}"
    assert (await client.get(path, headers=pro(auth, ref))).status_code == 200
    assert (await client.get(path, headers=member_of(auth, family))).status_code == 200
    # another team, another municipality (even with a team claim of this one), another family
    assert (await client.get(path, headers=pro(auth, ref, team=ref.second_team))).status_code == 404
    assert (await client.get(path, headers=pro(auth, ref, municipality="GM0599"))).status_code == 404
    wrong_municipality = auth("district_professional", team=ref.teams["GM0363"], municipality="GM0599")
    assert (await client.get(path, headers=wrong_municipality)).status_code == 404
    assert (await client.get(path, headers=member_of(auth, other))).status_code == 404
    # roles without a family view
    assert (await client.get(path, headers=auth("gp", agb="01012345"))).status_code == 403
    assert (await client.get(path, headers=auth("municipality_officer"))).status_code == 403
    # lists follow the same scope
    listed = (await client.get("/families", headers=member_of(auth, family))).json()
    assert [f["id"] for f in listed["items"]] == [family["id"]]
    assert (await client.get("/families", headers=pro(auth, ref, team=ref.second_team))).json()["items"] == []
    mine = (await client.get("/families", headers=pro(auth, ref))).json()
    assert {f["id"] for f in mine["items"]} == {family["id"], other["id"]}


async def test_search_by_name_is_audited_as_search(client, auth, ref, session) -> None:
    vries = await create_family(client, pro(auth, ref), family_body(ref))
    other_body = family_body(ref)
    for m in other_body["members"]:
        m["familyName"] = "Jansen"
    await create_family(client, pro(auth, ref), other_body)
    response = await client.get("/families", params={"q": "daan de v"}, headers=pro(auth, ref))
    assert response.status_code == 200
    assert [f["id"] for f in response.json()["items"]] == [vries["id"]]
    assert (await client.get("/families", params={"q": "%"}, headers=pro(auth, ref))).status_code == 400
    none = await client.get("/families", params={"q": "Pietersen"}, headers=pro(auth, ref))
    assert none.json()["items"] == []
    rows = (
        await session.execute(
            select(AuditEvent.family_id).where(AuditEvent.action == "search").order_by(AuditEvent.occurred_at)
        )
    ).all()
    assert [str(r[0]) if r[0] else None for r in rows] == [vries["id"], None]


async def test_pages_follow_the_cursor(client, auth, ref) -> None:
    ids = [(await create_family(client, pro(auth, ref), family_body(ref)))["id"] for _ in range(3)]
    first = (await client.get("/families", params={"pageSize": 2}, headers=pro(auth, ref))).json()
    assert [f["id"] for f in first["items"]] == ids[::-1][:2]
    second = await client.get(
        "/families", params={"pageSize": 2, "cursor": first["nextCursor"]}, headers=pro(auth, ref)
    )
    assert [f["id"] for f in second.json()["items"]] == [ids[0]]
    assert second.json()["nextCursor"] is None
    assert (
        await client.get("/families", params={"cursor": "bm90LWpzb24"}, headers=pro(auth, ref))
    ).status_code == 400
    for forged in (["2020-01-01", ids[0]], ["0001-01-01T00:00:00+14:00", ids[0]], ["x"]):
        response = await client.get(
            "/families", params={"cursor": encode_cursor(forged)}, headers=pro(auth, ref)
        )
        assert (response.status_code, response.json()["invalidParams"][0]["code"]) == (400, "invalid_cursor")


async def test_add_and_edit_members(client, auth, ref, session) -> None:
    family = await create_family(client, pro(auth, ref), family_body(ref))
    base = f"/families/{family['id']}/members"
    added = await client.post(
        base,
        json={
            "role": "child",
            "givenName": "Noor",
            "familyName": "de Vries",
            "birthDate": years_ago(4),
            "bsn": bsn(7),
        },
        headers=pro(auth, ref),
    )
    assert added.status_code == 201, added.text
    noor = added.json()
    patched = await client.patch(
        f"{base}/{noor['id']}", json={"givenName": "Noortje"}, headers=pro(auth, ref)
    )
    assert patched.status_code == 200
    assert patched.json()["givenName"] == "Noortje"
    assert patched.json()["bsn"] == bsn(7)
    removed = await client.patch(f"{base}/{noor['id']}", json={"bsn": None}, headers=pro(auth, ref))
    assert removed.json()["bsn"] is None
    bad = await client.patch(
        f"{base}/{noor['id']}",
        json={"birthDate": years_ago(30), "bsn": "111111111", "givenName": None},
        headers=pro(auth, ref),
    )
    assert bad.status_code == 400
    assert {(p["name"], p["code"]) for p in bad.json()["invalidParams"]} == {
        ("givenName", "required"),
        ("bsn", "invalid_bsn"),
        ("birthDate", "too_old_for_child"),
    }
    stored = await session.get(FamilyMember, noor["id"])
    assert (stored.given_name, stored.bsn) == ("Noortje", None)
    # members of families outside the scope: 404; family members may not edit members
    other_team = pro(auth, ref, team=ref.second_team)
    assert (
        await client.patch(f"{base}/{noor['id']}", json={"givenName": "X"}, headers=other_team)
    ).status_code == 404
    assert (await client.post(base, json={}, headers=member_of(auth, family))).status_code in (400, 403)
    assert (
        await client.patch(f"{base}/{noor['id']}", json={"givenName": "X"}, headers=member_of(auth, family))
    ).status_code == 403


async def test_member_bsn_taken_elsewhere_is_409(client, auth, ref, session) -> None:
    await create_family(client, pro(auth, ref), family_body(ref, child_bsn=bsn(8)))
    family = await create_family(client, pro(auth, ref), family_body(ref))
    child = next(m for m in family["members"] if m["role"] == "child")
    response = await client.patch(
        f"/families/{family['id']}/members/{child['id']}", json={"bsn": bsn(8)}, headers=pro(auth, ref)
    )
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate_bsn"
    assert (await session.get(FamilyMember, child["id"])).bsn is None


async def test_a_retried_registration_with_an_idempotency_key_creates_one_family(
    client, auth, ref, session
) -> None:
    headers = {**pro(auth, ref), "Idempotency-Key": "family-registration-1"}
    first = await client.post("/families", json=family_body(ref), headers=headers)
    retry = await client.post("/families", json=family_body(ref), headers=headers)
    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.json()["id"] == first.json()["id"]
    assert retry.headers["Location"] == first.headers["Location"]
    assert await _count(session, Family) == 1


async def _named_families(session, ref, team, count: int, given: str, surname: str) -> list[str]:
    ids = []
    for _ in range(count):
        family = Family(municipality_code="GM0363", district_code=ref.districts["GM0363"][0], team_id=team)
        session.add(family)
        await session.flush()
        for role, birth in (("parent", date(1980, 1, 1)), ("child", date(2015, 1, 1))):
            session.add(
                FamilyMember(
                    family_id=family.id,
                    municipality_code="GM0363",
                    role=role,
                    given_name=given,
                    family_name=surname,
                    birth_date=birth,
                )
            )
        ids.append(str(family.id))
    await session.commit()
    return ids


async def test_search_ignores_accents_and_case_within_the_team(client, auth, ref, session) -> None:
    """A rare name comes from the trigram index's short list; a name so common that the list is
    cut off (more than 100 members) is found by walking the team's families: same answers."""
    common = await _named_families(session, ref, ref.teams["GM0363"], 55, "Ayşe", "Öztürk")
    elsewhere = await _named_families(session, ref, ref.second_team, 1, "Ayşe", "Öztürk")
    rare = await _named_families(session, ref, ref.teams["GM0363"], 1, "Émile", "Brontë")
    for query, expected in (("emile BRONTE", rare), ("bront", rare), ("OZTURK", common), ("ayse oz", common)):
        found: list[str] = []
        params: dict[str, object] = {"q": query, "pageSize": 50}
        while True:
            page = (await client.get("/families", params=params, headers=pro(auth, ref))).json()
            found += [f["id"] for f in page["items"]]
            if not page["nextCursor"]:
                break
            params["cursor"] = page["nextCursor"]
        assert sorted(found) == sorted(expected), query
    other_team = pro(auth, ref, team=ref.second_team)
    listed = (await client.get("/families", params={"q": "öztürk"}, headers=other_team)).json()["items"]
    assert [f["id"] for f in listed] == elsewhere
