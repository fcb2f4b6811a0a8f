"""The money side of generated history: ledger lines, monthly batches, lumpsum lines, budgets.

The lines are the ones the ledger service would have written (:mod:`app.services.money.ledger_rules`);
lines due before last month are paid, last month's are exported, this month's are scheduled, and
every past month's exported and paid lines are in that month's batch (kept as running totals, so
a municipality can be generated in chunks).
"""

from datetime import UTC, date, datetime, time
from typing import Any

from app.demo.catalogue import INTENSITIES
from app.models.money import Budget, BudgetAllocation, PaymentBatch, PaymentLine
from app.services.money import ledger_rules as rules
from app.services.money.allocations import DistrictInput, allocate

# The generator (app.generate.cases.CaseGenerator) passes itself: row, rows, ids, today, area, batches.
CaseGenerator = Any

HISTORY_DAYS = 460
MAX_MONTHS = {code: months for code, _, months in INTENSITIES}
OFFICER = "demo-municipality_officer"


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=UTC)


def _status(due: date, today: date) -> str:
    this_month = rules.month_start(today)
    if due < rules.add_months(this_month, -1):
        return "paid"
    return "exported" if due < this_month else "scheduled"


def _line(
    gen: CaseGenerator,
    eid: Any,
    provider: dict[str, Any],
    district: str | None,
    kind: str,
    amount: int,
    due: date,
) -> None:
    if amount <= 0 or due > gen.today:
        return
    status, period = _status(due, gen.today), rules.period_of(due)
    batch_id = batch_of(gen, period, amount) if status in ("exported", "paid") else None
    gen.row(
        PaymentLine,
        id=gen.ids("line", str(gen.rows.next())),
        engagement_id=eid,
        contract_id=provider["contract"],
        provider_id=provider["id"],
        district_code=district,
        kind=kind,
        amount_cents=amount,
        due_date=due,
        period=period,
        status=status,
        batch_id=batch_id,
        corrects_line_id=None,
        note=None,
        created_at=at(due),
        approved_at=at(due) if batch_id else None,
        approved_by=OFFICER if batch_id else None,
    )


def batch_of(gen: CaseGenerator, period: str, amount: int) -> Any:
    """The id of the period's batch, counting the line in its totals."""
    batch = gen.batches.get(period)
    if batch is None:
        batch = gen.batches[period] = {"id": gen.ids("batch", period), "lines": 0, "total": 0}
    batch["lines"] += 1
    batch["total"] += amount
    return batch["id"]


def ledger(
    gen: CaseGenerator,
    eid: Any,
    provider: dict[str, Any],
    district: str,
    tariff: int,
    intensity: str,
    start: date,
    end: date | None,
    reason: str,
    scores: list[int],
) -> None:
    """The lines the ledger service writes for this engagement (see app.services.money.payments)."""
    terms = rules.Terms(tariff, provider["model"], 70, provider["result_share"])
    if terms.payment_model == "milestone":
        _line(gen, eid, provider, district, "start", rules.start_part(terms), start)
        if end is not None:
            due = rules.completion_due(
                terms,
                end_reason=reason,
                completion_on_dropout=False,
                start=start,
                end=end,
                max_months=MAX_MONTHS[intensity],
            )
            _line(gen, eid, provider, district, "completion", due, end)
            if due and terms.result_share_percent and rules.outcome_met(reason, scores):
                _line(gen, eid, provider, district, "result", rules.result_share(terms, due), end)
    elif terms.payment_model == "monthly":
        last = min(end or gen.today, gen.today)
        for index in range(min(rules.months_between(start, last), rules.MONTHS_PER_YEAR)):
            first = rules.add_months(start, index)
            _line(
                gen, eid, provider, district, "monthly", rules.monthly_part(terms, index), max(first, start)
            )


def lumpsum(gen: CaseGenerator, first_day: date) -> None:
    """The lumpsum contract's monthly lines (no engagement, no district)."""
    provider = next((p for p in gen.area.providers if p["model"] == "lumpsum"), None)
    if provider is None:
        return
    month = rules.month_start(first_day)
    while month <= gen.today:
        _line(gen, None, provider, None, "lumpsum", 2_500_000, month)
        month = rules.add_months(month, 1)


def batches(gen: CaseGenerator, *, keep: bool = False) -> None:
    """One batch per past month holding that month's exported and paid lines (``keep``: go on
    counting into the same batches)."""
    for period, batch in sorted(gen.batches.items()):
        first_of_next = rules.add_months(date.fromisoformat(f"{period}-01"), 1)
        gen.row(
            PaymentBatch,
            id=batch["id"],
            period=period,
            provider_key="*",
            line_count=batch["lines"],
            total_cents=batch["total"],
            created_by=OFFICER,
            created_at=at(min(first_of_next, gen.today)),
        )
    if not keep:
        gen.batches.clear()


def budgets(
    gen: CaseGenerator, indicators: list[tuple[str, str, int, float]], total: int, others: dict[str, int]
) -> None:
    """This year's budgets: specialist care allocated over the districts (by youth population and
    low-income share), the ``others`` municipality-wide. ``indicators``: (code, name, youth, low-income)."""
    year = gen.today.year
    weights = {"youthPopulation": 0.6, "lowIncomeShare": 0.4}
    districts = [
        DistrictInput(code, name, {"youthPopulation": youth, "lowIncomeShare": share})
        for code, name, youth, share in indicators
    ]
    result = allocate(total, weights, districts)
    now = at(date(year, 1, 2))
    allocation = gen.row(
        BudgetAllocation,
        id=gen.ids("allocation", str(year)),
        year=year,
        category="specialist",
        total_cents=total,
        weights=weights,
        result=result,
        created_by=OFFICER,
        created_at=now,
    )
    allocated = [(row["districtCode"], "specialist", row["amountCents"], allocation["id"]) for row in result]
    municipality_wide = [(None, category, amount, None) for category, amount in others.items()]
    for district, category, amount, allocation in allocated + municipality_wide:
        gen.row(
            Budget,
            id=gen.ids("budget", district or category),
            district_code=district,
            year=year,
            category=category,
            amount_cents=amount,
            allocation_id=allocation,
            updated_at=now,
        )
