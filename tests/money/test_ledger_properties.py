"""Property tests: whatever happens to an engagement, its payments stay within 0 and its ceiling.

Random lifecycles (start, monthly runs, closure with any end reason and GAS scores, repeated
calls, corrections of any line by any amount, out-of-order calls) are run against the real
ledger service and database; after every step the ledger total lies in ``0 … ceiling`` and no
kind of line is written twice.
"""

import asyncio
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.auth import Principal, Role
from app.errors import Conflict
from app.models.money import PaymentLine
from app.models.providers import Contract
from app.services.money import ledger as payment_ledger
from app.services.money import ledger_rules as rules
from app.services.money import payments
from tests.support.generators import Builder

OFFICER = Principal(sub="test-officer", roles=frozenset({Role.MUNICIPALITY_OFFICER}), municipality="GM0363")
REASONS = ["02", "20", "31", "32", "33", "34", "35", "36", "37", "38", "39"]

terms_strategy = st.builds(
    rules.Terms,
    tariff_cents=st.integers(min_value=1, max_value=5_000_000),
    payment_model=st.sampled_from(["milestone", "monthly", "lumpsum"]),
    start_share_percent=st.integers(min_value=0, max_value=100),
    result_share_percent=st.none() | st.integers(min_value=0, max_value=50),
)

step = st.one_of(
    st.tuples(st.just("start")),
    st.tuples(st.just("run"), st.integers(min_value=0, max_value=30)),
    st.tuples(
        st.just("close"),
        st.integers(min_value=0, max_value=800),
        st.sampled_from(REASONS),
        st.lists(st.integers(min_value=-2, max_value=2), max_size=4),
    ),
    st.tuples(st.just("correct"), st.integers(min_value=0, max_value=20), st.integers(-6_000_000, 6_000_000)),
)


@given(
    terms=st.one_of(terms_strategy),
    start=st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 10, 1)),
    intensity=st.sampled_from(["I1", "I2", "I3", "I4"]),
    dropout_paid=st.booleans(),
    steps=st.lists(step, min_size=1, max_size=8),
)
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
async def test_ledger_total_never_leaves_zero_to_ceiling(
    sessionmaker, ref, terms, start, intensity, dropout_paid, steps
):
    async with sessionmaker() as session:
        contract = await session.get(Contract, ref.contracts[ref.providers[2]])
        contract.completion_on_dropout = dropout_paid
        b = Builder(session, ref)
        rows = await b.family()
        e = await b.engagement(
            rows,
            provider=ref.providers[2],
            intensity=intensity,
            status="accepted",
            start=None,
            payment_model=terms.payment_model,
            tariff_cents=terms.tariff_cents,
            start_share_percent=terms.start_share_percent,
            result_share_percent=terms.result_share_percent,
        )
        cap = rules.ceiling(terms)
        for action, *args in steps:
            await _apply(session, b, rows, e, start, action, args)
            lines = list(await session.scalars(select(PaymentLine).where(PaymentLine.engagement_id == e.id)))
            total = sum(line.amount_cents for line in lines)
            assert 0 <= total <= cap, (action, total, cap)
            once = [
                (ln.kind, ln.period if ln.kind == "monthly" else "")
                for ln in lines
                if ln.kind != "correction"
            ]
            assert len(once) == len(set(once))
            for line in lines:
                net = line.amount_cents + sum(c.amount_cents for c in lines if c.corrects_line_id == line.id)
                assert line.kind == "correction" or net >= 0
        await session.commit()


async def _apply(session, b, rows, e, start, action, args) -> None:
    if action == "start":
        e.status, e.start_date = "started", e.start_date or start
        await payments.schedule_on_start(session, e)
    elif action == "run":
        await payments.schedule_running_months(session, "GM0363", start + timedelta(days=31 * args[0]))
    elif action == "close":
        offset, reason, scores = args
        e.status, e.start_date = "closed", e.start_date or start
        e.end_date, e.end_reason = e.start_date + timedelta(days=offset), reason
        if scores:
            await b.goals(rows, e, scores)
        await payments.schedule_on_close(session, e)
    elif action == "correct":
        index, amount = args
        lines = list(
            await session.scalars(
                select(PaymentLine)
                .where(PaymentLine.engagement_id == e.id, PaymentLine.kind != "correction")
                .order_by(PaymentLine.created_at, PaymentLine.id)
            )
        )
        if lines and amount:
            try:
                await payment_ledger.correct(session, OFFICER, lines[index % len(lines)].id, amount, None)
            except Conflict as exc:
                assert exc.code == "payment_ceiling_exceeded"


@given(
    terms=terms_strategy,
    days=st.integers(0, 1000),
    reason=st.sampled_from(REASONS),
    dropout_paid=st.booleans(),
    max_months=st.sampled_from([3, 6, 12, 24]),
    scores=st.lists(st.integers(-2, 2), max_size=5),
)
def test_rules_milestone_parts_fit_the_ceiling(terms, days, reason, dropout_paid, max_months, scores):
    start = date(2026, 1, 1)
    due = rules.completion_due(
        terms,
        end_reason=reason,
        completion_on_dropout=dropout_paid,
        start=start,
        end=start + timedelta(days=days),
        max_months=max_months,
    )
    result = rules.result_share(terms, due) if rules.outcome_met(reason, scores) else 0
    assert 0 <= due <= rules.completion_part(terms)
    assert rules.start_part(terms) + due + result <= rules.ceiling(terms)
    if terms.payment_model == "milestone" and reason == "31":
        assert rules.start_part(terms) + due == terms.tariff_cents


@given(tariff=st.integers(0, 10_000_000))
def test_rules_twelve_monthly_parts_are_exactly_the_tariff(tariff):
    terms = rules.Terms(tariff_cents=tariff, payment_model="monthly")
    parts = [rules.monthly_part(terms, i) for i in range(14)]
    assert sum(parts) == tariff
    assert parts[12] == parts[13] == 0


async def test_concurrent_corrections_cannot_overshoot(sessionmaker, ref, client, auth):
    """Two positive corrections racing on one engagement: the engagement lock lets one through."""
    async with sessionmaker() as session:
        b = Builder(session, ref)
        rows = await b.family()
        e = await b.engagement(rows, tariff_cents=100_000)
        await payments.schedule_on_start(session, e)
        e.status, e.end_date, e.end_reason = "closed", date(2026, 3, 1), "32"  # dropout: only the start part
        await payments.schedule_on_close(session, e)
        await session.commit()
        start_line = await session.scalar(select(PaymentLine.id).where(PaymentLine.engagement_id == e.id))
    headers = auth("municipality_officer")
    url = f"/payments/{start_line}/corrections"
    first, second = await asyncio.gather(
        client.post(url, json={"amountCents": 20_000}, headers=headers),
        client.post(url, json={"amountCents": 20_000}, headers=headers),
    )
    assert sorted([first.status_code, second.status_code]) == [201, 409]
    async with sessionmaker() as session:
        total = await session.scalar(
            select(func.sum(PaymentLine.amount_cents)).where(PaymentLine.engagement_id == e.id)
        )
    assert total == 90_000
