"""Demo history, part two: the ledger, payment batches and budgets (see :mod:`app.demo.history`).

The lines are the ones the ledger service would have written (:mod:`app.services.money.ledger_rules`);
lines due before last month are paid, last month's are exported, this month's are scheduled, and
every past month's exported and paid lines are in that month's batch.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from app.demo.catalogue import INTENSITIES, PROFILES
from app.demo.ids import MUNICIPALITY, demo_id
from app.demo.reference import DISTRICT_NAMES, INDICATORS, PAYMENT_MODELS, district_code
from app.models.money import Budget, BudgetAllocation, PaymentBatch, PaymentLine
from app.services.money import ledger_rules as rules
from app.services.money.allocations import DistrictInput, allocate

HISTORY_DAYS = 460
MAX_MONTHS = {code: months for code, _, months in INTENSITIES}
SPECIALIST = [(code, segment) for code, _, segment in PROFILES if segment != "A"]


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=UTC)


def _provider(n: int) -> dict[str, Any]:
    """Provider ``n`` (0-based) as the reference data made it: its band of profiles and terms."""
    return {
        "id": demo_id("provider", str(n + 1)),
        "contract": demo_id("contract", str(n + 1)),
        "model": PAYMENT_MODELS[n],
        "result_share": 10 if n % 3 == 0 else None,
        "band": {SPECIALIST[(n + k) % len(SPECIALIST)][0] for k in range(5)},
        "wait": 12 + 9 * (n % 4),  # typical waiting days
        "quality": [0.6, 0.2, -0.2, 0.4, -0.4, 0.1, 0.0, 0.3][n],  # shifts GAS, dropout, experience
    }


PROVIDERS = [_provider(n) for n in range(len(PAYMENT_MODELS))]


@dataclass
class Rows:
    data: dict[Any, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    count: int = 0

    def add(self, model: Any, **values: Any) -> dict[str, Any]:
        self.data[model].append(values)
        return values

    def next(self) -> int:
        self.count += 1
        return self.count


def _status(due: date, today: date) -> str:
    this_month = rules.month_start(today)
    if due < rules.add_months(this_month, -1):
        return "paid"
    return "exported" if due < this_month else "scheduled"


def _line(
    rows: Rows,
    today: date,
    eid: Any,
    provider: dict[str, Any],
    district: str | None,
    kind: str,
    amount: int,
    due: date,
) -> None:
    if amount <= 0 or due > today:
        return
    rows.add(
        PaymentLine,
        id=demo_id("history", "line", str(rows.next())),
        municipality_code=MUNICIPALITY,
        engagement_id=eid,
        contract_id=provider["contract"],
        provider_id=provider["id"],
        district_code=district,
        kind=kind,
        amount_cents=amount,
        due_date=due,
        period=rules.period_of(due),
        status=_status(due, today),
        batch_id=None,
        corrects_line_id=None,
        note=None,
        created_at=at(due),
        approved_at=None,
        approved_by=None,
    )


def ledger(
    rows: Rows,
    today: date,
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
        _line(rows, today, eid, provider, district, "start", rules.start_part(terms), start)
        if end is not None:
            due = rules.completion_due(
                terms,
                end_reason=reason,
                completion_on_dropout=False,
                start=start,
                end=end,
                max_months=MAX_MONTHS[intensity],
            )
            _line(rows, today, eid, provider, district, "completion", due, end)
            if due and terms.result_share_percent and rules.outcome_met(reason, scores):
                _line(rows, today, eid, provider, district, "result", rules.result_share(terms, due), end)
    elif terms.payment_model == "monthly":
        last = min(end or today, today)
        for index in range(min(rules.months_between(start, last), rules.MONTHS_PER_YEAR)):
            first = rules.add_months(start, index)
            _line(
                rows,
                today,
                eid,
                provider,
                district,
                "monthly",
                rules.monthly_part(terms, index),
                max(first, start),
            )


def lumpsum(rows: Rows, today: date) -> None:
    provider = next(p for p in PROVIDERS if p["model"] == "lumpsum")
    month = rules.month_start(today - timedelta(days=HISTORY_DAYS))
    while month <= today:
        _line(rows, today, None, provider, None, "lumpsum", 2_500_000, month)
        month = rules.add_months(month, 1)


def batches(rows: Rows, today: date) -> None:
    """One batch per past month holding that month's exported and paid lines."""
    per_period: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for line in rows.data[PaymentLine]:
        if line["status"] in ("exported", "paid"):
            per_period[line["period"]].append(line)
    for period, lines in sorted(per_period.items()):
        batch_id = demo_id("history", "batch", period)
        for line in lines:
            line.update(
                batch_id=batch_id, approved_at=at(line["due_date"]), approved_by="demo-municipality_officer"
            )
        first_of_next = rules.add_months(date.fromisoformat(f"{period}-01"), 1)
        rows.add(
            PaymentBatch,
            id=batch_id,
            municipality_code=MUNICIPALITY,
            period=period,
            provider_key="*",
            line_count=len(lines),
            total_cents=sum(line["amount_cents"] for line in lines),
            created_by="demo-municipality_officer",
            created_at=at(min(first_of_next, today)),
        )


def budgets(rows: Rows, today: date) -> None:
    """This year's budgets: specialist care allocated over the districts, the rest municipality-wide."""
    year = today.year
    weights = {"youthPopulation": 0.6, "lowIncomeShare": 0.4}
    districts = [
        DistrictInput(district_code(MUNICIPALITY, i), name, {"youthPopulation": y, "lowIncomeShare": s})
        for i, (name, (y, s)) in enumerate(zip(DISTRICT_NAMES[MUNICIPALITY], INDICATORS, strict=True))
    ]
    total = 165_000_000
    result = allocate(total, weights, districts)
    allocation_id = demo_id("history", "allocation", str(year))
    rows.add(
        BudgetAllocation,
        id=allocation_id,
        municipality_code=MUNICIPALITY,
        year=year,
        category="specialist",
        total_cents=total,
        weights=weights,
        result=result,
        created_by="demo-municipality_officer",
        created_at=at(date(year, 1, 2)),
    )
    now = at(date(year, 1, 2))
    for row in result:
        rows.add(
            Budget,
            id=demo_id("history", "budget", row["districtCode"]),
            municipality_code=MUNICIPALITY,
            district_code=row["districtCode"],
            year=year,
            category="specialist",
            amount_cents=row["amountCents"],
            allocation_id=allocation_id,
            updated_at=now,
        )
    for category, amount in (("local_team", 40_000_000), ("prevention", 8_000_000), ("lumpsum", 30_000_000)):
        rows.add(
            Budget,
            id=demo_id("history", "budget", category),
            municipality_code=MUNICIPALITY,
            district_code=None,
            year=year,
            category=category,
            amount_cents=amount,
            allocation_id=None,
            updated_at=now,
        )
