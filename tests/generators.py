"""Data-set generators: families, plans, engagements, outcomes and referrals, inserted directly.

Everything is arranged in the database (no API calls), from a seeded ``random.Random`` so a data
set is reproducible. :class:`Builder` adds single rows with sensible defaults;
:func:`generate_history` builds a whole municipality's year of history for the insight tests.
"""

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.demo.catalogue import REGIONAL_TARIFF_CENTS
from app.models.engagements import Engagement, EngagementGoal, ExperienceSurvey, Handoff, TreatmentPlan
from app.models.families import Family, FamilyMember
from app.models.plans import Goal, Plan, PlanSupportProfile
from app.models.referrals import Referral
from tests.factories import Reference

END_REASONS = ["31", "31", "31", "31", "32", "33", "34", "35", "38", "02"]
REFERRER_TYPES = ["01", "02", "03", "04", "05", "06", "08"]
PROFILES_B = ["P02", "P03", "P04", "P05", "P06", "P07", "P08", "P09"]
INTENSITY_MONTHS = {"I1": 3, "I2": 6, "I3": 12, "I4": 24}


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def make_bsn(rng: random.Random) -> str:
    """A random BSN passing the 11-proef (Σ dᵢ·wᵢ with weights 9…2, −1 divisible by 11)."""
    while True:
        digits = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(7)]
        last = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=True)) % 11
        if last <= 9:
            return "".join(map(str, [*digits, last]))


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
        parent = FamilyMember(
            family_id=family.id,
            municipality_code=self.municipality,
            role="parent",
            given_name=names[0],
            family_name=names[1],
            birth_date=date(1985, 3, 4),
        )
        child = FamilyMember(
            family_id=family.id,
            municipality_code=self.municipality,
            role="child",
            given_name=names[2],
            family_name=names[1],
            birth_date=child_birth or date(2014, 6, 1),
            bsn=bsn,
        )
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


__all__ = [
    "END_REASONS",
    "Builder",
    "ExperienceSurvey",
    "FamilyRows",
    "Handoff",
    "Referral",
    "TreatmentPlan",
    "at",
    "bulk",
]
