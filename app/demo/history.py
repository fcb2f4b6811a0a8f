"""Demo history: fifteen months of Amsterdam (GM0363) care, so the steering side has something to show.

Several hundred engagements across the four districts and eight providers in every state (with
waiting times, end reasons, final GAS scores, experience surveys), the referrals behind them,
treatment plans and handoffs (some flagged for case review), the plans' domain scores and, where
care has ended, their evaluation, the payment ledger as it would have
been written (exported and paid in monthly batches), the lumpsum contract's monthly lines, and the
current year's budgets with an allocation by indicators. In the last three months district
Zuidoost shows a spike in P06 (AD(H)D diagnostics) demand, which ``/insights/trends`` finds.

Dates are relative to the day the demo is loaded; everything comes from a seeded random generator
and ``demo_id`` ids, so a load is reproducible on a given day. Rows go in with one multi-row
INSERT per table. Names are fictitious; history members carry no BSN.
"""

import random
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.demo import history_ledger, history_outcomes
from app.demo.catalogue import PROFILES, REGIONAL_TARIFF_CENTS
from app.demo.history_ledger import HISTORY_DAYS, MAX_MONTHS, PROVIDERS, SPECIALIST, Rows, at
from app.demo.ids import MUNICIPALITY, demo_id
from app.demo.reference import district_code
from app.models.engagements import Engagement, EngagementGoal, ExperienceSurvey, Handoff, TreatmentPlan
from app.models.families import Family, FamilyMember
from app.models.money import Budget, BudgetAllocation, PaymentBatch, PaymentLine
from app.models.plans import Goal, Plan, PlanAssessment, PlanSupportProfile
from app.models.referrals import Referral

SEED = 20260101
FAMILIES = 420
SPIKE_DISTRICT = 2  # Zuidoost
SPIKE_PROFILE = "P06"
GIVEN = ["Daan", "Sara", "Yusuf", "Lina", "Sem", "Noor", "Milan", "Eva", "Ilias", "Fenna", "Jesse", "Amira"]
SURNAMES = ["Bakker", "de Wit", "Öztürk", "Mensah", "van Dijk", "Kramer", "Haddou", "Peters", "Koster"]
GOAL_DOMAINS = ["parenting", "mental_health", "finances", "social_network", "school"]
PROFILE_WEIGHTS = [8, 12, 9, 10, 8, 7, 3, 4, 3, 3]  # P02..P11
REFERRER_WEIGHTS = {"01": 20, "02": 45, "03": 10, "04": 5, "05": 10, "06": 8, "08": 2}


def _tariff(profile: str, intensity: str, n: int) -> int:
    segment = next(s for c, _, s in PROFILES if c == profile)
    base = REGIONAL_TARIFF_CENTS[intensity]
    return base * 2 + 10_000 * n if segment == "C" else base


async def seed(session: AsyncSession, today: date | None = None) -> None:
    """Load the history as seen on ``today`` (default: the real today)."""
    rng = random.Random(SEED)
    today = today or date.today()
    rows = Rows()
    first_day = today - timedelta(days=HISTORY_DAYS)
    # requests evenly spread over time; per district the profiles follow a shuffled weighted
    # cycle, so each district × profile has a steady demand (no accidental trend alerts)
    cycle = [code for (code, _), w in zip(SPECIALIST, PROFILE_WEIGHTS, strict=True) for _ in range(w)]
    rng.shuffle(cycle)
    turn: dict[int, int] = defaultdict(int)
    for i in range(FAMILIES):
        position = rng.choices(range(4), weights=[5, 9, 8, 6])[0]
        profile = cycle[(turn[position] * 7 + position) % len(cycle)]
        turn[position] += 1
        requested = first_day + timedelta(days=i * (HISTORY_DAYS - 1) // FAMILIES)
        _family(rng, rows, today, i, position, requested, profile)
    for j in range(30):  # the spike: P06 demand in Zuidoost in the last three months
        requested = today - timedelta(days=2 + 3 * j)
        _family(rng, rows, today, FAMILIES + j, SPIKE_DISTRICT, requested, SPIKE_PROFILE)
    for k in range(3):  # accepted long ago and still waiting to start (case review)
        requested = today - timedelta(days=65 + 9 * k)
        _family(rng, rows, today, FAMILIES + 30 + k, k, requested, "P04", waiting=True)
    history_outcomes.evaluations(rows, today)
    history_ledger.lumpsum(rows, today)
    history_ledger.batches(rows, today)
    history_ledger.budgets(rows, today)
    order = [
        Family,
        FamilyMember,
        Plan,
        PlanAssessment,
        Goal,
        Referral,
        PlanSupportProfile,
        Engagement,
        EngagementGoal,
        ExperienceSurvey,
        TreatmentPlan,
        Handoff,
        PaymentBatch,
        PaymentLine,
        BudgetAllocation,
        Budget,
    ]
    for model in order:
        for start in range(0, len(rows.data[model]), 2000):
            await session.execute(insert(model), rows.data[model][start : start + 2000])


def _family(
    rng: random.Random,
    rows: Rows,
    today: date,
    i: int,
    position: int,
    requested: date,
    profile: str,
    *,
    waiting: bool = False,
) -> None:
    district = district_code(MUNICIPALITY, position)
    team = demo_id("team", MUNICIPALITY, str(position + 1))
    fid, pid = demo_id("history", "family", str(i)), demo_id("history", "plan", str(i))
    surname = rng.choice(SURNAMES)
    created = at(requested - timedelta(days=30))
    rows.add(
        Family,
        id=fid,
        municipality_code=MUNICIPALITY,
        district_code=district,
        team_id=team,
        status="active",
        created_at=created,
        updated_at=created,
        care_ended_at=None,
    )
    parent = _member(rng, rows, fid, "parent", surname, date(1978, 1, 1), 22 * 365, created)
    age_days = (
        rng.randint(3 * 365, 17 * 365 + 300) if rng.random() > 0.04 else 18 * 365 - rng.randint(20, 150)
    )
    child = _member(rng, rows, fid, "child", surname, today - timedelta(days=age_days), 0, created)
    rows.add(
        Plan,
        id=pid,
        family_id=fid,
        municipality_code=MUNICIPALITY,
        status="active",
        version=1,
        agreed_version=1,
        revision_open=False,
        family_vision="Rust en regelmaat thuis.",
        summary=None,
        created_by="demo-history",
        created_at=created,
        updated_at=created,
        agreed_at=created,
        activated_at=created,
    )
    intensity = rng.choices(["I1", "I2", "I3", "I4"], weights=[3, 5, 3, 1])[0]
    candidates = [p for p in PROVIDERS if profile in p["band"]]
    declines = 0 if waiting else 3 if rng.random() < 0.015 else (1 if rng.random() < 0.08 else 0)
    for k in range(declines):
        declined_by = candidates[k % len(candidates)] if len(candidates) > k else rng.choice(PROVIDERS)
        _engagement(
            rng,
            rows,
            today,
            fid,
            pid,
            child,
            district,
            team,
            profile,
            intensity,
            declined_by,
            requested - timedelta(days=10 * (declines - k)),
            "declined",
        )
    if declines < 3:
        provider = rng.choice(candidates)
        _engagement(
            rng,
            rows,
            today,
            fid,
            pid,
            child,
            district,
            team,
            profile,
            intensity,
            provider,
            requested,
            "accepted" if waiting else None,
            parent=parent,
        )


def _member(
    rng: random.Random,
    rows: Rows,
    fid: Any,
    role: str,
    surname: str,
    born: date,
    spread: int,
    created: datetime,
) -> dict[str, Any]:
    n = rows.next()
    birth = born + timedelta(days=rng.randint(0, spread)) if spread else born
    return rows.add(
        FamilyMember,
        id=demo_id("history", "member", str(n)),
        family_id=fid,
        municipality_code=MUNICIPALITY,
        role=role,
        given_name=rng.choice(GIVEN),
        family_name=surname,
        birth_date=birth,
        bsn=None,
        extended_care=False,
        active=True,
        created_at=created,
    )


def _engagement(
    rng: random.Random,
    rows: Rows,
    today: date,
    fid: Any,
    pid: Any,
    child: dict[str, Any],
    district: str,
    team: Any,
    profile: str,
    intensity: str,
    provider: dict[str, Any],
    requested: date,
    forced: str | None,
    parent: dict[str, Any] | None = None,
) -> None:
    n = rows.next()
    eid = demo_id("history", "engagement", str(n))
    referral = (
        rows.add(
            Referral,
            id=demo_id("history", "referral", str(n)),
            municipality_code=MUNICIPALITY,
            family_id=fid,
            member_id=child["id"],
            child_bsn=None,
            child_birth_date=None,
            district_code=None,
            team_id=None,
            referrer_type=rng.choices(list(REFERRER_WEIGHTS), weights=list(REFERRER_WEIGHTS.values()))[0],
            referrer_agb=None,
            referrer_subject="demo-history",
            profile_code=profile,
            intensity_code=intensity,
            reason="Hulpvraag (demo).",
            valid_from=requested - timedelta(days=5),
            valid_to=requested + timedelta(days=360),
            status="in_use",
            created_at=at(requested - timedelta(days=rng.randint(2, 12))),
        )
        if forced != "declined"
        else None
    )
    psp = rows.add(
        PlanSupportProfile,
        id=demo_id("history", "psp", str(n)),
        plan_id=pid,
        member_id=child["id"],
        profile_code=profile,
        intensity_code=intensity,
        problem_description="Zie plan (demo).",
        referral_id=referral["id"] if referral else None,
        created_at=at(requested),
    )
    wait = max(0, int(rng.gauss(provider["wait"], 12)))
    if rng.random() < 0.04:  # a long wait, some of which are still waiting (case review)
        wait += 100
    start = requested + timedelta(days=wait)
    length = int(MAX_MONTHS[intensity] * 30.4 * rng.uniform(0.6, 1.1))
    dropout = rng.random() < 0.14 - 0.1 * provider["quality"]
    reason = (
        rng.choice(["32", "33"])
        if dropout
        else rng.choices(["31", "34", "35", "38", "39"], [14, 2, 1, 1, 1])[0]
    )
    if reason != "31":
        length = int(length * rng.uniform(0.2, 0.7))
    end = start + timedelta(days=length)
    status = forced or ("withdrawn" if rng.random() < 0.03 else "closed" if end < today else "started")
    if status in ("started", "closed") and start >= today:
        status = "accepted" if requested < today - timedelta(days=3) else "requested"
    accepted = status in ("accepted", "started", "closed")
    tariff = _tariff(profile, intensity, PROVIDERS.index(provider))
    rows.add(
        Engagement,
        id=eid,
        municipality_code=MUNICIPALITY,
        family_id=fid,
        plan_id=pid,
        member_id=child["id"],
        plan_support_profile_id=psp["id"],
        referral_id=referral["id"] if referral else None,
        district_code=district,
        team_id=team,
        profile_code=profile,
        intensity_code=intensity,
        provider_id=provider["id"],
        status=status,
        choice_reason=None,
        requested_by="demo-history",
        requested_at=at(requested),
        answered_at=at(requested + timedelta(days=3)) if status != "requested" else None,
        decline_reason_code="02" if status == "declined" else None,
        decline_reason="Geen plek (demo)." if status == "declined" else None,
        withdrawn_at=at(requested + timedelta(days=4)) if status == "withdrawn" else None,
        assignment_number=f"H{n:07d}" if accepted else None,
        contract_id=provider["contract"] if accepted else None,
        tariff_cents=tariff if accepted else None,
        payment_model=provider["model"] if accepted else None,
        start_share_percent=70 if accepted else None,
        result_share_percent=provider["result_share"] if accepted else None,
        start_date=start if status in ("started", "closed") else None,
        end_date=end if status == "closed" else None,
        end_reason=reason if status == "closed" else None,
        problem_reduction=rng.randint(1, 3) if status == "closed" else None,
        closed_at=at(end) if status == "closed" else None,
    )
    if status not in ("started", "closed"):
        return
    scores = _goals(rng, rows, pid, eid, provider, status == "closed", reason)
    expected_end = start + timedelta(days=int(MAX_MONTHS[intensity] * 30.4 * rng.uniform(0.7, 1.0)))
    rows.add(
        TreatmentPlan,
        id=demo_id("history", "treatment-plan", str(n)),
        engagement_id=eid,
        municipality_code=MUNICIPALITY,
        version=1,
        status="submitted",
        approach="Zie behandelplan (demo).",
        expected_end_date=expected_end,
        created_at=at(start),
        updated_at=at(start),
        submitted_at=at(start),
    )
    if rng.random() < 0.12:
        _handoff(rng, rows, today, n, fid, pid, eid, team, provider, start)
    if status == "closed" and parent is not None:
        _surveys(rng, rows, n, eid, parent, child, provider, end, reason)
    history_ledger.ledger(
        rows,
        today,
        eid,
        provider,
        district,
        tariff,
        intensity,
        start,
        end if status == "closed" else None,
        reason,
        scores,
    )


def _goals(
    rng: random.Random, rows: Rows, pid: Any, eid: Any, provider: dict[str, Any], closed: bool, reason: str
) -> list[int]:
    scores = []
    for _ in range(rng.randint(1, 3)):
        n = rows.next()
        gid = demo_id("history", "goal", str(n))
        rows.add(
            Goal,
            id=gid,
            plan_id=pid,
            municipality_code=MUNICIPALITY,
            domain_code=rng.choice(GOAL_DOMAINS),
            member_id=None,
            description="Doel in eigen woorden (demo).",
            desired_result=None,
            target_date=None,
            status="open",
            created_by="demo-history",
            created_at=at(date(2025, 1, 1)),
            updated_at=at(date(2025, 1, 1)),
        )
        score = None
        if closed:
            mean = provider["quality"] - (1.0 if reason in ("32", "33") else 0.0)
            score = max(-2, min(2, round(rng.gauss(mean, 1.0))))
            scores.append(score)
        rows.add(EngagementGoal, engagement_id=eid, goal_id=gid, final_gas_score=score)
    return scores


def _handoff(
    rng: random.Random,
    rows: Rows,
    today: date,
    n: int,
    fid: Any,
    pid: Any,
    eid: Any,
    team: Any,
    provider: dict[str, Any],
    start: date,
) -> None:
    raised = min(start + timedelta(days=rng.randint(5, 60)), today - timedelta(days=1))
    status = rng.choices(["resolved", "in_progress", "open"], [6, 2, 1])[0]
    if status == "open":  # never acknowledged: a month old, so overdue (case review)
        raised = max(start, today - timedelta(days=rng.randint(30, 45)))
    rows.add(
        Handoff,
        id=demo_id("history", "handoff", str(n)),
        municipality_code=MUNICIPALITY,
        family_id=fid,
        plan_id=pid,
        engagement_id=eid,
        domain_code=rng.choice(["finances", "housing", "work_education"]),
        need="Hulp nodig op ander levensgebied (demo).",
        urgency="routine",
        route_to="team",
        team_id=team,
        status=status,
        raised_by="demo-history",
        raised_by_role="provider_staff",
        raised_by_provider_id=provider["id"],
        due_at=at(raised + timedelta(days=20)),
        created_at=at(raised),
        acknowledged_at=at(raised + timedelta(days=3)) if status != "open" else None,
        started_at=at(raised + timedelta(days=4)) if status != "open" else None,
        resolved_at=at(raised + timedelta(days=30)) if status == "resolved" else None,
        declined_at=None,
        resolution="Opgelost (demo)." if status == "resolved" else None,
        decline_reason=None,
    )


def _surveys(
    rng: random.Random,
    rows: Rows,
    n: int,
    eid: Any,
    parent: dict[str, Any],
    child: dict[str, Any],
    provider: dict[str, Any],
    end: date,
    reason: str,
) -> None:
    base = 7.2 + 1.5 * provider["quality"] - (1.5 if reason in ("32", "33") else 0.0)
    for kind, member, chance in (("parent", parent, 0.8), ("youth", child, 0.5)):
        if rng.random() < chance:
            score = max(1, min(10, round(rng.gauss(base, 1.2))))
            rows.add(
                ExperienceSurvey,
                id=demo_id("history", "survey", kind, str(n)),
                engagement_id=eid,
                municipality_code=MUNICIPALITY,
                respondent_member_id=member["id"],
                respondent_kind=kind,
                score=score,
                answers={},
                submitted_at=at(end + timedelta(days=5)),
            )
