"""Insights per district, team, provider and profile for a period, with suppression (DESIGN §8).

The figures come from :mod:`app.services.steering.insight_queries` and
:mod:`app.services.steering.outcome_queries` (aggregated in SQL); this module combines them per
item, withholds small cells and rounds counts (:mod:`app.services.steering.suppression`), and then
derives every share and rate from the *published* counts
(:mod:`app.services.steering.indicators`), so no figure reveals an exact count. Periods are whole
months (:mod:`app.services.steering.periods`).

Each team's referral rate is compared with the municipality's: a team's expected referrals are the
municipality's (published) referrals spread over the youth population, and a Poisson z-score
``(observed − expected) / √expected`` of 2 or more flags it ``above``, of −2 or less ``below``.
Municipality officers see every dimension; district teams see the teams' figures too (each
team against the others and the mean, for the case-review table). Aggregates carry no personal
data and are not audited per family.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import Principal, Role
from app.errors import Forbidden, InvalidInput, InvalidParam
from app.services.platform.clock import today
from app.services.steering import indicators
from app.services.steering import insight_queries as q
from app.services.steering import outcome_queries as oq
from app.services.steering.periods import months_between, whole_months
from app.services.steering.suppression import MIN_CELL, ROUNDING_BASE, Cell, complementary, count_cell

REFERRER_TYPES = ("01", "02", "03", "04", "05", "06", "08")
RATE_FLAG_Z = indicators.RATE_FLAG_Z
MAX_PERIOD_MONTHS = 60


@dataclass
class InsightItem:
    key: str | None
    name: str | None
    cells: dict[str, Cell] = field(default_factory=dict)
    by_referrer_type: dict[str, Cell] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    hidden: dict[str, Cell] = field(default_factory=dict)
    """Counts that rates are computed from but that are not published themselves."""

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
    requested_from: date | None = None
    requested_to: date | None = None
    municipality: dict[str, Any] = field(default_factory=dict)
    minimum_cell_size: int = MIN_CELL
    rounding_base: int = ROUNDING_BASE

    def public(self) -> dict[str, Any]:
        return {
            "dimension": self.dimension,
            "fromDate": self.from_date,
            "toDate": self.to_date,
            "requestedFromDate": self.requested_from,
            "requestedToDate": self.requested_to,
            "minimumCellSize": self.minimum_cell_size,
            "roundingBase": self.rounding_base,
            "municipality": self.municipality or None,
            "items": [item.public() for item in self.items],
        }


TEAM_DIMENSIONS = ("teams",)


def require_reader(principal: Principal, dimension: str | None = None) -> None:
    """Officers read every dimension; district professionals the teams' (and the trend alerts)."""
    if principal.has(Role.MUNICIPALITY_OFFICER):
        return
    if principal.has(Role.DISTRICT_PROFESSIONAL) and (dimension is None or dimension in TEAM_DIMENSIONS):
        return
    raise Forbidden("Your role may not use this function.")


def resolve_period(start: date | None, end: date | None) -> q.Period:
    """Whole months: default from January of the end's year to the end of this month; a ``from``
    or ``to`` inside a month is widened to that month. 400 when reversed or longer than 5 years."""
    end = end or today()
    start = start or date(end.year, 1, 1)
    if start > end:
        raise InvalidInput([InvalidParam("from", "after_to", "`from` lies after `to`.")])
    period = whole_months(start, end)
    if months_between(period) > MAX_PERIOD_MONTHS:
        raise InvalidInput(
            [InvalidParam("from", "period_too_long", "The period spans at most five years (60 months).")]
        )
    return period


async def insights(
    session: AsyncSession, principal: Principal, dimension: str, start: date | None, end: date | None
) -> InsightReport:
    require_reader(principal, dimension)
    period = resolve_period(start, end)
    m = principal.municipality
    with_referrals = dimension != "providers"
    listed = await q.items(session, m, dimension)
    sources = {
        "started": await q.started_figures(session, m, dimension, period),
        "closed": await q.closed_figures(session, m, dimension, period),
        "experience": await q.experience_figures(session, m, dimension, period),
        "endings": await oq.ending_counts(session, m, dimension, period),
        "reliance": await oq.self_reliance(session, m, dimension, period),
        "follow": await oq.follow_up(session, m, dimension, period, today()),
    }
    referrals, municipal = (
        await q.referral_figures(session, m, dimension, period) if with_referrals else ({}, {})
    )
    budget = await q.budget_figures(session, m, period) if dimension == "districts" else {}
    youth = await oq.youth_per_key(session, m, dimension, period.end.year) if with_referrals else {}
    keys = [k for k, _ in listed]
    extra = {k for src in (*sources.values(), referrals) for k in src} - set(keys)
    names = dict(listed)
    ordered = keys + sorted(extra, key=lambda k: (k is None, k or ""))
    items = [
        _item(k, names.get(k), {name: src.get(k, {}) for name, src in sources.items()}, budget.get(k))
        for k in ordered
    ]
    if with_referrals:
        _add_referrals(items, referrals)
    _suppress_complementary(items, with_referrals=with_referrals)
    for item in items:
        indicators.derive(item.cells, item.hidden)
    report = InsightReport(
        dimension=dimension,
        from_date=period.start,
        to_date=period.end,
        requested_from=start,
        requested_to=end,
        items=items,
    )
    if with_referrals:
        total = count_cell(municipal.get("referrals", 0))
        for item in items:
            item.cells["referralsPer1000Youth"] = indicators.per_1000(
                item.cells["referrals"], youth, item.key
            )
        report.municipality = {
            "referrals": total.public(),
            "referralsPer1000Youth": indicators.per_1000_total(total, municipal.get("youth")).public(),
            "youthPopulation": municipal.get("youth"),
        }
        if dimension == "teams":
            for item in items:
                item.extra["referralRateVsMean"] = indicators.rate_vs_mean(
                    item.cells["referrals"], total, youth.get(item.key), municipal.get("youth")
                )
    return report


def _item(key: Any, name: str | None, f: dict[str, dict[str, Any]], b: dict[str, Any] | None) -> InsightItem:
    s, c, e, o = f["started"], f["closed"], f["experience"], f["endings"]
    r, fu = f["reliance"], f["follow"]
    started, closed = s.get("started", 0), c.get("closed", 0)
    parents, youth = e.get("parent", {}), e.get("youth", {})
    cells = {
        "engagementsStarted": count_cell(started),
        "waitingDaysMedian": Cell(s.get("median"), started),
        "waitingDaysP90": Cell(s.get("p90"), started),
        "engagementsClosed": count_cell(closed),
        "dropouts": count_cell(o.get("dropouts", 0)),
        "prematureEndings": count_cell(o.get("premature", 0)),
        "meanGasT": Cell(c.get("meanGasT"), c.get("gasCases", 0)),
        "meanExperienceParents": Cell(parents.get("mean"), parents.get("cases", 0)),
        "meanExperienceYouth": Cell(youth.get("mean"), youth.get("cases", 0)),
        "costPerClosedTrajectoryCents": Cell(c.get("cost"), c.get("costCases", 0)),
        "plansEvaluated": count_cell(r.get("plans", 0)),
        "selfRelianceChange": Cell(r.get("change"), r.get("plans", 0)),
        "endingsFollowedHalfYear": count_cell(fu.get("halfYearFollowed", 0)),
        "endingsFollowed12Months": count_cell(fu.get("yearFollowed", 0)),
    }
    gas_cases = c.get("gasCases", 0)
    hidden = {
        "goalsScored": Cell(o.get("goalsScored", 0), min(gas_cases, o.get("goalsScored", 0)), count=True),
        "goalsAttained": count_cell(o.get("goalsAttained", 0)),
        "plansImproved": count_cell(r.get("improved", 0)),
        "noNewStart": count_cell(fu.get("noNewStart", 0)),
        "noRelapse": count_cell(fu.get("noRelapse", 0)),
    }
    if b is not None:
        cells["budgetUse"] = Cell(b.get("budgetUse"), b.get("cases", 0))
    return InsightItem(key=None if key is None else str(key), name=name, cells=cells, hidden=hidden)


def _add_referrals(items: list[InsightItem], referrals: q.Figures) -> None:
    for item in items:
        r = referrals.get(item.key, {})
        item.cells = {"referrals": count_cell(r.get("referrals", 0)), **item.cells}
        types = r.get("types", {})
        item.by_referrer_type = {
            t: count_cell(types.get(t, 0)) for t in sorted(set(REFERRER_TYPES) | set(types))
        }


COUNT_COLUMNS = (
    "engagementsStarted",
    "engagementsClosed",
    "dropouts",
    "prematureEndings",
    "plansEvaluated",
    "endingsFollowedHalfYear",
    "endingsFollowed12Months",
)


def _suppress_complementary(items: list[InsightItem], *, with_referrals: bool) -> None:
    """Every count column adds up to the municipality's total (readable from another dimension),
    and a team's referrals to its referrer types: withheld counts in each such group stay 0 or ≥ 5."""
    columns = [*COUNT_COLUMNS, *(["referrals"] if with_referrals else [])]
    groups = [[item.cells[col] for item in items] for col in columns]
    groups += [[item.hidden[col] for item in items] for col in ("noNewStart", "noRelapse", "plansImproved")]
    if with_referrals:
        types = sorted({t for item in items for t in item.by_referrer_type})
        groups += [[item.by_referrer_type[t] for item in items if t in item.by_referrer_type] for t in types]
        groups += [list(item.by_referrer_type.values()) for item in items]
    complementary(groups)
