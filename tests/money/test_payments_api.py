"""The payment ledger and batch export over HTTP: approve, correct, export idempotently."""

import csv
import io
from datetime import date

from sqlalchemy import func, select

from app.models.core import AuditEvent, OutboxEvent
from app.models.money import PaymentLine
from app.models.providers import Contract
from app.services.money import payments
from tests.support.generators import Builder


async def _ledger(session, ref):
    """Three milestone engagements of two providers, started in October and November 2026."""
    b = Builder(session, ref)
    made = []
    for provider, start in [(0, date(2026, 10, 3)), (1, date(2026, 10, 20)), (0, date(2026, 11, 2))]:
        rows = await b.family()
        e = await b.engagement(rows, provider=ref.providers[provider], tariff_cents=100_000, start=start)
        e.assignment_number = f"T-{len(made) + 1}"
        await payments.schedule_on_start(session, e)
        made.append(e)
    await session.commit()
    return made


async def test_list_approve_and_export_idempotently(client, auth, session, ref):
    engagements = await _ledger(session, ref)
    officer = auth("municipality_officer")
    page = (await client.get("/payments", params={"status": "scheduled"}, headers=officer)).json()
    assert [i["amountCents"] for i in page["items"]] == [70_000, 70_000, 70_000]
    assert {i["kind"] for i in page["items"]} == {"start"}
    october = [i["id"] for i in page["items"] if i["period"] == "2026-10"]
    assert len(october) == 2

    r = await client.post(
        "/payments/approve", json={"ids": [i["id"] for i in page["items"]]}, headers=officer
    )
    assert r.status_code == 200 and {i["status"] for i in r.json()} == {"approved"}

    first = await client.post("/payment-batches", json={"period": "2026-10"}, headers=officer)
    assert first.status_code == 201
    batch = first.json()
    assert batch["lineCount"] == 2 and batch["totalCents"] == 140_000
    assert sorted(line["id"] for line in batch["lines"]) == sorted(october)
    assert {line["status"] for line in batch["lines"]} == {"exported"}
    assert {line["assignmentNumber"] for line in batch["lines"]} == {"T-1", "T-2"}

    again = await client.post("/payment-batches", json={"period": "2026-10"}, headers=officer)
    assert again.status_code == 200 and again.json()["id"] == batch["id"]

    as_csv = await client.post(
        "/payment-batches", json={"period": "2026-10"}, headers={**officer, "Accept": "text/csv"}
    )
    assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert sorted(r["lineId"] for r in rows) == sorted(october)
    assert {r["amountCents"] for r in rows} == {"70000"}

    # November for all providers: only the remaining line; October's lines are in no second batch
    nov = (await client.post("/payment-batches", json={"period": "2026-11"}, headers=officer)).json()
    assert [line["engagementId"] for line in nov["lines"]] == [str(engagements[2].id)]
    in_batches = await session.scalar(select(func.count()).where(PaymentLine.batch_id.is_not(None)))
    assert in_batches == 3

    nothing = await client.post(
        "/payment-batches",
        json={"period": "2026-11", "providerIds": [str(ref.providers[1])]},
        headers=officer,
    )
    assert nothing.status_code == 409 and nothing.json()["code"] == "nothing_to_export"

    exported = await session.scalar(
        select(func.count()).where(OutboxEvent.type == "nl.perspectief.payment-batch.exported")
    )
    assert exported == 2
    audits = await session.scalar(
        select(func.count()).where(AuditEvent.action == "export", AuditEvent.resource_id == batch["id"])
    )
    assert audits == 3 * 3  # three exports of the first batch: one batch row + one per family (2)

    paid = await client.post(f"/payment-batches/{batch['id']}/paid", headers=officer)
    assert {line["status"] for line in paid.json()["lines"]} == {"paid"}
    listed = (await client.get("/payment-batches", headers=officer)).json()["items"]
    assert [b["period"] for b in listed] == ["2026-11", "2026-10"]


async def test_provider_set_batches_do_not_share_lines(client, auth, session, ref):
    await _ledger(session, ref)
    officer = auth("municipality_officer")
    ids = [i["id"] for i in (await client.get("/payments", headers=officer)).json()["items"]]
    await client.post("/payments/approve", json={"ids": ids}, headers=officer)
    one = (
        await client.post(
            "/payment-batches",
            json={"period": "2026-11", "providerIds": [str(ref.providers[0])]},
            headers=officer,
        )
    ).json()
    rest = (await client.post("/payment-batches", json={"period": "2026-11"}, headers=officer)).json()
    assert one["lineCount"] == 2 and rest["lineCount"] == 1
    assert not {line["id"] for line in one["lines"]} & {line["id"] for line in rest["lines"]}


async def test_corrections_and_errors(client, auth, session, ref):
    await _ledger(session, ref)
    officer = auth("municipality_officer")
    line = (await client.get("/payments", headers=officer)).json()["items"][0]
    r = await client.post(
        f"/payments/{line['id']}/corrections", json={"amountCents": -5_000}, headers=officer
    )
    assert r.status_code == 201
    assert r.json()["kind"] == "correction" and r.json()["correctsLineId"] == line["id"]
    too_much = await client.post(
        f"/payments/{line['id']}/corrections", json={"amountCents": 40_000}, headers=officer
    )
    assert too_much.status_code == 409 and too_much.json()["code"] == "payment_ceiling_exceeded"
    below_zero = await client.post(
        f"/payments/{line['id']}/corrections", json={"amountCents": -70_000}, headers=officer
    )
    assert below_zero.status_code == 409
    zero = await client.post(f"/payments/{line['id']}/corrections", json={"amountCents": 0}, headers=officer)
    assert zero.status_code == 400
    bad = await client.post("/payment-batches", json={"period": "2026-13", "extra": 1}, headers=officer)
    assert bad.status_code == 400
    assert {p["name"] for p in bad.json()["invalidParams"]} == {"period", "extra"}
    other = auth("municipality_officer", municipality="GM0599")
    assert (await client.get(f"/payments/{line['id']}", headers=other)).status_code == 404
    assert (
        await client.post("/payments/approve", json={"ids": [line["id"]]}, headers=other)
    ).status_code == 404
    professional = auth("district_professional", team=ref.teams["GM0363"])
    assert (await client.get("/payments", headers=professional)).status_code == 403


async def test_scheduling_run_monthly_and_lumpsum(client, auth, session, ref):
    contract = await session.get(Contract, ref.contracts[ref.providers[2]])
    contract.payment_model, contract.lumpsum_period_cents = "lumpsum", 250_000
    b = Builder(session, ref)
    rows = await b.family()
    await b.engagement(rows, payment_model="monthly", tariff_cents=120_000, start=date(2026, 9, 10))
    await session.commit()
    officer = auth("municipality_officer")
    r = await client.post("/payments/scheduling-runs", json={"period": "2026-10"}, headers=officer)
    assert r.json() == {"period": "2026-10", "monthlyLines": 2, "lumpsumLines": 1}
    again = await client.post("/payments/scheduling-runs", json={"period": "2026-10"}, headers=officer)
    assert again.json() == {"period": "2026-10", "monthlyLines": 0, "lumpsumLines": 0}
    lines = (await client.get("/payments", headers=officer)).json()["items"]
    assert sorted((i["kind"], i["period"], i["amountCents"]) for i in lines) == [
        ("lumpsum", "2026-10", 250_000),
        ("monthly", "2026-09", 10_000),
        ("monthly", "2026-10", 10_000),
    ]
    scheduled = await session.scalar(
        select(func.count()).where(OutboxEvent.type == "nl.perspectief.payment.scheduled")
    )
    assert scheduled == 3
