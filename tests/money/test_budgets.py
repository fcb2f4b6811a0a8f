"""Budgets, allocations by weighted indicators, and budget status per district and category."""

from datetime import date

from sqlalchemy import update

from app.models.geography import DistrictIndicator
from app.models.money import PaymentLine
from app.services.money.budget_status import forecast
from tests.support.generators import Builder


async def test_put_budget_and_scope(client, auth, ref):
    officer = auth("municipality_officer")
    r = await client.put(
        "/budgets/GM0363/2026/specialist",
        json={"districtCode": "WK036301", "amountCents": 500_000},
        headers=officer,
    )
    assert r.status_code == 200
    assert r.json()["amountCents"] == 500_000 and r.json()["districtCode"] == "WK036301"
    again = await client.put(
        "/budgets/GM0363/2026/specialist",
        json={"districtCode": "WK036301", "amountCents": 600_000},
        headers=officer,
    )
    assert again.json()["id"] == r.json()["id"] and again.json()["amountCents"] == 600_000
    whole = await client.put("/budgets/GM0363/2026/lumpsum", json={"amountCents": 1}, headers=officer)
    assert whole.status_code == 200 and whole.json()["districtCode"] is None
    listed = (await client.get("/budgets", params={"year": 2026}, headers=officer)).json()
    assert [(b["districtCode"], b["category"]) for b in listed] == [
        (None, "lumpsum"),
        ("WK036301", "specialist"),
    ]

    other = await client.put("/budgets/GM0599/2026/specialist", json={"amountCents": 1}, headers=officer)
    assert other.status_code == 404
    foreign = await client.put(
        "/budgets/GM0363/2026/specialist",
        json={"districtCode": "WK059901", "amountCents": 1},
        headers=officer,
    )
    assert foreign.status_code == 400 and foreign.json()["invalidParams"][0]["code"] == "unknown_district"
    bad = await client.put("/budgets/GM0363/2026/other", json={"amountCents": -1}, headers=officer)
    assert bad.status_code == 400 and {p["name"] for p in bad.json()["invalidParams"]} == {
        "category",
        "amountCents",
    }
    gp = auth("gp", agb="01234567")
    assert (
        await client.put("/budgets/GM0363/2026/specialist", json={"amountCents": 1}, headers=gp)
    ).status_code == 403


async def test_allocation_by_weighted_indicators(client, auth, session, ref):
    for code, youth, low in [("WK036301", 3000, 0.2), ("WK036302", 1000, 0.1)]:
        await session.execute(
            update(DistrictIndicator)
            .where(DistrictIndicator.district_code == code)
            .values(youth_population=youth, values={"youthPopulation": youth, "lowIncomeShare": low})
        )
    await session.commit()
    officer = auth("municipality_officer")
    body = {
        "municipality": "GM0363",
        "year": 2026,
        "category": "specialist",
        "totalCents": 1_000_001,
        "weights": {"youthPopulation": 0.7, "lowIncomeShare": 0.3},
    }
    r = await client.post("/budget-allocations", json=body, headers=officer)
    assert r.status_code == 201, r.text
    districts = {d["districtCode"]: d for d in r.json()["districts"]}
    # shares: youth 3/4 and 1/4, low income 2/3 and 1/3 → 0.7·0.75 + 0.3·(2/3) = 0.725
    assert districts["WK036301"]["share"] == 0.725 and districts["WK036302"]["share"] == 0.275
    assert districts["WK036301"]["indicatorShares"] == {"youthPopulation": 0.75, "lowIncomeShare": 0.666667}
    assert districts["WK036301"]["indicators"] == {"youthPopulation": 3000, "lowIncomeShare": 0.2}
    assert districts["WK036301"]["amountCents"] == 725_001 and districts["WK036302"]["amountCents"] == 275_000
    budgets = (await client.get("/budgets", params={"year": 2026}, headers=officer)).json()
    assert {(b["districtCode"], b["amountCents"], b["allocationId"]) for b in budgets} == {
        ("WK036301", 725_001, r.json()["id"]),
        ("WK036302", 275_000, r.json()["id"]),
    }
    fetched = await client.get(r.headers["location"].removeprefix("/api/v1"), headers=officer)
    assert fetched.json() == r.json()

    missing = await client.post(
        "/budget-allocations",
        json={**body, "weights": {"unknownIndicator": 1, "youthPopulation": -1}},
        headers=officer,
    )
    assert missing.status_code == 400
    assert {(p["name"], p["code"]) for p in missing.json()["invalidParams"]} == {
        ("weights.youthPopulation", "negative_weight"),
        ("weights.unknownIndicator", "indicator_missing"),
    }
    missing = await client.post(
        "/budget-allocations", json={**body, "weights": {"unknownIndicator": 1}}, headers=officer
    )
    assert missing.json()["invalidParams"][0]["code"] == "indicator_missing"
    other = await client.post("/budget-allocations", json={**body, "municipality": "GM0599"}, headers=officer)
    assert other.status_code == 404


async def test_budget_status(client, auth, session, ref):
    year = date.today().year
    b = Builder(session, ref)
    d1, d2 = ref.districts["GM0363"]
    day = date(year, 1, 10)

    def line(e, kind, amount, status):
        return PaymentLine(
            municipality_code="GM0363",
            engagement_id=e.id if e else None,
            contract_id=ref.contracts[ref.providers[0]],
            provider_id=ref.providers[0],
            district_code=e.district_code if e else None,
            kind=kind,
            amount_cents=amount,
            due_date=day,
            period=f"{year}-01",
            status=status,
        )

    a = await b.engagement(await b.family(d1), tariff_cents=100_000)
    accepted = await b.engagement(await b.family(d1), tariff_cents=200_000, status="accepted")
    closed = await b.engagement(
        await b.family(d1), tariff_cents=100_000, status="closed", end=day, end_reason="31"
    )
    await b.engagement(await b.family(d2), profile="P01", tariff_cents=50_000)
    session.add_all(
        [
            line(a, "start", 70_000, "exported"),
            line(closed, "start", 70_000, "paid"),
            line(closed, "completion", 30_000, "scheduled"),
            line(None, "lumpsum", 250_000, "exported"),
        ]
    )
    await session.commit()
    officer = auth("municipality_officer")
    await client.put(
        f"/budgets/GM0363/{year}/specialist",
        json={"districtCode": d1, "amountCents": 200_000},
        headers=officer,
    )
    await client.put(
        f"/budgets/GM0363/{year}/prevention",
        json={"districtCode": d2, "amountCents": 10_000},
        headers=officer,
    )
    r = await client.get("/budget-status", headers=officer)
    assert r.status_code == 200
    body = r.json()
    assert body["year"] == year and body["municipalityCode"] == "GM0363"
    rows = {(i["districtCode"], i["category"]): i for i in body["items"]}
    assert set(rows) == {(d1, "specialist"), (d2, "local_team"), (d2, "prevention"), (None, "lumpsum")}
    spec = rows[(d1, "specialist")]
    assert (spec["allocatedCents"], spec["spentCents"], spec["committedCents"]) == (200_000, 140_000, 230_000)
    assert spec["forecastCents"] == forecast(140_000, year, date.today())
    assert spec["overCommitted"] is True
    assert (
        rows[(d2, "local_team")]["committedCents"] == 50_000
        and rows[(d2, "local_team")]["allocatedCents"] is None
    )
    assert rows[(d2, "prevention")]["overCommitted"] is False
    assert rows[(None, "lumpsum")]["spentCents"] == 250_000
    assert accepted.status == "accepted"
    totals = {t["category"]: t for t in body["totals"]}
    assert totals["specialist"]["committedCents"] == 230_000
    past = (await client.get("/budget-status", params={"year": year - 1}, headers=officer)).json()
    assert past["items"] == []
    assert (
        await client.get("/budget-status", params={"municipality": "GM0599"}, headers=officer)
    ).status_code == 404


def test_forecast_extrapolates_linearly():
    assert forecast(100, 2026, date(2026, 1, 1)) == 36_500
    assert forecast(365, 2026, date(2026, 12, 31)) == 365
    assert forecast(365, 2025, date(2026, 3, 1)) == 365
    assert forecast(365, 2027, date(2026, 3, 1)) == 0
