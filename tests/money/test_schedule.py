"""Scheduling of payment lines on an engagement's start and close, per frozen payment model."""

from datetime import date

from sqlalchemy import select

from app.models.core import OutboxEvent
from app.models.money import PaymentLine
from app.models.providers import Contract
from app.services.money import payments
from tests.support.generators import Builder


async def _lines(session, engagement_id):
    rows = await session.scalars(
        select(PaymentLine).where(PaymentLine.engagement_id == engagement_id).order_by(PaymentLine.created_at)
    )
    return [(r.kind, r.amount_cents, r.period) for r in rows]


async def _monthly_until_february_2026(session, ref, start):
    """A monthly engagement (yearly tariff 1 200,05) started on ``start``, scheduled up to
    February 2026; the engagement and its lines."""
    b = Builder(session, ref)
    e = await b.engagement(await b.family(), payment_model="monthly", tariff_cents=120_005, start=start)
    await payments.schedule_running_months(session, "GM0363", date(2026, 2, 1))
    return e, await _lines(session, e.id)


async def test_milestone_start_and_completion_with_result_share(session, ref):
    b = Builder(session, ref)
    rows = await b.family()
    e = await b.engagement(rows, tariff_cents=420_000, result_share_percent=10)
    await payments.schedule_on_start(session, e)
    await payments.schedule_on_start(session, e)  # idempotent
    e.status, e.end_date, e.end_reason = "closed", date(2026, 5, 1), "31"
    await b.goals(rows, e, [1, 0, -1])
    await payments.schedule_on_close(session, e)
    await payments.schedule_on_close(session, e)
    await session.commit()
    assert await _lines(session, e.id) == [
        ("start", 294_000, "2026-01"),
        ("completion", 126_000, "2026-05"),
        ("result", 12_600, "2026-05"),
    ]
    kinds = await session.scalars(
        select(OutboxEvent.data["kind"].astext).where(OutboxEvent.type == "nl.perspectief.payment.scheduled")
    )
    assert sorted(kinds) == ["completion", "result", "start"]


async def test_dropout_pays_no_completion_unless_contract_says_so(session, ref):
    b = Builder(session, ref)
    rows = await b.family()
    e = await b.engagement(rows, tariff_cents=100_000, status="closed", end=date(2026, 3, 1), end_reason="32")
    await payments.schedule_on_close(session, e)
    assert await _lines(session, e.id) == [("start", 70_000, "2026-01")]
    contract = await session.get(Contract, ref.contracts[ref.providers[1]])
    contract.completion_on_dropout = True
    rows2 = await b.family()
    e2 = await b.engagement(
        rows2,
        provider=ref.providers[1],
        tariff_cents=100_000,
        status="closed",
        end=date(2026, 3, 1),
        end_reason="33",
        result_share_percent=20,
    )
    await b.goals(rows2, e2, [2])
    await payments.schedule_on_close(session, e2)
    # completion paid by contract, but no result share on a dropout
    assert await _lines(session, e2.id) == [("start", 70_000, "2026-01"), ("completion", 30_000, "2026-03")]


async def test_premature_by_agreement_is_pro_rata(session, ref):
    b = Builder(session, ref)
    rows = await b.family()
    # I2: 6 months max; 1 Jan → 2 Apr 2026 = 91 days of 182.625 → share 0.4983
    e = await b.engagement(
        rows,
        intensity="I2",
        tariff_cents=100_000,
        start=date(2026, 1, 1),
        status="closed",
        end=date(2026, 4, 2),
        end_reason="34",
    )
    await payments.schedule_on_close(session, e)
    assert await _lines(session, e.id) == [("start", 70_000, "2026-01"), ("completion", 14_948, "2026-04")]


async def test_monthly_schedules_months_and_reverses_after_end(session, ref):
    e, lines = await _monthly_until_february_2026(session, ref, date(2025, 11, 15))
    assert [p for _, _, p in lines] == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert {a for _, a, _ in lines} == {10_000}
    e.status, e.end_date, e.end_reason = "closed", date(2026, 1, 10), "31"
    await payments.schedule_on_close(session, e)
    lines = await _lines(session, e.id)
    assert lines[-1] == ("correction", -10_000, "2026-01")
    assert await payments.ledger_total(session, e.id) == 30_000


async def test_monthly_never_exceeds_the_yearly_tariff(session, ref):
    e, lines = await _monthly_until_february_2026(session, ref, date(2024, 1, 15))
    assert len(lines) == 12
    assert lines[-1][1] == 10_005
    assert await payments.ledger_total(session, e.id) == 120_005


async def test_lumpsum_engagement_has_no_lines(session, ref):
    b = Builder(session, ref)
    rows = await b.family()
    e = await b.engagement(
        rows, payment_model="lumpsum", status="closed", end=date(2026, 3, 1), end_reason="31"
    )
    await payments.schedule_on_start(session, e)
    await payments.schedule_on_close(session, e)
    assert await _lines(session, e.id) == []
