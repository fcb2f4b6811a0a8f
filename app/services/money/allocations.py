"""Allocation of a municipality's budget over its districts by weighted objective indicators.

Method: for every weighted indicator ``k`` a district's indicator share is its value divided by
the sum over the municipality's districts; the district's share is the weighted mean of its
indicator shares, ``Σ wₖ·shareₖ / Σ wₖ``. Amounts are ``total × share`` rounded down, and the
cents left over go one by one to the districts with the largest remainders (ties by district
code), so the amounts add up exactly to the total. The result is stored with the allocation and
written to the districts' budgets for the year and category.
"""

import uuid
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import Principal
from app.errors import InvalidInput, InvalidParam
from app.models.geography import District, DistrictIndicator
from app.models.money import BudgetAllocation
from app.services.money.budgets import require_own_municipality, upsert_budget
from app.services.money.ledger import require_officer
from app.services.platform.rows import one_or_not_found


@dataclass(frozen=True)
class DistrictInput:
    code: str
    name: str
    indicators: dict[str, float]


def allocate(
    total_cents: int, weights: dict[str, float], districts: list[DistrictInput]
) -> list[dict[str, Any]]:
    """The allocation result per district (pure; see the module docstring for the method)."""
    weight = {k: Fraction(str(v)) for k, v in weights.items() if v > 0}
    weight_sum = sum(weight.values())
    sums = {k: sum(Fraction(str(d.indicators[k])) for d in districts) for k in weight}
    rows = []
    for d in districts:
        shares = {k: (Fraction(str(d.indicators[k])) / sums[k]) if sums[k] else Fraction(0) for k in weight}
        share = sum(weight[k] * shares[k] for k in weight) / weight_sum
        rows.append({"district": d, "shares": shares, "share": share, "exact": total_cents * share})
    amounts = {r["district"].code: int(r["exact"]) for r in rows}
    left = total_cents - sum(amounts.values())
    by_remainder = sorted(rows, key=lambda r: (-(r["exact"] - int(r["exact"])), r["district"].code))
    for r in by_remainder[:left]:
        amounts[r["district"].code] += 1
    return [
        {
            "districtCode": r["district"].code,
            "districtName": r["district"].name,
            "indicators": {k: r["district"].indicators[k] for k in weight},
            "indicatorShares": {k: round(float(v), 6) for k, v in r["shares"].items()},
            "share": round(float(r["share"]), 6),
            "amountCents": amounts[r["district"].code],
        }
        for r in rows
    ]


def _check_weights(weights: dict[str, float]) -> list[InvalidParam]:
    problems = [
        InvalidParam(f"weights.{k}", "negative_weight", "A weight cannot be negative.")
        for k, v in weights.items()
        if v < 0
    ]
    if not problems and not any(v > 0 for v in weights.values()):
        problems.append(InvalidParam("weights", "no_weight", "At least one weight must be above 0."))
    return problems


async def _inputs(
    session: AsyncSession, municipality: str, year: int
) -> list[tuple[District, dict[str, Any]]]:
    rows = await session.execute(
        select(District, DistrictIndicator.values, DistrictIndicator.youth_population)
        .outerjoin(
            DistrictIndicator,
            (DistrictIndicator.district_code == District.code) & (DistrictIndicator.year == year),
        )
        .where(District.municipality_code == municipality)
        .order_by(District.code)
    )
    result = []
    for district, values, youth in rows.all():
        indicators = dict(values or {})
        if youth is not None:
            indicators.setdefault("youthPopulation", youth)
        result.append((district, indicators))
    return result


async def create_allocation(
    session: AsyncSession,
    principal: Principal,
    municipality: str,
    year: int,
    category: str,
    total_cents: int,
    weights: dict[str, float],
) -> BudgetAllocation:
    require_own_municipality(principal, municipality)
    problems = _check_weights(weights)
    inputs = await _inputs(session, municipality, year)
    if not inputs:
        problems.append(InvalidParam("municipality", "no_districts", "The municipality has no districts."))
    for key in (k for k, v in weights.items() if v > 0):
        missing = [d.code for d, ind in inputs if not isinstance(ind.get(key), int | float) or ind[key] < 0]
        if missing:
            problems.append(
                InvalidParam(
                    f"weights.{key}",
                    "indicator_missing",
                    f"No usable value for {year} in district(s) {', '.join(missing)}.",
                )
            )
    if problems:
        raise InvalidInput(problems)
    districts = [
        DistrictInput(d.code, d.name, {k: float(v) for k, v in ind.items() if k in weights})
        for d, ind in inputs
    ]
    result = allocate(total_cents, weights, districts)
    allocation = BudgetAllocation(
        municipality_code=municipality,
        year=year,
        category=category,
        total_cents=total_cents,
        weights=weights,
        result=result,
        created_by=principal.sub,
    )
    session.add(allocation)
    await session.flush()
    for row in result:
        await upsert_budget(
            session, municipality, year, category, row["districtCode"], row["amountCents"], allocation.id
        )
    return allocation


async def get_allocation(
    session: AsyncSession, principal: Principal, allocation_id: uuid.UUID
) -> BudgetAllocation:
    require_officer(principal)
    return await one_or_not_found(
        session,
        select(BudgetAllocation).where(
            BudgetAllocation.id == allocation_id, BudgetAllocation.municipality_code == principal.municipality
        ),
        "budget allocation",
    )
