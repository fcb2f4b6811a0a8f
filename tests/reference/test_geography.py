"""Regions, municipalities, districts, indicators and teams over HTTP."""

from collections.abc import Callable
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.geography import DistrictIndicator, TeamDistrict
from tests.support.factories import Reference

Auth = Callable[..., dict[str, str]]


async def test_admin_builds_a_municipality_from_scratch(client: httpx.AsyncClient, auth: Auth) -> None:
    admin = auth("admin", municipality="GM0014")
    region = await client.post("/regions", json={"name": "Regio Groningen"}, headers=admin)
    assert region.status_code == 201, region.text
    region_id = region.json()["id"]
    assert region.headers["location"] == f"/api/v1/regions/{region_id}"

    municipality = await client.post(
        "/municipalities", json={"code": "GM0014", "name": "Groningen", "regionId": region_id}, headers=admin
    )
    assert municipality.status_code == 201, municipality.text
    assert municipality.json() == {"code": "GM0014", "name": "Groningen", "regionId": region_id}

    district = await client.post(
        "/districts",
        json={"code": "WK001401", "name": "Centrum", "municipalityCode": "GM0014"},
        headers=admin,
    )
    assert district.status_code == 201, district.text
    assert district.json() == {"code": "WK001401", "name": "Centrum", "municipalityCode": "GM0014"}

    team = await client.post(
        "/teams",
        json={"name": "Wijkteam Centrum", "kind": "samen_doen", "districtCodes": ["WK001401"]},
        headers=admin,
    )
    assert team.status_code == 201, team.text
    body = team.json()
    assert body["municipalityCode"] == "GM0014"
    assert body["districtCodes"] == ["WK001401"]
    assert body["kind"] == "samen_doen"

    fetched = await client.get(
        f"/teams/{body['id']}", headers=auth("municipality_officer", municipality="GM0014")
    )
    assert fetched.status_code == 200
    assert fetched.json() == body


async def test_duplicates_are_409_with_a_link(client: httpx.AsyncClient, auth: Auth, ref: Reference) -> None:
    admin = auth("admin")
    region = await client.post("/regions", json={"name": "Regio Amstelland (test)"}, headers=admin)
    assert region.status_code == 409
    assert region.json()["code"] == "duplicate_region"
    assert region.json()["existing"] == f"/api/v1/regions/{ref.region_id}"

    municipality = await client.post(
        "/municipalities",
        json={"code": "GM0363", "name": "Amsterdam", "regionId": str(ref.region_id)},
        headers=admin,
    )
    assert municipality.status_code == 409
    assert municipality.json()["code"] == "duplicate_municipality"

    district = await client.post(
        "/districts", json={"code": "WK036301", "name": "Dubbel", "municipalityCode": "GM0363"}, headers=admin
    )
    assert district.status_code == 409
    assert district.json() == district.json() | {
        "code": "duplicate_district",
        "existing": "/api/v1/districts/WK036301",
    }


async def test_codes_are_validated(client: httpx.AsyncClient, auth: Auth, ref: Reference) -> None:
    admin = auth("admin")
    bad = await client.post(
        "/municipalities", json={"code": "G0363", "name": "", "regionId": "nope"}, headers=admin
    )
    assert bad.status_code == 400
    assert {p["name"] for p in bad.json()["invalidParams"]} == {"code", "name", "regionId"}

    mismatch = await client.post(
        "/districts",
        json={"code": "WK059901", "name": "Verkeerd", "municipalityCode": "GM0363"},
        headers=admin,
    )
    assert mismatch.status_code == 400
    assert [p["code"] for p in mismatch.json()["invalidParams"]] == ["district_code_mismatch"]

    unknown_region = await client.post(
        "/municipalities",
        json={"code": "GM0363", "name": "Amsterdam", "regionId": "00000000-0000-0000-0000-000000000001"},
        headers=admin,
    )
    assert unknown_region.status_code == 400
    assert unknown_region.json()["invalidParams"][0]["code"] == "unknown_region"


async def test_admin_may_not_act_for_another_municipality(
    client: httpx.AsyncClient, auth: Auth, ref: Reference
) -> None:
    admin = auth("admin", municipality="GM0363")
    district = await client.post(
        "/districts", json={"code": "WK059909", "name": "Elders", "municipalityCode": "GM0599"}, headers=admin
    )
    assert district.status_code == 403
    assert district.json()["code"] == "other_municipality"
    municipality = await client.post(
        "/municipalities", json={"code": "GM0999", "name": "X", "regionId": str(ref.region_id)}, headers=admin
    )
    assert municipality.status_code == 403

    team = await client.post(
        "/teams",
        json={
            "name": "Gemengd",
            "kind": "neighbourhood",
            "districtCodes": ["WK036301", "WK059901", "WK036301"],
        },
        headers=admin,
    )
    assert team.status_code == 400
    assert [(p["name"], p["code"]) for p in team.json()["invalidParams"]] == [
        ("districtCodes[1]", "unknown_district"),
        ("districtCodes[2]", "duplicate"),
    ]
    empty = await client.post("/teams", json={"name": "Leeg", "kind": "neighbourhood"}, headers=admin)
    assert empty.status_code == 400
    intake = await client.post("/teams", json={"name": "Intake", "kind": "intake"}, headers=admin)
    assert intake.status_code == 201
    assert intake.json()["districtCodes"] == []


async def test_districts_and_teams_are_confined_to_the_municipality(
    client: httpx.AsyncClient, auth: Auth, ref: Reference
) -> None:
    professional = auth("district_professional", team=str(ref.teams["GM0363"]))
    districts = await client.get("/districts", headers=professional)
    assert [d["code"] for d in districts.json()["items"]] == ["WK036301", "WK036302"]
    assert (await client.get("/districts/WK059901", headers=professional)).status_code == 404
    assert (await client.get("/districts/WK036302", headers=professional)).status_code == 200

    teams = await client.get("/teams", headers=professional)
    assert {t["id"] for t in teams.json()["items"]} == {str(ref.teams["GM0363"]), str(ref.second_team)}
    assert (await client.get(f"/teams/{ref.teams['GM0599']}", headers=professional)).status_code == 404

    # regions and municipalities are public reference data
    municipalities = await client.get("/municipalities", headers=professional)
    assert [m["code"] for m in municipalities.json()["items"]] == ["GM0344", "GM0363", "GM0599"]
    in_region = await client.get(f"/municipalities?regionId={ref.region_id}", headers=professional)
    assert [m["code"] for m in in_region.json()["items"]] == ["GM0363", "GM0599"]


async def test_lists_page_with_a_cursor(client: httpx.AsyncClient, auth: Auth, ref: Reference) -> None:
    headers = auth("integration")
    first = await client.get("/municipalities?pageSize=2", headers=headers)
    assert [m["code"] for m in first.json()["items"]] == ["GM0344", "GM0363"]
    cursor = first.json()["nextCursor"]
    assert cursor
    second = await client.get(f"/municipalities?pageSize=2&cursor={cursor}", headers=headers)
    assert [m["code"] for m in second.json()["items"]] == ["GM0599"]
    assert second.json()["nextCursor"] is None

    teams_first = await client.get("/teams?pageSize=1", headers=headers)
    teams_second = await client.get(
        f"/teams?pageSize=1&cursor={teams_first.json()['nextCursor']}", headers=headers
    )
    names = [teams_first.json()["items"][0]["name"], teams_second.json()["items"][0]["name"]]
    assert names == ["Wijkteam Amsterdam 1", "Wijkteam Amsterdam 2"]
    assert teams_second.json()["nextCursor"] is None

    garbage = await client.get("/teams?cursor=bm90LWEtY3Vyc29y", headers=headers)
    assert garbage.status_code == 400


async def test_team_list_loads_districts_in_constant_queries(
    client: httpx.AsyncClient, auth: Auth, ref: Reference, count_statements: Any
) -> None:
    admin = auth("admin")
    for i in range(6):
        created = await client.post(
            "/teams",
            json={"name": f"Team {i}", "kind": "neighbourhood", "districtCodes": ["WK036301"]},
            headers=admin,
        )
        assert created.status_code == 201
    with count_statements() as counter:
        teams = await client.get("/teams", headers=admin)
    assert len(teams.json()["items"]) == 8
    selects = [s for s in counter.statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 2


async def test_indicators_upsert_and_list(
    client: httpx.AsyncClient, auth: Auth, ref: Reference, session: AsyncSession
) -> None:
    officer = auth("municipality_officer")
    body = {"youthPopulation": 4210, "lowIncomeShare": 0.12, "singleParentShare": 0.09}
    put = await client.put("/districts/WK036301/indicators/2027", json=body, headers=officer)
    assert put.status_code == 200, put.text
    assert put.json()["values"] == body
    assert put.json()["youthPopulation"] == 4210

    replaced = await client.put(
        "/districts/WK036301/indicators/2027", json={"youthPopulation": 4300}, headers=auth("admin")
    )
    assert replaced.status_code == 200
    row = (
        await session.execute(
            select(DistrictIndicator).where(
                DistrictIndicator.district_code == "WK036301", DistrictIndicator.year == 2027
            )
        )
    ).scalar_one()
    assert (row.youth_population, row.values, row.municipality_code) == (
        4300,
        {"youthPopulation": 4300},
        "GM0363",
    )

    years = await client.get("/districts/WK036301/indicators", headers=auth("integration"))
    assert [(i["year"], i["youthPopulation"]) for i in years.json()["items"]] == [(2026, 4000), (2027, 4300)]


async def test_indicators_are_validated_and_scoped(
    client: httpx.AsyncClient, auth: Auth, ref: Reference
) -> None:
    officer = auth("municipality_officer")
    bad = await client.put(
        "/districts/WK036301/indicators/2027",
        json={"youthPopulation": -1, "lowIncomeShare": 2, "note": "text", "flag": True},
        headers=officer,
    )
    assert bad.status_code == 400
    assert {(p["name"], p["code"]) for p in bad.json()["invalidParams"]} == {
        ("youthPopulation", "greater_than_equal"),
        ("lowIncomeShare", "less_than_equal"),
        ("note", "not_a_number"),
        ("flag", "not_a_number"),
    }
    bad_name = await client.put(
        "/districts/WK036301/indicators/2027", json={"youthPopulation": 1, "Bad-Name": 1}, headers=officer
    )
    assert bad_name.status_code == 400
    assert bad_name.json()["invalidParams"][0]["code"] == "invalid_indicator_name"

    other = await client.put(
        "/districts/WK059901/indicators/2027", json={"youthPopulation": 1}, headers=officer
    )
    assert other.status_code == 404
    assert (await client.get("/districts/WK059901/indicators", headers=officer)).status_code == 404
    forbidden = await client.put(
        "/districts/WK036301/indicators/2027",
        json={"youthPopulation": 1},
        headers=auth("purchasing_officer", region=str(ref.region_id)),
    )
    assert forbidden.status_code == 403


async def test_team_districts_are_written(
    client: httpx.AsyncClient, auth: Auth, ref: Reference, session: AsyncSession
) -> None:
    created = await client.post(
        "/teams",
        json={
            "name": "Ouder- en kindteam",
            "kind": "parent_child",
            "districtCodes": ["WK036302", "WK036301"],
        },
        headers=auth("admin"),
    )
    assert created.status_code == 201
    team_id = created.json()["id"]
    rows = (
        await session.execute(select(TeamDistrict.district_code).where(TeamDistrict.team_id == team_id))
    ).all()
    assert sorted(r[0] for r in rows) == ["WK036301", "WK036302"]
    assert created.json()["districtCodes"] == ["WK036301", "WK036302"]
