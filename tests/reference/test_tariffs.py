"""Tariffs over HTTP: segment rules, validity periods, overlap (also under concurrency)."""

import asyncio
from collections.abc import Callable
from datetime import date
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.providers import Tariff
from tests.support.factories import Reference

Auth = Callable[..., dict[str, str]]


def purchaser(auth: Auth, ref: Reference, *, other: bool = False) -> dict[str, str]:
    region = ref.other_region_id if other else ref.region_id
    return auth("purchasing_officer", region=str(region), municipality="GM0344" if other else "GM0363")


def regional(valid_from: str, valid_to: str | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "profileCode": "P02",
        "intensityCode": "I1",
        "validFrom": valid_from,
        "validTo": valid_to,
        "amountCents": 160_000,
        **extra,
    }


async def test_regional_tariffs_follow_each_other(
    client: httpx.AsyncClient, auth: Auth, ref: Reference
) -> None:
    headers = purchaser(auth, ref, other=True)  # the other region has no tariffs yet
    first = await client.post("/tariffs", json=regional("2026-01-01", "2026-12-31"), headers=headers)
    assert first.status_code == 201, first.text
    assert first.json()["regionId"] == str(ref.other_region_id)
    assert first.headers["location"] == f"/api/v1/tariffs/{first.json()['id']}"
    following = await client.post(
        "/tariffs", json=regional("2027-01-01", amountCents=170_000), headers=headers
    )
    assert following.status_code == 201

    on_day = await client.get("/tariffs?profileCode=P02&intensityCode=I1&onDate=2027-03-01", headers=headers)
    assert [t["amountCents"] for t in on_day.json()["items"]] == [170_000]
    on_day = await client.get("/tariffs?profileCode=P02&onDate=2026-12-31", headers=headers)
    assert [t["amountCents"] for t in on_day.json()["items"]] == [160_000]
    fetched = await client.get(f"/tariffs/{first.json()['id']}", headers=headers)
    assert fetched.json() == first.json()


async def test_overlap_is_409_naming_the_existing_tariff(
    client: httpx.AsyncClient, auth: Auth, ref: Reference, session: AsyncSession
) -> None:
    headers = purchaser(auth, ref)
    existing = (
        await session.execute(
            select(Tariff.id).where(
                Tariff.profile_code == "P02", Tariff.intensity_code == "I1", Tariff.provider_id.is_(None)
            )
        )
    ).scalar_one()
    overlap = await client.post("/tariffs", json=regional("2030-06-01"), headers=headers)
    assert overlap.status_code == 409
    assert overlap.json()["code"] == "tariff_overlap"
    assert overlap.json()["existing"] == f"/api/v1/tariffs/{existing}"
    assert overlap.json()["existingTariffId"] == str(existing)

    # the same product for another provider (segment C) or another region is no overlap
    other_region = await client.post(
        "/tariffs", json=regional("2030-06-01"), headers=purchaser(auth, ref, other=True)
    )
    assert other_region.status_code == 201


async def test_segment_rules_for_the_provider(client: httpx.AsyncClient, auth: Auth, ref: Reference) -> None:
    headers = purchaser(auth, ref, other=True)
    missing = await client.post("/tariffs", json=regional("2026-01-01", profileCode="P10"), headers=headers)
    assert missing.status_code == 400
    assert [(p["name"], p["code"]) for p in missing.json()["invalidParams"]] == [("providerId", "required")]

    forbidden = await client.post(
        "/tariffs", json=regional("2026-01-01", providerId=str(ref.providers[0])), headers=headers
    )
    assert forbidden.status_code == 400
    assert [(p["name"], p["code"]) for p in forbidden.json()["invalidParams"]] == [
        ("providerId", "not_applicable")
    ]

    segment_c = await client.post(
        "/tariffs",
        json=regional("2026-01-01", profileCode="P10", providerId=str(ref.providers[0])),
        headers=headers,
    )
    assert segment_c.status_code == 201
    assert segment_c.json()["providerId"] == str(ref.providers[0])
    other_provider = await client.post(
        "/tariffs",
        json=regional("2026-01-01", profileCode="P10", providerId=str(ref.providers[1])),
        headers=headers,
    )
    assert other_provider.status_code == 201
    by_provider = await client.get(f"/tariffs?providerId={ref.providers[1]}", headers=headers)
    assert [t["id"] for t in by_provider.json()["items"]] == [other_provider.json()["id"]]


async def test_tariff_input_lists_every_problem(
    client: httpx.AsyncClient, auth: Auth, ref: Reference
) -> None:
    headers = purchaser(auth, ref, other=True)
    unknown = await client.post(
        "/tariffs",
        json=regional(
            "2026-02-01", "2026-01-01", profileCode="P77", providerId="00000000-0000-0000-0000-000000000009"
        ),
        headers=headers,
    )
    assert unknown.status_code == 400
    assert [(p["name"], p["code"]) for p in unknown.json()["invalidParams"]] == [
        ("profileCode", "unknown_profile"),
        ("providerId", "unknown_provider"),
        ("validTo", "invalid_period"),
    ]
    zero = await client.post(
        "/tariffs", json=regional("2026-01-01", amountCents=0, intensityCode="I9"), headers=headers
    )
    assert {p["name"] for p in zero.json()["invalidParams"]} == {"amountCents", "intensityCode"}


async def test_tariffs_are_confined_to_the_region(
    client: httpx.AsyncClient, auth: Auth, ref: Reference
) -> None:
    own = await client.get("/tariffs?pageSize=200", headers=purchaser(auth, ref))
    assert len(own.json()["items"]) == 32 + 3 * 8  # 8 B profiles × 4 regional, 2 C profiles × 4 per provider
    other = await client.get("/tariffs", headers=purchaser(auth, ref, other=True))
    assert other.json()["items"] == []
    some_id = own.json()["items"][0]["id"]
    assert (
        await client.get(f"/tariffs/{some_id}", headers=purchaser(auth, ref, other=True))
    ).status_code == 404
    assert (await client.get("/tariffs", headers=auth("municipality_officer"))).status_code == 403


async def test_tariff_pages_are_stable(client: httpx.AsyncClient, auth: Auth, ref: Reference) -> None:
    headers = purchaser(auth, ref)
    seen: list[str] = []
    cursor = None
    while True:
        url = "/tariffs?pageSize=7" + (f"&cursor={cursor}" if cursor else "")
        page = (await client.get(url, headers=headers)).json()
        seen.extend(t["id"] for t in page["items"])
        cursor = page["nextCursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 56


async def test_the_database_refuses_overlapping_periods(session: AsyncSession, ref: Reference) -> None:
    def tariff(valid_from: date, valid_to: date | None) -> Tariff:
        return Tariff(
            region_id=ref.other_region_id,
            profile_code="P03",
            intensity_code="I2",
            valid_from=valid_from,
            valid_to=valid_to,
            amount_cents=100,
        )

    session.add(tariff(date(2026, 1, 1), date(2026, 6, 30)))
    await session.flush()
    session.add(tariff(date(2026, 7, 1), None))  # touching, not overlapping: allowed
    await session.flush()
    session.add(tariff(date(2027, 1, 1), date(2027, 1, 31)))
    with pytest.raises(IntegrityError) as raised:
        await session.flush()
    assert "ex_tariffs_no_overlap" in str(raised.value)
    await session.rollback()


async def test_concurrent_overlap_loses_with_409(
    client: httpx.AsyncClient, auth: Auth, ref: Reference, sessionmaker: Any, session: AsyncSession
) -> None:
    """A tariff another transaction wrote but has not committed: the request waits, then gets 409."""
    async with sessionmaker() as competitor:
        rival = Tariff(
            region_id=ref.other_region_id,
            profile_code="P02",
            intensity_code="I1",
            valid_from=date(2026, 1, 1),
            amount_cents=150_000,
        )
        competitor.add(rival)
        await competitor.flush()  # written, not committed: invisible to the request's check
        request = asyncio.create_task(
            client.post("/tariffs", json=regional("2026-03-01"), headers=purchaser(auth, ref, other=True))
        )
        await _until_a_backend_waits_for_a_lock(session)
        await competitor.commit()
    response = await request
    assert response.status_code == 409
    assert response.json()["existing"] == f"/api/v1/tariffs/{rival.id}"
    count = (
        await session.execute(
            select(func.count()).select_from(Tariff).where(Tariff.region_id == ref.other_region_id)
        )
    ).scalar_one()
    assert count == 1


async def _until_a_backend_waits_for_a_lock(session: AsyncSession) -> None:
    query = text(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    for _ in range(500):
        if (await session.execute(query)).scalar_one() > 0:
            await session.rollback()
            return
        await session.rollback()
        await asyncio.sleep(0.01)
    raise AssertionError("the request never waited for the competing transaction")
