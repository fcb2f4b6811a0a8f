"""Demo history: fifteen months of Amsterdam (GM0363) care, so the steering side has something to show.

Several hundred engagements across the four districts and eight providers in every state (with
waiting times, end reasons, final GAS scores, experience surveys), the referrals behind them,
treatment plans and handoffs (some flagged for case review), the payment ledger as it would have
been written (exported and paid in monthly batches), the lumpsum contract's monthly lines, and the
current year's budgets with an allocation by indicators. Every plan is agreed, with its frozen
snapshot. In the last three months district Zuidoost shows a spike in P06 (AD(H)D diagnostics)
demand, which ``/insights/trends`` finds.

The rows come from the project's one generator (:mod:`app.generate`). Dates are relative to the
day the demo is loaded; ids are ``demo_id``s, so a load is reproducible on a given day. Names are
fictitious; history members carry no BSN.
"""

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.demo.ids import MUNICIPALITY
from app.demo.reference import DISTRICT_NAMES, INDICATORS
from app.generate import ledger, outcomes
from app.generate.area import demo_area
from app.generate.cases import CaseGenerator
from app.generate.rows import DemoIds, Rows
from app.generate.writers import insert_rows
from app.models.catalogue import LifeDomain

SEED = 20260101
FAMILIES = 420
SPIKE_DISTRICT = 2  # Zuidoost
SPIKE_PROFILE = "P06"
BUDGETS = {"local_team": 40_000_000, "prevention": 8_000_000, "lumpsum": 30_000_000}


async def seed(session: AsyncSession, today: date | None = None) -> None:
    """Load the history as seen on ``today`` (default: the real today)."""
    today = today or date.today()
    domains = list((await session.execute(select(LifeDomain.code).order_by(LifeDomain.position))).scalars())
    gen = CaseGenerator(Rows(), demo_area(), today, DemoIds(), domains, seed=SEED)
    first_day = today - timedelta(days=ledger.HISTORY_DAYS)
    gen.spread(FAMILIES, first_day, today - timedelta(days=1))
    for j in range(30):  # the spike: P06 demand in Zuidoost in the last three months
        gen.family(FAMILIES + j, SPIKE_DISTRICT, today - timedelta(days=2 + 3 * j), SPIKE_PROFILE)
    for k in range(3):  # accepted long ago and still waiting to start (case review)
        gen.family(FAMILIES + 30 + k, k, today - timedelta(days=65 + 9 * k), "P04", waiting=True)
    outcomes.evaluations(gen.rows, today, SEED)
    ledger.lumpsum(gen, first_day)
    ledger.batches(gen)
    indicators = [
        (code, name, youth, share)
        for code, name, (youth, share) in zip(
            gen.area.districts, DISTRICT_NAMES[MUNICIPALITY], INDICATORS, strict=True
        )
    ]
    ledger.budgets(gen, indicators, 165_000_000, BUDGETS)
    await insert_rows(session, gen.rows)
