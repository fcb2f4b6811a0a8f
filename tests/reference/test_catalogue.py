"""The support-profile catalogue over HTTP."""

from collections.abc import Callable
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.catalogue import ProfileIntensity, SupportProfile
from tests.support.factories import Reference

Auth = Callable[..., dict[str, str]]

NEW_PROFILE = {
    "code": "P12",
    "name": "Hechtingsproblemen",
    "segment": "B",
    "intensities": [
        {"code": "I1", "name": "Licht", "maxMonths": 3},
        {"code": "I2", "name": "Middel", "maxMonths": 6},
    ],
}


def purchaser(auth: Auth, ref: Reference) -> dict[str, str]:
    return auth("purchasing_officer", region=str(ref.region_id))


async def test_purchasing_officer_adds_a_profile(
    client: httpx.AsyncClient, auth: Auth, ref: Reference
) -> None:
    created = await client.post("/support-profiles", json=NEW_PROFILE, headers=purchaser(auth, ref))
    assert created.status_code == 201, created.text
    assert created.headers["location"] == "/api/v1/support-profiles/P12"
    defaults = [{"category": "50", "code": f"P12{i['code']}"} for i in NEW_PROFILE["intensities"]]
    assert created.json() == NEW_PROFILE | {
        "description": None,
        "intensities": [
            i | {"ijwProduct": product}
            for i, product in zip(NEW_PROFILE["intensities"], defaults, strict=True)
        ],
    }

    fetched = await client.get("/support-profiles/P12", headers=auth("gp", agb="01234567"))
    assert fetched.status_code == 200
    assert fetched.json()["intensities"][1] == {
        "code": "I2",
        "name": "Middel",
        "maxMonths": 6,
        "ijwProduct": {"category": "50", "code": "P12I2"},
    }


async def test_an_intensity_names_its_ijw_product(
    client: httpx.AsyncClient, auth: Auth, ref: Reference
) -> None:
    body = NEW_PROFILE | {
        "intensities": [
            {
                "code": "I1",
                "name": "Licht",
                "maxMonths": 3,
                "ijwProduct": {"category": "45", "code": "45A01"},
            },
            {"code": "I2", "name": "Middel", "maxMonths": 6},
        ]
    }
    created = await client.post("/support-profiles", json=body, headers=purchaser(auth, ref))
    assert created.status_code == 201, created.text
    products = [i["ijwProduct"] for i in created.json()["intensities"]]
    assert products == [{"category": "45", "code": "45A01"}, {"category": "50", "code": "P12I2"}]

    wrong = NEW_PROFILE | {
        "code": "P13",
        "intensities": [
            {
                "code": "I1",
                "name": "Licht",
                "maxMonths": 3,
                "ijwProduct": {"category": "99", "code": "TOOLONG"},
            }
        ],
    }
    refused = await client.post("/support-profiles", json=wrong, headers=purchaser(auth, ref))
    assert refused.status_code == 400
    assert {p["name"] for p in refused.json()["invalidParams"]} == {
        "intensities.0.ijwProduct.category",
        "intensities.0.ijwProduct.code",
    }


async def test_duplicate_profile_is_409(client: httpx.AsyncClient, auth: Auth, ref: Reference) -> None:
    duplicate = await client.post(
        "/support-profiles", json=NEW_PROFILE | {"code": "P02"}, headers=purchaser(auth, ref)
    )
    assert duplicate.status_code == 409
    assert duplicate.json()["code"] == "duplicate_support_profile"
    assert duplicate.json()["existing"] == "/api/v1/support-profiles/P02"


async def test_profile_input_is_validated(
    client: httpx.AsyncClient, auth: Auth, ref: Reference, session: AsyncSession
) -> None:
    bad = await client.post(
        "/support-profiles",
        json={
            "code": "X1",
            "name": "Naam",
            "segment": "D",
            "intensities": [{"code": "I5", "name": "", "maxMonths": 0}],
        },
        headers=purchaser(auth, ref),
    )
    assert bad.status_code == 400
    assert {p["name"] for p in bad.json()["invalidParams"]} == {
        "code",
        "segment",
        "intensities.0.code",
        "intensities.0.name",
        "intensities.0.maxMonths",
    }
    twice = await client.post(
        "/support-profiles",
        json=NEW_PROFILE | {"intensities": [NEW_PROFILE["intensities"][0]] * 2},
        headers=purchaser(auth, ref),
    )
    assert twice.status_code == 400
    assert twice.json()["invalidParams"] == [
        {"name": "intensities[1].code", "code": "duplicate", "reason": "This intensity is listed twice."}
    ]
    count = (await session.execute(select(func.count()).select_from(SupportProfile))).scalar_one()
    assert count == 11


async def test_only_purchasing_officers_add_profiles(
    client: httpx.AsyncClient, auth: Auth, ref: Reference
) -> None:
    for headers in (
        auth("admin"),
        auth("municipality_officer"),
        auth("district_professional", team=str(ref.teams["GM0363"])),
    ):
        response = await client.post("/support-profiles", json=NEW_PROFILE, headers=headers)
        assert response.status_code == 403
    assert (await client.post("/support-profiles", json=NEW_PROFILE)).status_code == 401


async def test_profile_list_pages_and_loads_intensities_in_one_query(
    client: httpx.AsyncClient, auth: Auth, ref: Reference, count_statements: Any
) -> None:
    headers = auth("integration")
    with count_statements() as counter:
        first = await client.get("/support-profiles?pageSize=6", headers=headers)
    assert [p["code"] for p in first.json()["items"]] == ["P01", "P02", "P03", "P04", "P05", "P06"]
    assert all(len(p["intensities"]) == 4 for p in first.json()["items"])
    intensity_queries = [s for s in counter.statements if "FROM profile_intensities" in s]
    assert len(intensity_queries) == 1
    assert len(counter.statements) == 2

    second = await client.get(
        f"/support-profiles?pageSize=6&cursor={first.json()['nextCursor']}", headers=headers
    )
    assert [p["code"] for p in second.json()["items"]] == ["P07", "P08", "P09", "P10", "P11"]
    assert second.json()["nextCursor"] is None

    segment_c = await client.get("/support-profiles?segment=C", headers=headers)
    assert [(p["code"], p["segment"]) for p in segment_c.json()["items"]] == [("P10", "C"), ("P11", "C")]


async def test_unknown_profile_is_404(client: httpx.AsyncClient, auth: Auth, ref: Reference) -> None:
    assert (await client.get("/support-profiles/P99", headers=auth("admin"))).status_code == 404


async def test_intensities_are_stored(
    client: httpx.AsyncClient, auth: Auth, ref: Reference, session: AsyncSession
) -> None:
    await client.post("/support-profiles", json=NEW_PROFILE, headers=purchaser(auth, ref))
    rows = (
        await session.execute(
            select(ProfileIntensity.code, ProfileIntensity.max_months).where(
                ProfileIntensity.profile_code == "P12"
            )
        )
    ).all()
    assert sorted(rows) == [("I1", 3), ("I2", 6)]
