"""HTTP routes: the payment ledger and payment batches (municipality officers)."""

import uuid
from dataclasses import asdict, dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Response

from app.auth import MunicipalityOfficer, Principal, Role, require_roles
from app.db import SessionDep
from app.models.base import Page
from app.pagination import ListQuery, PageParams
from app.routers.filters import ByEngagement, ByProvider
from app.routers.shapes import located, page_of
from app.schemas.integration_views import BatchBusView, PaymentBusView
from app.schemas.payments import (
    ApproveBody,
    BatchCreate,
    BatchPublic,
    BatchSummaryPublic,
    CorrectionBody,
    LineStatus,
    PaymentLinePublic,
    Period,
    SchedulingRunBody,
    SchedulingRunPublic,
)
from app.services.integration import views as bus
from app.services.money import batches as payment_batches
from app.services.money import ledger as payment_ledger
from app.services.money.ledger import LineFilter

router = APIRouter(tags=["payments"])

CSV = "text/csv"
_CSV_BODY = {"content": {CSV: {"schema": {"type": "string"}}}}
# The export answers 201 for a new batch and 200 for the existing one; a read is always 200.
_EXPORT_RESPONSES = {200: _CSV_BODY, 201: _CSV_BODY}
_READ_RESPONSES = {200: _CSV_BODY}
OfficerOrBus = Annotated[Principal, require_roles(Role.MUNICIPALITY_OFFICER, Role.INTEGRATION)]


@dataclass
class LineQuery(ListQuery):
    """The ledger list's page and filters (a :class:`LineFilter`)."""

    provider_id: ByProvider = None
    status: LineStatus | None = None
    period: Period | None = None
    engagement_id: ByEngagement = None


@router.get("/payments", summary="Ledger lines of the caller's municipality, oldest first")
async def list_payments(
    session: SessionDep, principal: MunicipalityOfficer, query: Annotated[LineQuery, Depends()]
) -> Page[PaymentLinePublic]:
    lines = await payment_ledger.list_lines(session, principal, LineFilter(**query.filters()), query.page)
    return page_of(PaymentLinePublic, lines)


@router.get(
    "/payments/{line_id}",
    summary="One ledger line",
)
async def get_payment(
    line_id: uuid.UUID, session: SessionDep, principal: OfficerOrBus
) -> PaymentLinePublic | PaymentBusView:
    if bus.reads_as_bus(principal, Role.MUNICIPALITY_OFFICER):
        return PaymentBusView.model_validate(await bus.payment(session, principal, line_id))
    return PaymentLinePublic.model_validate(await payment_ledger.get_line(session, principal, line_id))


@router.post(
    "/payments/approve",
    responses={404: {"description": "A line does not exist or is not visible to you."}},
    summary="Approve scheduled lines for payment",
)
async def approve_payments(
    body: ApproveBody, session: SessionDep, principal: MunicipalityOfficer
) -> list[PaymentLinePublic]:
    lines = await payment_ledger.approve(session, principal, body.ids)
    return [PaymentLinePublic.model_validate(line) for line in lines]


@router.post(
    "/payments/{line_id}/corrections",
    status_code=201,
    summary="Correct a line with a new (negative or positive) line",
)
async def correct_payment(
    line_id: uuid.UUID,
    body: CorrectionBody,
    session: SessionDep,
    principal: MunicipalityOfficer,
    response: Response,
) -> PaymentLinePublic:
    line = await payment_ledger.correct(session, principal, line_id, body.amount_cents, body.reason)
    return located(response, PaymentLinePublic.model_validate(line), "payments", line.id)


@router.post(
    "/payments/scheduling-runs", summary="Schedule a period's monthly and lumpsum lines (idempotent)"
)
async def run_scheduling(
    body: SchedulingRunBody, session: SessionDep, principal: MunicipalityOfficer
) -> SchedulingRunPublic:
    result = await payment_ledger.scheduling_run(session, principal, body.period)
    return SchedulingRunPublic.model_validate(asdict(result))


def _batch_response(view: payment_batches.BatchView, status: int, accept: str | None) -> Response:
    headers = {"Location": f"/api/v1/payment-batches/{view.id}"}
    if accept and CSV in accept:
        headers["Content-Disposition"] = f'attachment; filename="payment-batch-{view.period}-{view.id}.csv"'
        return Response(payment_batches.to_csv(view), status_code=status, media_type=CSV, headers=headers)
    body = BatchPublic.model_validate(asdict(view)).model_dump_json(by_alias=True)
    return Response(body, status_code=status, media_type="application/json", headers=headers)


@router.post(
    "/payment-batches",
    response_model=BatchPublic,
    status_code=201,
    responses=_EXPORT_RESPONSES,
    summary="Export a period's approved lines as a batch (JSON or CSV via Accept; idempotent)",
)
async def export_batch(
    body: BatchCreate,
    session: SessionDep,
    principal: MunicipalityOfficer,
    accept: Annotated[str | None, Header()] = None,
) -> Response:
    view, created = await payment_batches.export(session, principal, body.period, body.provider_ids)
    return _batch_response(view, 201 if created else 200, accept)


@router.get("/payment-batches", summary="Payment batches of the caller's municipality, newest first")
async def list_batches(
    session: SessionDep, principal: MunicipalityOfficer, page: PageParams
) -> Page[BatchSummaryPublic]:
    return page_of(BatchSummaryPublic, await payment_batches.list_batches(session, principal, page))


@router.get(
    "/payment-batches/{batch_id}",
    response_model=BatchPublic | BatchBusView,
    responses=_READ_RESPONSES,
    summary="One payment batch with its lines (JSON or CSV via Accept)",
)
async def get_batch(
    batch_id: uuid.UUID,
    session: SessionDep,
    principal: OfficerOrBus,
    accept: Annotated[str | None, Header()] = None,
) -> Response:
    if bus.reads_as_bus(principal, Role.MUNICIPALITY_OFFICER):
        view = BatchBusView.model_validate(await bus.batch(session, principal, batch_id))
        return Response(view.model_dump_json(by_alias=True), media_type="application/json")
    return _batch_response(await payment_batches.get_batch(session, principal, batch_id), 200, accept)


@router.post(
    "/payment-batches/{batch_id}/paid",
    response_model=BatchPublic,
    summary="Record that a batch was paid (its lines become paid)",
)
async def mark_batch_paid(
    batch_id: uuid.UUID, session: SessionDep, principal: MunicipalityOfficer
) -> Response:
    return _batch_response(await payment_batches.mark_paid(session, principal, batch_id), 200, None)
