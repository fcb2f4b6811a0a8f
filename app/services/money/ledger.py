"""Reading and maintaining the payment ledger: list, approve, correct, periodic scheduling runs.

Only municipality officers use these functions, always confined to their municipality
(:func:`line_scope`). The ledger is append-only: approval changes a line's status, a correction
is a new line that references the line it corrects.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_, func, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import Principal, Role
from app.errors import Conflict, Forbidden, InvalidInput, InvalidParam, NotFound
from app.models.base import utcnow
from app.models.engagements import Engagement
from app.models.geography import Municipality
from app.models.money import PaymentLine
from app.models.providers import Contract, Provider
from app.pagination import TIME_AND_ID, PageRequest, cursor_key
from app.services.money import ledger_rules as rules
from app.services.money import payments
from app.services.platform import paging
from app.services.platform.rows import one_or_not_found

LINE_STATUSES = ("scheduled", "approved", "exported", "paid")


def require_officer(principal: Principal) -> None:
    if not principal.has(Role.MUNICIPALITY_OFFICER):
        raise Forbidden("Your role may not use this function.")


def line_scope(principal: Principal) -> ColumnElement[bool]:
    """The ledger lines ``principal`` may see: those of its municipality."""
    return PaymentLine.municipality_code == principal.municipality


@dataclass(frozen=True)
class LineFilter:
    provider_id: uuid.UUID | None = None
    status: str | None = None
    period: str | None = None
    engagement_id: uuid.UUID | None = None


async def list_lines(
    session: AsyncSession, principal: Principal, filters: LineFilter, page: PageRequest
) -> tuple[list[PaymentLine], str | None]:
    """A page of ledger lines, oldest first (keyset on creation time and id)."""
    require_officer(principal)
    query = select(PaymentLine).where(line_scope(principal))
    if filters.provider_id:
        query = query.where(PaymentLine.provider_id == filters.provider_id)
    if filters.status:
        query = query.where(PaymentLine.status == filters.status)
    if filters.period:
        query = query.where(PaymentLine.period == filters.period)
    if filters.engagement_id:
        query = query.where(PaymentLine.engagement_id == filters.engagement_id)
    if key := cursor_key(page, *TIME_AND_ID):
        after_at, after_id = key
        query = query.where(
            or_(
                PaymentLine.created_at > after_at,
                and_(PaymentLine.created_at == after_at, PaymentLine.id > after_id),
            )
        )
    rows = list(
        await session.scalars(query.order_by(PaymentLine.created_at, PaymentLine.id).limit(page.size + 1))
    )
    return paging.cut(rows, page, lambda line: (line.created_at, line.id))


async def get_line(session: AsyncSession, principal: Principal, line_id: uuid.UUID) -> PaymentLine:
    require_officer(principal)
    return await one_or_not_found(
        session, select(PaymentLine).where(PaymentLine.id == line_id, line_scope(principal)), "payment line"
    )


async def approve(session: AsyncSession, principal: Principal, ids: Sequence[uuid.UUID]) -> list[PaymentLine]:
    """Approve scheduled lines; approving an approved line again changes nothing.

    Every id must be visible (404 otherwise) and not yet exported (409 otherwise); the
    lines are locked so an export running at the same time cannot take a half-approved set.
    """
    require_officer(principal)
    wanted = list(dict.fromkeys(ids))
    lines = list(
        await session.scalars(
            select(PaymentLine)
            .where(PaymentLine.id.in_(wanted), line_scope(principal))
            .order_by(PaymentLine.id)
            .with_for_update()
        )
    )
    if len(lines) != len(wanted):
        raise NotFound("payment line")
    done = [str(line.id) for line in lines if line.status not in ("scheduled", "approved")]
    if done:
        raise Conflict("Exported or paid lines cannot be approved again.", code="payment_not_open", ids=done)
    now = utcnow()
    for line in lines:
        if line.status == "scheduled":
            line.status, line.approved_at, line.approved_by = "approved", now, principal.sub
    await session.flush()
    return sorted(lines, key=lambda line: wanted.index(line.id))


async def correct(
    session: AsyncSession, principal: Principal, line_id: uuid.UUID, amount_cents: int, reason: str | None
) -> PaymentLine:
    """Append a correction line for ``line_id`` (negative to take back, positive to add).

    The corrected line's own net amount stays at or above 0, and an engagement's total stays
    within ``0 … ceiling`` (checked under the engagement's lock); a lumpsum line's net stays
    within ``0 … its original amount``.
    """
    require_officer(principal)
    if amount_cents == 0:
        raise InvalidInput([InvalidParam("amountCents", "not_zero", "A correction must change the amount.")])
    line = await get_line(session, principal, line_id)
    if line.kind == "correction":
        raise Conflict("Correct the original line, not a correction.", code="correction_of_correction")
    if line.engagement_id is None:
        return await _correct_lumpsum(session, line, amount_cents, reason)
    ledger = await payments.lock_ledger(session, line.engagement_id)
    if ledger.net_of(line) + amount_cents < 0:
        raise Conflict("A line's net amount cannot become negative.", code="payment_ceiling_exceeded")
    engagement = await session.get(Engagement, line.engagement_id)
    assert engagement is not None
    new = payments.append_line(
        session,
        engagement,
        ledger,
        "correction",
        amount_cents,
        utcnow().date(),
        corrects=line.id,
        note=reason,
        strict=True,
    )
    await session.flush()
    assert new is not None
    return new


async def _correct_lumpsum(
    session: AsyncSession, line: PaymentLine, amount_cents: int, reason: str | None
) -> PaymentLine:
    await session.execute(select(Contract.id).where(Contract.id == line.contract_id).with_for_update())
    corrected = await session.scalar(
        select(func.coalesce(func.sum(PaymentLine.amount_cents), 0)).where(
            PaymentLine.corrects_line_id == line.id
        )
    )
    net = line.amount_cents + int(corrected or 0) + amount_cents
    if not 0 <= net <= line.amount_cents:
        raise Conflict(
            "The correction would take the line outside 0 and its amount.", code="payment_ceiling_exceeded"
        )
    new = PaymentLine(
        municipality_code=line.municipality_code,
        contract_id=line.contract_id,
        provider_id=line.provider_id,
        kind="correction",
        amount_cents=amount_cents,
        due_date=utcnow().date(),
        period=rules.period_of(utcnow().date()),
        corrects_line_id=line.id,
        note=reason,
    )
    session.add(new)
    payments.emit_scheduled(session, new)
    await session.flush()
    return new


@dataclass(frozen=True)
class RunResult:
    period: str
    monthly_lines: int
    lumpsum_lines: int


def parse_period(period: str) -> date:
    """``YYYY-MM`` → the first day of that month (400 when malformed)."""
    try:
        year, month = period.split("-")
        if len(year) != 4 or len(month) != 2:
            raise ValueError(period)
        return date(int(year), int(month), 1)
    except ValueError as exc:
        raise InvalidInput([InvalidParam("period", "invalid_period", "Use YYYY-MM.")]) from exc


async def scheduling_run(session: AsyncSession, principal: Principal, period: str) -> RunResult:
    """The periodic run for ``period``: monthly lines of running engagements and lumpsum lines.

    Idempotent: running it twice for a period adds nothing the second time.
    """
    require_officer(principal)
    first = parse_period(period)
    monthly = await payments.schedule_running_months(session, principal.municipality, rules.month_end(first))
    lumpsum = await schedule_lumpsum(session, principal.municipality, first)
    return RunResult(period=period, monthly_lines=monthly, lumpsum_lines=lumpsum)


async def schedule_lumpsum(session: AsyncSession, municipality: str, first: date) -> int:
    """One ``lumpsum`` line per lumpsum contract of the municipality's region valid in the month.

    The contract's ``lumpsum_period_cents`` is the monthly amount each municipality the provider
    serves pays; a line per (contract, municipality, period) is written at most once.
    """
    period = rules.period_of(first)
    last = rules.month_end(first)
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"lumpsum:{municipality}:{period}"}
    )
    region = select(Municipality.region_id).where(Municipality.code == municipality).scalar_subquery()
    already = select(PaymentLine.id).where(
        PaymentLine.contract_id == Contract.id,
        PaymentLine.municipality_code == municipality,
        PaymentLine.period == period,
        PaymentLine.kind == "lumpsum",
    )
    contracts = (
        await session.execute(
            select(Contract.id, Contract.provider_id, Contract.lumpsum_period_cents)
            .join(Provider, Provider.id == Contract.provider_id)
            .where(
                Contract.region_id == region,
                Contract.payment_model == "lumpsum",
                Contract.lumpsum_period_cents > 0,
                Contract.valid_from <= last,
                or_(Contract.valid_to.is_(None), Contract.valid_to >= first),
                Provider.municipalities.any(municipality),
                ~already.exists(),
            )
            .order_by(Contract.id)
        )
    ).all()
    for contract_id, provider_id, amount in contracts:
        line = PaymentLine(
            municipality_code=municipality,
            contract_id=contract_id,
            provider_id=provider_id,
            kind="lumpsum",
            amount_cents=amount,
            due_date=first,
            period=period,
        )
        session.add(line)
        payments.emit_scheduled(session, line)
    await session.flush()
    return len(contracts)
