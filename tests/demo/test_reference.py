"""The demo reference data loads on a fresh database and reads back through the API."""

import importlib.util
from collections.abc import Callable

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.demo import load_demo
from app.demo import reference as demo_reference
from app.demo.ids import DEMO_REGION, demo_id

Auth = Callable[..., dict[str, str]]


async def test_demo_reference_seeds_and_reads_back(
    client: httpx.AsyncClient, auth: Auth, session: AsyncSession
) -> None:
    await demo_reference.seed(session)
    await session.commit()

    admin = auth("admin")
    teams = (await client.get("/teams", headers=admin)).json()["items"]
    assert len(teams) == 5  # four district teams and the intake team
    intake = next(t for t in teams if t["kind"] == "intake")
    assert intake["districtCodes"] == []
    districts = (await client.get("/districts", headers=admin)).json()["items"]
    assert [d["code"] for d in districts] == ["WK036301", "WK036302", "WK036303", "WK036304"]
    indicators = (await client.get("/districts/WK036302/indicators", headers=admin)).json()["items"]
    assert [(i["year"], i["values"]["youthPopulation"]) for i in indicators] == [(2025, 9800), (2026, 9800)]

    purchaser = auth("purchasing_officer", region=str(DEMO_REGION))
    contracts = await client.get(f"/providers/{demo_id('provider', '8')}/contracts", headers=purchaser)
    assert [(c["paymentModel"], c["lumpsumPeriodCents"]) for c in contracts.json()["items"]] == [
        ("lumpsum", 2_500_000)
    ]
    tariffs = await client.get(
        "/tariffs?profileCode=P06&intensityCode=I2&onDate=2026-03-01", headers=purchaser
    )
    assert [t["amountCents"] for t in tariffs.json()["items"]] == [420_000]

    market = await client.get("/public/providers?municipality=GM0384&profileCode=P02&intensityCode=I1")
    assert market.status_code == 200
    assert [p["agbCode"] for p in market.json()["items"]] == ["10000011", "10000077", "10000088"]


@pytest.mark.skipif(
    importlib.util.find_spec("app.demo.families") is None
    or importlib.util.find_spec("app.demo.history") is None,
    reason="the demo families and history parts are not in this tree yet",
)
async def test_load_demo_on_a_fresh_database(
    client: httpx.AsyncClient, auth: Auth, database_url: str
) -> None:
    assert await load_demo(database_url) is True
    assert await load_demo(database_url) is False  # idempotent
    profiles = await client.get("/support-profiles", headers=auth("integration"))
    assert len(profiles.json()["items"]) == 11
