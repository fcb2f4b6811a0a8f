"""Insights per district, team, provider and profile for a period, with suppression (DESIGN §8).

The figures come from :mod:`app.services.steering.insight_queries` (aggregated in SQL); this module only
combines them per item, withholds small cells (:mod:`app.services.steering.suppression`) and compares each
team's referral rate with the municipality's: a team's expected referrals are the municipality's
rate applied to the team's youth population, and a Poisson z-score
``(observed − expected) / √expected`` of 2 or more flags it ``above``, of −2 or less ``below``.
Municipality officers only; aggregates carry no personal data and are not audited per family.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import Principal
from app.errors import InvalidInput, InvalidParam
from app.models.base import utcnow
from app.services.money.ledger import require_officer
from app.services.steering import insight_queries as q
from app.services.steering.suppression import MIN_CELL, Cell, complementary, count_cell, follow

REFERRER_TYPES = ("01", "02", "03", "04", "05", "06", "08")
RATE_FLAG_Z = 2.0
MAX_PERIOD_DAYS = 5 * 366


@dataclass
class InsightItem:
    key: str | None
    name: str | None
    cells: dict[str, Cell] = field(default_factory=dict)
    by_referrer_type: dict[str, Cell] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def public(self) -> dict[str, Any]:
        body: dict[str, Any] = {"key": self.key, "name": self.name}
        body.update({name: cell.public() for name, cell in self.cells.items()})
        if self.by_referrer_type:
            body["referralsByReferrerType"] = {t: c.public() for t, c in self.by_referrer_type.items()}
        body.update(self.extra)
        return body


@dataclass
class InsightReport:
    dimension: str
    from_date: date
    to_date: date
    items: list[InsightItem]
    municipality: dict[str, Any] = field(default_factory=dict)
    minimum_cell_size: int = MIN_CELL

    def public(self) -> dict[str, Any]:
        return {
            "dimension": self.dimension,
            "fromDate": self.from_date,
            "toDate": self.to_date,
            "minimumCellSize": self.minimum_cell_size,
            "municipality": self.municipality or None,
            "items": [item.public() for item in self.items],
        }


def resolve_period(start: date | None, end: date | None) -> q.Period:
    """Default: from the first of January of the end's year to today. 400 when reversed or too long."""
    end = end or utcnow().date()
    start = start or date(end.year, 1, 1)
    problems = []
    if start > end:
        problems.append(InvalidParam("from", "after_to", "`from` lies after `to`."))
    elif (end - start).days > MAX_PERIOD_DAYS:
        problems.append(InvalidParam("from", "period_too_long", "The period spans at most five years."))
    if problems:
        raise InvalidInput(problems)
    return q.Period(start, end)


async def insights(
    session: AsyncSession, principal: Principal, dimension: str, start: date | None, end: date | None
) -> InsightReport:
    require_officer(principal)
    period = resolve_period(start, end)
    m = principal.municipality
    listed = await q.items(session, m, dimension)
    started = await q.started_figures(session, m, dimension, period)
    closed = await q.closed_figures(session, m, dimension, period)
    experience = await q.experience_figures(session, m, dimension, period)
    referrals, municipal = (
        ({}, {}) if dimension == "providers" else await q.referral_figures(session, m, dimension, period)
    )
    budget = await q.budget_figures(session, m, period) if dimension == "districts" else {}
    keys = [k for k, _ in listed]
    extra = {k for src in (started, closed, experience, referrals) for k in src} - set(keys)
    names = dict(listed)
    ordered = keys + sorted(extra, key=lambda k: (k is None, k or ""))
    items = [
        _item(k, names.get(k), started.get(k, {}), closed.get(k, {}), experience.get(k, {}), budget.get(k))
        for k in ordered
    ]
    if dimension != "providers":
        _add_referrals(items, referrals)
    _suppress_complementary(items, with_referrals=dimension != "providers")
    report = InsightReport(dimension=dimension, from_date=period.start, to_date=period.end, items=items)
    if dimension != "providers":
        total = municipal.get("referrals", 0)
        report.municipality = {
            "referrals": count_cell(total).public(),
            "referralsPer1000Youth": Cell(municipal.get("per1000"), total).public(),
            "youthPopulation": municipal.get("youth"),
        }
        if dimension == "teams":
            _compare_teams(items, referrals)
    return report


def _item(
    key: Any,
    name: str | None,
    s: dict[str, Any],
    c: dict[str, Any],
    e: dict[str, Any],
    b: dict[str, Any] | None,
) -> InsightItem:
    started, closed = s.get("started", 0), c.get("closed", 0)
    parents, youth = e.get("parent", {}), e.get("youth", {})
    cells = {
        "engagementsStarted": count_cell(started),
        "waitingDaysMedian": Cell(s.get("median"), started),
        "waitingDaysP90": Cell(s.get("p90"), started),
        "engagementsClosed": count_cell(closed),
        "dropoutRate": Cell(c.get("dropoutRate"), closed),
        "prematureRate": Cell(c.get("prematureRate"), closed),
        "goalAttainmentShare": Cell(c.get("goalShare"), c.get("gasCases", 0)),
        "meanGasT": Cell(c.get("meanGasT"), c.get("gasCases", 0)),
        "meanExperienceParents": Cell(parents.get("mean"), parents.get("cases", 0)),
        "meanExperienceYouth": Cell(youth.get("mean"), youth.get("cases", 0)),
        "costPerClosedTrajectoryCents": Cell(c.get("cost"), c.get("costCases", 0)),
    }
    if b is not None:
        cells["budgetUse"] = Cell(b.get("budgetUse"), b.get("cases", 0))
    return InsightItem(key=None if key is None else str(key), name=name, cells=cells)


def _add_referrals(items: list[InsightItem], referrals: q.Figures) -> None:
    for item in items:
        r = referrals.get(item.key, {})
        n = r.get("referrals", 0)
        item.cells = {
            "referrals": count_cell(n),
            "referralsPer1000Youth": Cell(r.get("per1000"), n),
            **item.cells,
        }
        types = r.get("types", {})
        item.by_referrer_type = {
            t: count_cell(types.get(t, 0)) for t in sorted(set(REFERRER_TYPES) | set(types))
        }


def _suppress_complementary(items: list[InsightItem], *, with_referrals: bool) -> None:
    columns = ["engagementsStarted", "engagementsClosed"] + (["referrals"] if with_referrals else [])
    groups = [[item.cells[col] for item in items] for col in columns]
    if with_referrals:
        types = sorted({t for item in items for t in item.by_referrer_type})
        groups += [[item.by_referrer_type[t] for item in items if t in item.by_referrer_type] for t in types]
        groups += [list(item.by_referrer_type.values()) for item in items]
    complementary(groups)
    for item in items:
        if with_referrals:
            follow(item.cells["referralsPer1000Youth"], item.cells["referrals"])


def _compare_teams(items: list[InsightItem], referrals: q.Figures) -> None:
    for item in items:
        r = referrals.get(item.key, {})
        z = follow(Cell(r.get("z"), r.get("referrals", 0)), item.cells["referrals"])
        flag = None
        if z.value is not None:
            flag = "above" if z.value >= RATE_FLAG_Z else "below" if z.value <= -RATE_FLAG_Z else "in_line"
        item.extra["referralRateVsMean"] = {
            "expectedReferrals": r.get("expected"),
            "z": z.public(),
            "flag": flag,
        }
