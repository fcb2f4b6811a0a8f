"""The payment ledger: lines scheduled on an engagement's start and close (DESIGN §7).

Called by the engagement service inside the same transaction as the state change, after the
engagement's own changes (status, dates, end reason, final GAS scores on ``engagement_goals``)
have been added to the session; this module flushes them first.

The ledger is append-only. Every line for an engagement is added through :func:`append_line`, which
runs with the engagement row locked (``SELECT … FOR UPDATE``), so concurrent requests append one
after the other and the sum per engagement stays within ``0 … ceiling`` (see
:mod:`app.services.money.ledger_rules` for the amounts). Scheduling is idempotent: each kind of line
(start, completion, result, one monthly line per month) is written at most once.

Monthly model: lines are scheduled as time passes. At start the months from the start month up
to the current month are scheduled; :func:`schedule_period` (a periodic run, ``POST
/payments/scheduling-runs``) adds each further month while the engagement runs; at closure the
months up to the end month are completed and any month already scheduled after the end month is
reversed by a correction line.
"""

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import Conflict
from app.models.base import utcnow
from app.models.catalogue import ProfileIntensity
from app.models.engagements import Engagement, EngagementGoal
from app.models.money import PaymentLine
from app.models.providers import Contract
from app.services.money import ledger_rules as rules
from app.services.platform import events

PAYMENT_EVENT = events.EventSpec(
    "/payments/{id}", ("engagement_id", "provider_id", "kind", "amount_cents", "period", "status")
)


@dataclass
class _Ledger:
    """The engagement's existing lines, read under the engagement's lock."""

    lines: list[PaymentLine]

    @property
    def total(self) -> int:
        return sum(line.amount_cents for line in self.lines)

    def has(self, kind: str, period: str | None = None) -> bool:
        return any(line.kind == kind and (period is None or line.period == period) for line in self.lines)

    def net_of(self, line: PaymentLine) -> int:
        return line.amount_cents + sum(c.amount_cents for c in self.lines if c.corrects_line_id == line.id)


def terms_of(engagement: Engagement) -> rules.Terms | None:
    if engagement.tariff_cents is None or engagement.payment_model is None:
        return None
    return rules.Terms(
        tariff_cents=engagement.tariff_cents,
        payment_model=engagement.payment_model,
        start_share_percent=70 if engagement.start_share_percent is None else engagement.start_share_percent,
        result_share_percent=engagement.result_share_percent,
    )


async def lock_ledger(session: AsyncSession, engagement_id: uuid.UUID) -> _Ledger:
    """Lock the engagement row and read its lines: the ledger's unit of serialisation."""
    await session.execute(select(Engagement.id).where(Engagement.id == engagement_id).with_for_update())
    rows = await session.scalars(
        select(PaymentLine).where(PaymentLine.engagement_id == engagement_id).order_by(PaymentLine.created_at)
    )
    return _Ledger(list(rows))


def append_line(
    session: AsyncSession,
    engagement: Engagement,
    ledger: _Ledger,
    kind: str,
    amount: int,
    due: date,
    *,
    corrects: uuid.UUID | None = None,
    note: str | None = None,
    strict: bool = False,
) -> PaymentLine | None:
    """Append one line within ``0 ≤ total ≤ ceiling``.

    Scheduled lines are clipped to the remaining headroom (``strict=False``); a correction
    that would break the bounds is refused (``strict=True``).
    """
    terms = terms_of(engagement)
    cap = rules.ceiling(terms) if terms else 0
    total = ledger.total
    if not strict:
        amount = min(amount, cap - total)
        if amount <= 0:
            return None
    elif not 0 <= total + amount <= cap:
        raise Conflict(
            "The correction would take the engagement's payments outside 0 and its frozen tariff.",
            code="payment_ceiling_exceeded",
            ceiling_cents=cap,
            total_cents=total,
        )
    line = PaymentLine(
        municipality_code=engagement.municipality_code,
        engagement_id=engagement.id,
        contract_id=engagement.contract_id,
        provider_id=engagement.provider_id,
        district_code=engagement.district_code,
        kind=kind,
        amount_cents=amount,
        due_date=due,
        period=rules.period_of(due),
        corrects_line_id=corrects,
        note=note,
    )
    session.add(line)
    ledger.lines.append(line)
    emit_scheduled(session, line)
    return line


def emit_scheduled(session: AsyncSession, line: PaymentLine) -> None:
    PAYMENT_EVENT.emit(session, "payment.scheduled", line)


async def schedule_on_start(session: AsyncSession, engagement: Engagement) -> None:
    """Schedule the lines due when ``engagement`` starts (its frozen payment model decides)."""
    await session.flush()
    terms = terms_of(engagement)
    if terms is None or engagement.start_date is None or engagement.contract_id is None:
        return
    ledger = await lock_ledger(session, engagement.id)
    if terms.payment_model == "milestone" and not ledger.has("start"):
        append_line(session, engagement, ledger, "start", rules.start_part(terms), engagement.start_date)
    elif terms.payment_model == "monthly":
        _schedule_months(session, engagement, ledger, max(engagement.start_date, utcnow().date()))
    await session.flush()


async def schedule_on_close(session: AsyncSession, engagement: Engagement) -> None:
    """Schedule the lines due when ``engagement`` closes (completion, pro rata, result share)."""
    await session.flush()
    terms = terms_of(engagement)
    if terms is None or engagement.start_date is None or engagement.contract_id is None:
        return
    end = engagement.end_date or utcnow().date()
    ledger = await lock_ledger(session, engagement.id)
    if terms.payment_model == "milestone":
        await _close_milestone(session, engagement, ledger, terms, end)
    elif terms.payment_model == "monthly":
        _schedule_months(session, engagement, ledger, end)
        _reverse_months_after(session, engagement, ledger, end)
    await session.flush()


async def _close_milestone(
    session: AsyncSession, engagement: Engagement, ledger: _Ledger, terms: rules.Terms, end: date
) -> None:
    assert engagement.start_date is not None
    if not ledger.has("start"):  # a start that was never scheduled is paid now
        append_line(session, engagement, ledger, "start", rules.start_part(terms), engagement.start_date)
    if ledger.has("completion"):
        return
    dropout_paid = await session.scalar(
        select(Contract.completion_on_dropout).where(Contract.id == engagement.contract_id)
    )
    max_months = await session.scalar(
        select(ProfileIntensity.max_months).where(
            ProfileIntensity.profile_code == engagement.profile_code,
            ProfileIntensity.code == engagement.intensity_code,
        )
    )
    due = rules.completion_due(
        terms,
        end_reason=engagement.end_reason,
        completion_on_dropout=bool(dropout_paid),
        start=engagement.start_date,
        end=end,
        max_months=max_months or 0,
    )
    completion = append_line(session, engagement, ledger, "completion", due, end)
    if completion is not None and not engagement.outcome_pending:
        await _schedule_result(session, engagement, ledger, terms, completion.amount_cents, end)


async def schedule_on_outcome(session: AsyncSession, engagement: Engagement) -> None:
    """The result share of an engagement whose closure report followed its end of care (JW307)."""
    await session.flush()
    terms = terms_of(engagement)
    if terms is None or terms.payment_model != "milestone" or engagement.end_date is None:
        return
    ledger = await lock_ledger(session, engagement.id)
    completion = sum(line.amount_cents for line in ledger.lines if line.kind == "completion")
    if completion > 0:
        await _schedule_result(session, engagement, ledger, terms, completion, engagement.end_date)
    await session.flush()


async def _schedule_result(
    session: AsyncSession,
    engagement: Engagement,
    ledger: _Ledger,
    terms: rules.Terms,
    completion_cents: int,
    end: date,
) -> None:
    if not terms.result_share_percent or ledger.has("result"):
        return
    scores = list(
        await session.scalars(
            select(EngagementGoal.final_gas_score).where(
                EngagementGoal.engagement_id == engagement.id, EngagementGoal.final_gas_score.is_not(None)
            )
        )
    )
    if rules.outcome_met(engagement.end_reason, [s for s in scores if s is not None]):
        share = rules.result_share(terms, completion_cents)
        append_line(session, engagement, ledger, "result", share, end)


def _schedule_months(session: AsyncSession, engagement: Engagement, ledger: _Ledger, through: date) -> None:
    """Schedule each missing month from the start month through ``through``'s month (max 12)."""
    terms = terms_of(engagement)
    start = engagement.start_date
    if terms is None or start is None or through < start:
        return
    count = min(rules.months_between(start, through), rules.MONTHS_PER_YEAR)
    for index in range(count):
        first = rules.add_months(start, index)
        if ledger.has("monthly", rules.period_of(first)):
            continue
        amount = rules.monthly_part(terms, index)
        append_line(session, engagement, ledger, "monthly", amount, max(first, start))


def _reverse_months_after(session: AsyncSession, engagement: Engagement, ledger: _Ledger, end: date) -> None:
    """Reverse (by correction lines) monthly lines of months after the end month."""
    last_period = rules.period_of(end)
    for line in [ln for ln in ledger.lines if ln.kind == "monthly" and ln.period > last_period]:
        net = ledger.net_of(line)
        if net > 0:
            append_line(
                session,
                engagement,
                ledger,
                "correction",
                -net,
                end,
                corrects=line.id,
                note="month after the end date",
                strict=True,
            )


async def schedule_running_months(session: AsyncSession, municipality: str, through: date) -> int:
    """Schedule the monthly lines due through ``through`` for running monthly engagements.

    The engagements are locked in one statement (in id order, so concurrent runs cannot
    deadlock) and their lines read in one more; then the missing months are appended.
    """
    running = list(
        await session.scalars(
            select(Engagement)
            .where(
                Engagement.municipality_code == municipality,
                Engagement.status == "started",
                Engagement.payment_model == "monthly",
                Engagement.start_date <= through,
            )
            .order_by(Engagement.id)
            .with_for_update()
        )
    )
    lines: dict[uuid.UUID, list[PaymentLine]] = {e.id: [] for e in running}
    if running:
        rows = await session.scalars(
            select(PaymentLine)
            .where(PaymentLine.engagement_id.in_(list(lines)))
            .order_by(PaymentLine.created_at)
        )
        for line in rows:
            lines[line.engagement_id].append(line)  # type: ignore[index]
    added = 0
    for engagement in running:
        ledger = _Ledger(lines[engagement.id])
        before = len(ledger.lines)
        _schedule_months(session, engagement, ledger, through)
        added += len(ledger.lines) - before
    await session.flush()
    return added


async def ledger_total(session: AsyncSession, engagement_id: uuid.UUID) -> int:
    total = await session.scalar(
        select(func.coalesce(func.sum(PaymentLine.amount_cents), 0)).where(
            PaymentLine.engagement_id == engagement_id
        )
    )
    return int(total or 0)
