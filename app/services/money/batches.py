"""Export of approved ledger lines as payment batches (CSV or JSON), idempotent per period.

A batch is identified by (municipality, period, provider set): asking again for the same period
and provider set returns the same batch. A batch for period ``P`` takes every approved line not
yet exported whose period is ``P`` or earlier (a line approved late for an earlier month goes out
with the next export). Exports of a municipality are serialised by an advisory lock and each
line is taken only while it has no batch, so no line is ever in two batches.
"""

import csv
import io
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import Principal
from app.errors import Conflict
from app.models.engagements import Engagement
from app.models.money import PaymentBatch, PaymentLine
from app.models.providers import Provider
from app.pagination import PageRequest
from app.services.money.ledger import parse_period, require_officer
from app.services.platform import audit, events, paging
from app.services.platform.audit import Action
from app.services.platform.rows import one_or_not_found

BATCH_EVENT = events.EventSpec("/payment-batches/{id}", ("period", "line_count", "total_cents"))
CSV_COLUMNS = [
    "lineId",
    "engagementId",
    "assignmentNumber",
    "providerId",
    "agbCode",
    "contractId",
    "kind",
    "amountCents",
    "dueDate",
    "period",
]


@dataclass(frozen=True)
class BatchLine:
    id: uuid.UUID
    engagement_id: uuid.UUID | None
    assignment_number: str | None
    provider_id: uuid.UUID
    agb_code: str
    contract_id: uuid.UUID
    kind: str
    amount_cents: int
    due_date: date
    period: str
    status: str


@dataclass(frozen=True)
class BatchView:
    id: uuid.UUID
    period: str
    provider_ids: list[uuid.UUID] | None
    line_count: int
    total_cents: int
    created_at: datetime
    lines: list[BatchLine]


def provider_key(provider_ids: Sequence[uuid.UUID] | None) -> str:
    if not provider_ids:
        return "*"
    return ",".join(sorted({str(p) for p in provider_ids}))


async def export(
    session: AsyncSession, principal: Principal, period: str, provider_ids: Sequence[uuid.UUID] | None
) -> tuple[BatchView, bool]:
    """The batch for ``period`` and the provider set; ``True`` when it was created now."""
    require_officer(principal)
    parse_period(period)
    key = provider_key(provider_ids)
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
        {"key": f"payment-batch:{principal.municipality}"},
    )
    existing = await session.scalar(
        select(PaymentBatch).where(
            PaymentBatch.municipality_code == principal.municipality,
            PaymentBatch.period == period,
            PaymentBatch.provider_key == key,
        )
    )
    if existing is not None:
        view = await _view(session, existing)
        _audit_export(session, principal, view, await _families(session, existing.id))
        return view, False
    query = select(PaymentLine.id, PaymentLine.amount_cents).where(
        PaymentLine.municipality_code == principal.municipality,
        PaymentLine.status == "approved",
        PaymentLine.batch_id.is_(None),
        PaymentLine.period <= period,
    )
    if provider_ids:
        query = query.where(PaymentLine.provider_id.in_(list(provider_ids)))
    lines = (await session.execute(query.with_for_update())).all()
    if not lines:
        raise Conflict("There are no approved lines to export for this period.", code="nothing_to_export")
    batch = PaymentBatch(
        municipality_code=principal.municipality,
        period=period,
        provider_key=key,
        line_count=len(lines),
        total_cents=sum(amount for _, amount in lines),
        created_by=principal.sub,
    )
    session.add(batch)
    await session.flush()
    await session.execute(
        update(PaymentLine)
        .where(PaymentLine.id.in_([line_id for line_id, _ in lines]))
        .values(batch_id=batch.id, status="exported")
    )
    BATCH_EVENT.emit(session, "payment-batch.exported", batch, status="exported")
    view = await _view(session, batch)
    _audit_export(session, principal, view, await _families(session, batch.id))
    return view, True


async def get_batch(session: AsyncSession, principal: Principal, batch_id: uuid.UUID) -> BatchView:
    """One batch with its lines (fetching it again is an export too, and audited as such)."""
    require_officer(principal)
    batch = await one_or_not_found(
        session,
        select(PaymentBatch).where(
            PaymentBatch.id == batch_id, PaymentBatch.municipality_code == principal.municipality
        ),
        "payment batch",
    )
    view = await _view(session, batch)
    _audit_export(session, principal, view, await _families(session, batch.id))
    return view


async def list_batches(
    session: AsyncSession, principal: Principal, page: PageRequest
) -> tuple[list[PaymentBatch], str | None]:
    require_officer(principal)
    query = select(PaymentBatch).where(PaymentBatch.municipality_code == principal.municipality)
    return await paging.newest_page(session, query, page, PaymentBatch.created_at, PaymentBatch.id)


async def mark_paid(session: AsyncSession, principal: Principal, batch_id: uuid.UUID) -> BatchView:
    """Record that the batch was paid: its exported lines become ``paid``."""
    require_officer(principal)
    batch = await one_or_not_found(
        session,
        select(PaymentBatch)
        .where(PaymentBatch.id == batch_id, PaymentBatch.municipality_code == principal.municipality)
        .with_for_update(),
        "payment batch",
    )
    await session.execute(
        update(PaymentLine)
        .where(PaymentLine.batch_id == batch.id, PaymentLine.status == "exported")
        .values(status="paid")
    )
    return await _view(session, batch)


async def _view(session: AsyncSession, batch: PaymentBatch) -> BatchView:
    rows = (
        await session.execute(
            select(PaymentLine, Provider.agb_code, Engagement.assignment_number)
            .join(Provider, Provider.id == PaymentLine.provider_id)
            .outerjoin(Engagement, Engagement.id == PaymentLine.engagement_id)
            .where(PaymentLine.batch_id == batch.id)
            .order_by(Provider.agb_code, PaymentLine.due_date, PaymentLine.id)
            .execution_options(populate_existing=True)
        )
    ).all()
    lines = [
        BatchLine(
            id=line.id,
            engagement_id=line.engagement_id,
            assignment_number=number,
            provider_id=line.provider_id,
            agb_code=agb,
            contract_id=line.contract_id,
            kind=line.kind,
            amount_cents=line.amount_cents,
            due_date=line.due_date,
            period=line.period,
            status=line.status,
        )
        for line, agb, number in rows
    ]
    providers = None if batch.provider_key == "*" else [uuid.UUID(p) for p in batch.provider_key.split(",")]
    return BatchView(
        id=batch.id,
        period=batch.period,
        provider_ids=providers,
        line_count=batch.line_count,
        total_cents=batch.total_cents,
        created_at=batch.created_at,
        lines=lines,
    )


async def _families(session: AsyncSession, batch_id: uuid.UUID) -> list[uuid.UUID]:
    rows = await session.scalars(
        select(Engagement.family_id)
        .join(PaymentLine, PaymentLine.engagement_id == Engagement.id)
        .where(PaymentLine.batch_id == batch_id)
        .distinct()
    )
    return sorted(rows)


def _audit_export(
    session: AsyncSession, principal: Principal, view: BatchView, families: list[uuid.UUID]
) -> None:
    """One export row for the batch, plus one per family whose engagements are in it."""
    audit.record(session, principal, Action.EXPORT, "payment-batch", view.id)
    audit.record_many(
        session, principal, Action.EXPORT, "payment-batch", [(view.id, family) for family in families]
    )


def to_csv(view: BatchView) -> str:
    """The batch as CSV (RFC 4180, header row, amounts in cents)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for line in view.lines:
        writer.writerow(
            [
                line.id,
                line.engagement_id or "",
                line.assignment_number or "",
                line.provider_id,
                line.agb_code,
                line.contract_id,
                line.kind,
                line.amount_cents,
                line.due_date.isoformat(),
                line.period,
            ]
        )
    return out.getvalue()
