"""Test data: single rows with sensible defaults, and whole data sets from the project's generator.

Everything is arranged in the database (no API calls). :class:`Builder` adds single rows;
:func:`generate_history` has the project's one generator (:mod:`app.generate`, the same that
writes the demo history and the scale benchmark's sets) write a municipality's history for the
insight and privacy tests: seeded, so a data set is reproducible.
"""

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.demo.catalogue import REGIONAL_TARIFF_CENTS
from app.generate import ledger, outcomes
from app.generate.area import Area, provider_terms
from app.generate.cases import CaseGenerator, Options
from app.generate.rows import Rows, SequentialIds
from app.generate.writers import insert_rows
from app.models.catalogue import LifeDomain
from app.models.engagements import Engagement, EngagementGoal
from app.models.families import Family, FamilyMember
from app.models.geography import DistrictIndicator
from app.models.plans import Goal, Plan, PlanSupportProfile
from app.models.referrals import Referral
from tests.support.builders import member
from tests.support.factories import Reference

END_REASONS = ["31", "31", "31", "31", "32", "33", "34", "35", "38", "02"]
REFERRER_TYPES = ["01", "02", "03", "04", "05", "06", "08"]
PROFILES_B = ["P02", "P03", "P04", "P05", "P06", "P07", "P08", "P09"]
INTENSITY_MONTHS = {"I1": 3, "I2": 6, "I3": 12, "I4": 24}


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@dataclass
class FamilyRows:
    family: Family
    parent: FamilyMember
    child: FamilyMember
    plan: Plan


@dataclass
class Builder:
    """Adds rows for one municipality of the test reference data."""

    session: AsyncSession
    ref: Reference
    municipality: str = "GM0363"
    rng: random.Random = field(default_factory=lambda: random.Random(1))

    def team_for(self, district: str) -> uuid.UUID:
        districts = self.ref.districts[self.municipality]
        if self.municipality == "GM0363" and district == districts[1]:
            return self.ref.second_team
        return self.ref.teams[self.municipality]

    async def family(
        self,
        district: str | None = None,
        *,
        child_birth: date | None = None,
        names: tuple[str, str, str] = ("Anna", "Bakker", "Sem"),
        bsn: str | None = None,
    ) -> FamilyRows:
        district = district or self.ref.districts[self.municipality][0]
        family = Family(
            municipality_code=self.municipality, district_code=district, team_id=self.team_for(district)
        )
        self.session.add(family)
        await self.session.flush()
        given_parent, surname, given_child = names
        parent = member(family, "parent", given_parent, date(1985, 3, 4), surname=surname)
        birth = child_birth or date(2014, 6, 1)
        child = member(family, "child", given_child, birth, surname=surname, bsn=bsn)
        plan = Plan(family_id=family.id, municipality_code=self.municipality, status="active", created_by="t")
        self.session.add_all([parent, child, plan])
        await self.session.flush()
        return FamilyRows(family, parent, child, plan)

    async def engagement(
        self,
        rows: FamilyRows,
        *,
        provider: uuid.UUID | None = None,
        profile: str = "P03",
        intensity: str = "I2",
        status: str = "started",
        payment_model: str = "milestone",
        tariff_cents: int | None = None,
        start_share_percent: int = 70,
        result_share_percent: int | None = None,
        requested: date = date(2026, 1, 5),
        start: date | None = date(2026, 1, 20),
        end: date | None = None,
        end_reason: str | None = None,
    ) -> Engagement:
        provider = provider or self.ref.providers[0]
        psp = PlanSupportProfile(
            plan_id=rows.plan.id,
            member_id=rows.child.id,
            profile_code=profile,
            intensity_code=intensity,
            problem_description="beschrijving",
        )
        self.session.add(psp)
        await self.session.flush()
        accepted = status in ("accepted", "started", "closed")
        engagement = Engagement(
            municipality_code=self.municipality,
            family_id=rows.family.id,
            plan_id=rows.plan.id,
            member_id=rows.child.id,
            plan_support_profile_id=psp.id,
            district_code=rows.family.district_code,
            team_id=rows.family.team_id,
            profile_code=profile,
            intensity_code=intensity,
            provider_id=provider,
            status=status,
            requested_by="test",
            requested_at=at(requested),
            answered_at=at(requested + timedelta(days=2)) if status != "requested" else None,
            contract_id=self.ref.contracts.get(provider) if accepted else None,
            tariff_cents=(tariff_cents or REGIONAL_TARIFF_CENTS[intensity]) if accepted else None,
            payment_model=payment_model if accepted else None,
            start_share_percent=start_share_percent if accepted else None,
            result_share_percent=result_share_percent if accepted else None,
            start_date=start if status in ("started", "closed") else None,
            end_date=end if status == "closed" else None,
            end_reason=end_reason if status == "closed" else None,
            closed_at=at(end) if status == "closed" and end else None,
        )
        self.session.add(engagement)
        await self.session.flush()
        return engagement

    async def goals(self, rows: FamilyRows, engagement: Engagement, scores: list[int | None]) -> None:
        goals = [
            Goal(
                plan_id=rows.plan.id,
                municipality_code=self.municipality,
                domain_code="finances",
                description="doel",
                created_by="t",
            )
            for _ in scores
        ]
        self.session.add_all(goals)
        await self.session.flush()
        self.session.add_all(
            [
                EngagementGoal(engagement_id=engagement.id, goal_id=g.id, final_gas_score=s)
                for g, s in zip(goals, scores, strict=True)
            ]
        )
        await self.session.flush()


async def bulk(session: AsyncSession, model: Any, rows: list[dict[str, Any]]) -> None:
    """One multi-row INSERT per model (fast arranging of large data sets)."""
    if rows:
        await session.execute(insert(model), rows)


# --- a whole data set ------------------------------------------------------------------------

PAYMENT_MODELS = ["milestone", "monthly", "lumpsum"]


@dataclass
class History:
    """What a generated data set holds, for tests to look things up (the rows are in the database)."""

    families: list[uuid.UUID] = field(default_factory=list)
    names: set[str] = field(default_factory=set)
    bsns: set[str] = field(default_factory=set)
    birth_dates: set[date] = field(default_factory=set)
    free_texts: set[str] = field(default_factory=set)
    engagements: int = 0


def area_of(ref: Reference, municipality: str) -> Area:
    """A municipality of the test reference data as the generator sees it."""
    builder = Builder(None, ref, municipality)  # type: ignore[arg-type]
    districts = ref.districts[municipality]
    providers = [
        provider_terms(n, pid, ref.contracts[pid], PAYMENT_MODELS[n % len(PAYMENT_MODELS)])
        for n, pid in enumerate(ref.providers)
    ]
    return Area(municipality, districts, [builder.team_for(d) for d in districts], providers)


async def generate_history(
    session: AsyncSession,
    ref: Reference,
    *,
    seed: int = 7,
    families: int = 120,
    municipality: str = "GM0363",
    start: date = date(2025, 1, 1),
    end: date = date(2026, 10, 31),
    marker: str = "",
) -> History:
    """A reproducible data set: families with agreed plans, referrals (GP intakes and referrals
    not yet used among them), engagements in every state with waiting times, end reasons, final
    GAS scores and surveys, treatment plans, handoffs, and the ledger's lines and batches — as
    seen on ``end``.

    ``marker`` is put into every name and free text, so a privacy test can look for it.
    """
    domains = list((await session.execute(select(LifeDomain.code).order_by(LifeDomain.position))).scalars())
    options = Options(marker=marker, bsn=True, open_referral_share=0.3, intake_share=0.05, created_by="gen")
    ids = SequentialIds("tests", str(seed), municipality)
    gen = CaseGenerator(Rows(), area_of(ref, municipality), end, ids, domains, seed=seed, options=options)
    gen.spread(families, start, end)
    outcomes.evaluations(gen.rows, end, seed)
    ledger.batches(gen)
    await insert_rows(session, gen.rows)
    await _indicators(session, random.Random(seed), ref.districts[municipality], municipality)
    return _summary(gen)


def _summary(gen: CaseGenerator) -> History:
    rows = gen.rows.data
    h = History(families=[f["id"] for f in rows[Family]], free_texts=set(gen.free_texts))
    for row in rows[FamilyMember]:
        h.names.update({row["given_name"], row["family_name"]})
        h.bsns.add(row["bsn"])
        h.birth_dates.add(row["birth_date"])
    for referral in rows[Referral]:
        if referral["child_bsn"]:
            h.bsns.add(referral["child_bsn"])
            h.birth_dates.add(referral["child_birth_date"])
    h.engagements = len(rows[Engagement])
    return h


async def _indicators(
    session: AsyncSession, rng: random.Random, districts: list[str], municipality: str
) -> None:
    """Youth population and low-income share per district for 2025 and 2026 (replacing any)."""
    for year in (2025, 2026):
        for district in districts:
            youth, low = rng.randint(2500, 9000), round(rng.uniform(0.05, 0.3), 3)
            values = {"youthPopulation": youth, "lowIncomeShare": low}
            statement = pg_insert(DistrictIndicator).values(
                district_code=district,
                year=year,
                municipality_code=municipality,
                youth_population=youth,
                values=values,
                updated_at=datetime.now(UTC),
            )
            await session.execute(
                statement.on_conflict_do_update(
                    index_elements=["district_code", "year"],
                    set_={"youth_population": youth, "values": values},
                )
            )
