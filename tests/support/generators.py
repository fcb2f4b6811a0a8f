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
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.demo.catalogue import REGIONAL_TARIFF_CENTS
from app.models.engagements import Engagement, EngagementGoal, ExperienceSurvey, Handoff, TreatmentPlan
from app.models.families import Family, FamilyMember
from app.models.geography import DistrictIndicator
from app.models.money import PaymentLine
from app.models.plans import Goal, Plan, PlanAssessment, PlanSupportProfile
from app.models.referrals import Referral
from app.services.money import ledger_rules as rules
from tests.support.factories import Reference

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


# --- a whole data set ------------------------------------------------------------------------

GIVEN = ["Daan", "Emma", "Liam", "Julia", "Noah", "Sophie", "Finn", "Tess", "Milan", "Zoë"]
SURNAMES = ["de Vries", "Jansen", "El Amrani", "Visser", "Yılmaz", "Smit", "Mulder", "Bos"]


@dataclass
class History:
    """What a generated data set holds, for tests to look things up (the rows are in the database)."""

    families: list[uuid.UUID] = field(default_factory=list)
    names: set[str] = field(default_factory=set)
    bsns: set[str] = field(default_factory=set)
    birth_dates: set[date] = field(default_factory=set)
    free_texts: set[str] = field(default_factory=set)
    engagements: int = 0


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, max((end - start).days, 0)))


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
    """A reproducible data set: families, plans, referrals, engagements in every state with dates,
    end reasons, final GAS scores, surveys, payment lines, treatment plans and handoffs.

    ``marker`` is put into every name and free text, so a privacy test can look for it.
    """
    rng = random.Random(seed)
    b = Builder(session, ref, municipality, rng)
    h = History()
    rows: dict[str, list[dict[str, Any]]] = {
        k: []
        for k in (
            "families",
            "members",
            "plans",
            "goals",
            "psps",
            "referrals",
            "engagements",
            "egoals",
            "surveys",
            "lines",
            "tplans",
            "handoffs",
        )
    }
    districts = ref.districts[municipality]
    now = datetime.now(UTC)
    for _ in range(families):
        district = rng.choice(districts)
        fid, pid = _uuid(rng), _uuid(rng)
        h.families.append(fid)
        created = at(_day(rng, start, end))
        rows["families"].append(
            dict(
                id=fid,
                municipality_code=municipality,
                district_code=district,
                team_id=b.team_for(district),
                status="active",
                created_at=created,
                updated_at=created,
                care_ended_at=None,
            )
        )
        surname = rng.choice(SURNAMES) + marker
        parent = _member_row(
            rng, h, fid, municipality, "parent", surname, date(1980, 1, 1), date(1992, 12, 31), marker
        )
        children = [
            _member_row(
                rng, h, fid, municipality, "child", surname, date(2008, 6, 1), date(2022, 12, 31), marker
            )
            for _ in range(rng.randint(1, 2))
        ]
        rows["members"] += [parent, *children]
        rows["plans"].append(
            dict(
                id=pid,
                family_id=fid,
                municipality_code=municipality,
                status="active",
                version=1,
                agreed_version=1,
                revision_open=False,
                family_vision=f"Visie {marker}",
                summary=None,
                created_by="gen",
                created_at=created,
                updated_at=created,
            )
        )
        h.free_texts.add(f"Visie {marker}")
        for child in children:
            for _ in range(rng.choice([0, 1, 1, 1, 2])):
                _engagement_rows(rng, b, h, rows, fid, pid, district, child, parent, start, end, now, marker)
        if rng.random() < 0.3:  # a referral that did not (yet) lead to an engagement
            _referral_row(
                rng,
                h,
                rows,
                fid,
                children[0]["id"],
                district,
                b.team_for(district),
                municipality,
                rng.choice(PROFILES_B),
                at(_day(rng, start, end)),
                marker,
            )
    for _ in range(max(families // 20, 1)):  # GP intake referrals: no family yet, a BSN and birth date
        district = rng.choice(districts)
        ref_row = _referral_row(
            rng,
            h,
            rows,
            None,
            None,
            district,
            b.team_for(district),
            municipality,
            rng.choice(PROFILES_B),
            at(_day(rng, start, end)),
            marker,
        )
        ref_row.update(child_bsn=make_bsn(rng), child_birth_date=date(2015, 5, 5), status="intake")
        h.bsns.add(ref_row["child_bsn"])
        h.birth_dates.add(ref_row["child_birth_date"])
    rows["assessments"] = _evaluations(random.Random(seed * 7919 + 1), rows["plans"], start, end)
    for model, key in [
        (Family, "families"),
        (FamilyMember, "members"),
        (Plan, "plans"),
        (PlanAssessment, "assessments"),
        (Goal, "goals"),
        (Referral, "referrals"),
        (PlanSupportProfile, "psps"),
        (Engagement, "engagements"),
        (EngagementGoal, "egoals"),
        (ExperienceSurvey, "surveys"),
        (PaymentLine, "lines"),
        (TreatmentPlan, "tplans"),
        (Handoff, "handoffs"),
    ]:
        await bulk(session, model, rows[key])
    await _indicators(session, rng, districts, municipality)
    h.engagements = len(rows["engagements"])
    return h


EVALUATED_DOMAINS = ["finances", "housing", "mental_health", "parenting", "school", "social_network"]


def _evaluations(
    rng: random.Random, plans: list[dict[str, Any]], start: date, end: date
) -> list[dict[str, Any]]:
    """Domain scores as agreed for every plan, and for about half of them an evaluation (final
    scores, ``evaluated_at``); a separate random stream, so the rest of the data set is unchanged."""
    rows: list[dict[str, Any]] = []
    for plan in plans:
        evaluated = rng.random() < 0.5
        plan["evaluated_at"] = at(_day(rng, start, end), hour=rng.choice([0, 10, 23])) if evaluated else None
        plan["status"] = "evaluating" if evaluated else plan["status"]
        for domain in rng.sample(EVALUATED_DOMAINS, rng.randint(1, 4)):
            score = rng.randint(1, 5)
            relevant = rng.random() > 0.1
            final = max(1, min(5, score + rng.choice([-1, 0, 0, 1, 1, 2]))) if evaluated else None
            rows.append(
                dict(
                    id=_uuid(rng),
                    plan_id=plan["id"],
                    domain_code=domain,
                    score=score if relevant else None,
                    relevant=relevant,
                    situation=None,
                    family_wish=None,
                    final_score=final if relevant and rng.random() > 0.05 else None,
                    updated_at=plan["created_at"],
                )
            )
    return rows


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


def _member_row(
    rng: random.Random,
    h: History,
    fid: uuid.UUID,
    municipality: str,
    role: str,
    surname: str,
    born_from: date,
    born_to: date,
    marker: str = "",
) -> dict[str, Any]:
    given = rng.choice(GIVEN) + marker
    birth = _day(rng, born_from, born_to)
    bsn = make_bsn(rng)
    h.names.update({given, surname})
    h.bsns.add(bsn)
    h.birth_dates.add(birth)
    return dict(
        id=_uuid(rng),
        family_id=fid,
        municipality_code=municipality,
        role=role,
        given_name=given,
        family_name=surname,
        birth_date=birth,
        bsn=bsn,
        extended_care=False,
        active=True,
        created_at=datetime.now(UTC),
    )


def _referral_row(
    rng: random.Random,
    h: History,
    rows: dict[str, list[dict[str, Any]]],
    fid: uuid.UUID | None,
    member: uuid.UUID | None,
    district: str,
    team: uuid.UUID,
    municipality: str,
    profile: str,
    created: datetime,
    marker: str,
) -> dict[str, Any]:
    reason = f"Verwijsreden {marker}"
    h.free_texts.add(reason)
    row = dict(
        id=_uuid(rng),
        municipality_code=municipality,
        family_id=fid,
        member_id=member,
        child_bsn=None,
        child_birth_date=None,
        district_code=district if fid is None or rng.random() < 0.5 else None,
        team_id=team if fid is None else None,
        referrer_type=rng.choice(REFERRER_TYPES),
        referrer_agb=None,
        referrer_subject="gen",
        profile_code=profile,
        intensity_code=rng.choice(["I1", "I2", "I3"]),
        reason=reason,
        valid_from=created.date(),
        valid_to=created.date() + timedelta(days=365),
        status="open",
        created_at=created,
    )
    rows["referrals"].append(row)
    return row


def _engagement_rows(
    rng: random.Random,
    b: Builder,
    h: History,
    rows: dict[str, list[dict[str, Any]]],
    fid: uuid.UUID,
    pid: uuid.UUID,
    district: str,
    child: dict[str, Any],
    parent: dict[str, Any],
    start: date,
    end: date,
    now: datetime,
    marker: str,
) -> None:
    municipality = b.municipality
    profile = rng.choice(["P01", *PROFILES_B, *PROFILES_B, "P10"])
    intensity = rng.choice(["I1", "I2", "I2", "I3", "I4"])
    provider = rng.choice(b.ref.providers)
    requested = _day(rng, start, end)
    referral_id = None
    if profile != "P01":
        referral_id = _referral_row(
            rng,
            h,
            rows,
            fid,
            child["id"],
            district,
            b.team_for(district),
            municipality,
            profile,
            at(requested - timedelta(days=rng.randint(0, 20))),
            marker,
        )["id"]
    psp = dict(
        id=_uuid(rng),
        plan_id=pid,
        member_id=child["id"],
        profile_code=profile,
        intensity_code=intensity,
        problem_description=f"Probleem {marker}",
        referral_id=referral_id,
        created_at=at(requested),
    )
    rows["psps"].append(psp)
    h.free_texts.add(f"Probleem {marker}")
    status = rng.choices(
        ["requested", "declined", "withdrawn", "accepted", "started", "closed"], [1, 1, 1, 1, 3, 6]
    )[0]
    start_date = requested + timedelta(days=rng.randint(0, 90))
    if status in ("started", "closed") and start_date > end:
        status = "accepted"
    end_date = start_date + timedelta(days=rng.randint(20, 400))
    if status == "closed" and end_date > end:
        status = "started"
    model = rng.choice(["milestone", "milestone", "milestone", "monthly", "lumpsum"])
    tariff = REGIONAL_TARIFF_CENTS[intensity] * (2 if profile == "P10" else 1)
    accepted = status in ("accepted", "started", "closed")
    eid = _uuid(rng)
    reason = rng.choice(END_REASONS) if status == "closed" else None
    rows["engagements"].append(
        dict(
            id=eid,
            municipality_code=municipality,
            family_id=fid,
            plan_id=pid,
            member_id=child["id"],
            plan_support_profile_id=psp["id"],
            referral_id=referral_id,
            district_code=district,
            team_id=b.team_for(district),
            profile_code=profile,
            intensity_code=intensity,
            provider_id=provider,
            status=status,
            choice_reason=f"Keuze {marker}",
            requested_by="gen",
            requested_at=at(requested),
            answered_at=at(requested + timedelta(days=2)) if status != "requested" else None,
            decline_reason_code="01" if status == "declined" else None,
            decline_reason=f"Afwijzing {marker}" if status == "declined" else None,
            withdrawn_at=at(requested + timedelta(days=3)) if status == "withdrawn" else None,
            assignment_number=f"G{eid.hex[:10]}" if accepted else None,
            contract_id=b.ref.contracts[provider] if accepted else None,
            tariff_cents=tariff if accepted else None,
            payment_model=model if accepted else None,
            start_share_percent=70 if accepted else None,
            result_share_percent=None,
            start_date=start_date if status in ("started", "closed") else None,
            end_date=end_date if status == "closed" else None,
            end_reason=reason,
            problem_reduction=rng.randint(1, 3) if status == "closed" else None,
            closed_at=at(end_date) if status == "closed" else None,
        )
    )
    h.free_texts.update({f"Keuze {marker}", f"Afwijzing {marker}"})
    if status in ("started", "closed"):
        _goal_rows(rng, rows, municipality, pid, eid, closed=status == "closed", marker=marker, h=h)
        _line_rows(
            rng,
            b,
            rows,
            eid,
            provider,
            district,
            model,
            tariff,
            start_date,
            end_date if status == "closed" else None,
            reason,
        )
        expected_end = start_date + timedelta(days=rng.randint(30, 300))
        rows["tplans"].append(
            dict(
                id=_uuid(rng),
                engagement_id=eid,
                municipality_code=municipality,
                version=1,
                status="submitted",
                approach=f"Aanpak {marker}",
                expected_end_date=expected_end,
                created_at=at(start_date),
                updated_at=at(start_date),
                submitted_at=at(start_date),
            )
        )
        h.free_texts.add(f"Aanpak {marker}")
        if rng.random() < 0.15:
            due = at(start_date + timedelta(days=5))
            rows["handoffs"].append(
                dict(
                    id=_uuid(rng),
                    municipality_code=municipality,
                    family_id=fid,
                    plan_id=pid,
                    engagement_id=eid,
                    domain_code="finances",
                    need=f"Schulden {marker}",
                    urgency="urgent",
                    route_to="team",
                    team_id=b.team_for(district),
                    status=rng.choice(["open", "resolved"]),
                    raised_by="gen",
                    raised_by_role="provider_staff",
                    raised_by_provider_id=provider,
                    due_at=due,
                    created_at=at(start_date),
                    acknowledged_at=None,
                    started_at=None,
                    resolved_at=None,
                    declined_at=None,
                    resolution=None,
                    decline_reason=None,
                )
            )
            h.free_texts.add(f"Schulden {marker}")
    if status == "closed":
        for member, kind in [(parent, "parent"), (child, "youth")]:
            if rng.random() < 0.7:
                rows["surveys"].append(
                    dict(
                        id=_uuid(rng),
                        engagement_id=eid,
                        municipality_code=municipality,
                        respondent_member_id=member["id"],
                        respondent_kind=kind,
                        score=rng.randint(3, 10),
                        answers={},
                        submitted_at=at(end_date + timedelta(days=3)),
                    )
                )


def _goal_rows(
    rng: random.Random,
    rows: dict[str, list[dict[str, Any]]],
    municipality: str,
    pid: uuid.UUID,
    eid: uuid.UUID,
    *,
    closed: bool,
    marker: str,
    h: History,
) -> None:
    for _ in range(rng.randint(0, 4) if closed else 1):
        gid = _uuid(rng)
        rows["goals"].append(
            dict(
                id=gid,
                plan_id=pid,
                municipality_code=municipality,
                domain_code="finances",
                member_id=None,
                description=f"Doel {marker}",
                desired_result=None,
                target_date=None,
                status="open",
                created_by="gen",
                created_at=datetime.now(UTC),
                updated_at=datetime.now(UTC),
            )
        )
        score = rng.choice([-2, -1, 0, 0, 1, 1, 2, None]) if closed else None
        rows["egoals"].append(dict(engagement_id=eid, goal_id=gid, final_gas_score=score))
    h.free_texts.add(f"Doel {marker}")


def _line_rows(
    rng: random.Random,
    b: Builder,
    rows: dict[str, list[dict[str, Any]]],
    eid: uuid.UUID,
    provider: uuid.UUID,
    district: str,
    model: str,
    tariff: int,
    start: date,
    end: date | None,
    reason: str | None,
) -> None:
    """Ledger lines as the ledger would have written them (start and completion, or months)."""
    terms = rules.Terms(tariff_cents=tariff, payment_model=model)
    parts: list[tuple[str, int, date]] = []
    if model == "milestone":
        parts.append(("start", rules.start_part(terms), start))
        if end is not None:
            due = rules.completion_due(
                terms,
                end_reason=reason,
                completion_on_dropout=False,
                start=start,
                end=end,
                max_months=INTENSITY_MONTHS["I2"],
            )
            if due:
                parts.append(("completion", due, end))
    elif model == "monthly":
        months = min(rules.months_between(start, end or date(2026, 10, 31)), 12)
        parts += [
            ("monthly", rules.monthly_part(terms, i), max(rules.add_months(start, i), start))
            for i in range(months)
        ]
    for kind, amount, due in parts:
        rows["lines"].append(
            dict(
                id=_uuid(rng),
                municipality_code=b.municipality,
                engagement_id=eid,
                contract_id=b.ref.contracts[provider],
                provider_id=provider,
                district_code=district,
                kind=kind,
                amount_cents=amount,
                due_date=due,
                period=rules.period_of(due),
                status=rng.choice(["scheduled", "approved", "exported", "paid"]),
                batch_id=None,
                corrects_line_id=None,
                note=None,
                created_at=at(due),
                approved_at=None,
                approved_by=None,
            )
        )
