"""An independent Python recomputation of the insight figures from the raw rows.

Reads the tables as they are stored and computes every figure of ``/insights/*`` with plain
Python, together with the number of cases it rests on, so tests can compare the API's values
and check its suppression. Counts are returned exact (``COUNTS``; the API publishes them rounded
to fives, see :func:`published`); shares and rates are computed the way they are published: from
the published counts.
"""

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.engagements import Engagement, EngagementGoal, ExperienceSurvey
from app.models.families import Family
from app.models.geography import DistrictIndicator, TeamDistrict
from app.models.money import Budget, PaymentLine
from app.models.plans import Plan, PlanAssessment
from app.models.referrals import Referral

AMS = ZoneInfo("Europe/Amsterdam")
RHO = 0.3
TYPES = ("01", "02", "03", "04", "05", "06", "08")
# The counts of every dimension; the referral counts are not kept per provider.
ENGAGEMENT_COUNTS = (
    "engagementsStarted",
    "engagementsClosed",
    "dropouts",
    "prematureEndings",
    "plansEvaluated",
    "endingsFollowedHalfYear",
    "endingsFollowed12Months",
)
COUNTS = {"referrals", *ENGAGEMENT_COUNTS, *(f"type:{t}" for t in TYPES)}


def published(n: int) -> int | None:
    """CBS's rounding: below 5 withheld, else the nearest multiple of 5."""
    if n < 5:
        return None
    return int(5 * math.floor(n / 5 + 0.5))


def share(top: int, bottom: int, cases: int | None = None) -> tuple[float | None, int]:
    """A share of published counts, with the cases it rests on (withheld when either count is)."""
    t, b = published(top), published(bottom)
    value = round(t / b, 4) if t is not None and b else None
    return value, min(top, bottom, bottom if cases is None else cases)


def months_end(day: date) -> date:
    following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


def add_12_months(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return date(day.year + 1, 2, 28)


def local(ts: datetime) -> date:
    return ts.astimezone(AMS).date()


def percentile(values: list[float], p: float) -> float:
    """PostgreSQL's percentile_cont: linear interpolation between the closest ranks."""
    v = sorted(values)
    pos = p * (len(v) - 1)
    lo, hi = math.floor(pos), math.ceil(pos)
    return v[lo] + (v[hi] - v[lo]) * (pos - lo)


@dataclass
class Raw:
    engagements: list[Any]
    referrals: list[Any]
    families: dict[Any, Any]
    goals: dict[Any, list[int]]
    surveys: list[Any]
    lines: list[Any]
    budgets: list[Any]
    indicators: list[Any]
    team_districts: list[Any]
    plans: list[Any]
    assessments: list[Any]


async def load(session: AsyncSession, municipality: str) -> Raw:
    async def rows(model: Any, *where: Any) -> list[Any]:
        return list(await session.scalars(select(model).where(*where)))

    goals: dict[Any, list[int]] = defaultdict(list)
    for g in await rows(EngagementGoal, EngagementGoal.final_gas_score.is_not(None)):
        goals[g.engagement_id].append(g.final_gas_score)
    return Raw(
        engagements=await rows(Engagement, Engagement.municipality_code == municipality),
        referrals=await rows(Referral, Referral.municipality_code == municipality),
        families={f.id: f for f in await rows(Family)},
        goals=goals,
        surveys=await rows(ExperienceSurvey),
        lines=await rows(PaymentLine, PaymentLine.municipality_code == municipality),
        budgets=await rows(Budget, Budget.municipality_code == municipality),
        indicators=await rows(DistrictIndicator, DistrictIndicator.municipality_code == municipality),
        team_districts=await rows(TeamDistrict),
        plans=await rows(Plan, Plan.municipality_code == municipality),
        assessments=await rows(PlanAssessment),
    )


def e_key(dimension: str, e: Any) -> str:
    return {
        "districts": e.district_code,
        "teams": str(e.team_id),
        "providers": str(e.provider_id),
        "profiles": e.profile_code,
    }[dimension]


def r_key(dimension: str, r: Any, families: dict[Any, Any]) -> str | None:
    family = families.get(r.family_id)
    if dimension == "districts":
        return r.district_code or (family.district_code if family else None)
    if dimension == "teams":
        team = r.team_id or (family.team_id if family else None)
        return str(team) if team else None
    return r.profile_code


def youth(raw: Raw, year: int) -> dict[str, int]:
    latest: dict[str, tuple[int, int]] = {}
    for i in raw.indicators:
        usable = i.year <= year and i.youth_population is not None
        if usable and (i.district_code not in latest or latest[i.district_code][0] < i.year):
            latest[i.district_code] = (i.year, i.youth_population)
    return {d: y for d, (_, y) in latest.items()}


def figures(raw: Raw, dimension: str, start: date, end: date) -> dict[str | None, dict[str, tuple[Any, int]]]:
    """key → metric → (value, cases)."""
    out: dict[str | None, dict[str, tuple[Any, int]]] = defaultdict(dict)
    by_key: dict[str, list[Any]] = defaultdict(list)
    for e in raw.engagements:
        by_key[e_key(dimension, e)].append(e)
    for key, es in by_key.items():
        started = [e for e in es if e.start_date and start <= e.start_date <= end]
        waits = [(e.start_date - local(e.requested_at)).days for e in started]
        f = out[key]
        f["engagementsStarted"] = (len(started), len(started))
        f["waitingDaysMedian"] = (percentile(waits, 0.5) if waits else None, len(started))
        f["waitingDaysP90"] = (percentile(waits, 0.9) if waits else None, len(started))
        closed = [e for e in es if e.status == "closed" and start <= e.end_date <= end]
        n = len(closed)
        f["engagementsClosed"] = (n, n)
        dropouts = sum(e.end_reason in ("32", "33") for e in closed)
        premature = sum(e.end_reason in ("34", "35") for e in closed)
        f["dropouts"], f["prematureEndings"] = (dropouts, dropouts), (premature, premature)
        f["dropoutRate"], f["prematureRate"] = share(dropouts, n), share(premature, n)
        scored = [raw.goals[e.id] for e in closed if raw.goals.get(e.id)]
        goals = [x for s in scored for x in s]
        f["goalAttainmentShare"] = share(sum(x >= -1 for x in goals), len(goals), len(scored))
        ts = [50 + 10 * sum(s) / math.sqrt((1 - RHO) * len(s) + RHO * len(s) ** 2) for s in scored]
        f["meanGasT"] = (sum(ts) / len(ts) if ts else None, len(ts))
        ids = {e.id for e in closed}
        for kind, name in (("parent", "meanExperienceParents"), ("youth", "meanExperienceYouth")):
            scores = [s for s in raw.surveys if s.engagement_id in ids and s.respondent_kind == kind]
            cases = len({s.engagement_id for s in scores})
            f[name] = (sum(s.score for s in scores) / len(scores) if scores else None, cases)
        priced = [e for e in closed if e.payment_model != "lumpsum"]
        costs = [sum(ln.amount_cents for ln in raw.lines if ln.engagement_id == e.id) for e in priced]
        f["costPerClosedTrajectoryCents"] = (sum(costs) / len(costs) if costs else None, len(costs))
        _follow_up(raw, closed, f)
    _self_reliance(raw, dimension, start, end, out)
    if dimension != "providers":
        _referrals(raw, dimension, start, end, out)
    if dimension == "districts":
        _budget_use(raw, start, end, out)
    return out


def _referrals(raw: Raw, dimension: str, start: date, end: date, out: dict[Any, dict[str, Any]]) -> None:
    counts: dict[Any, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in raw.referrals:
        if start <= local(r.created_at) <= end:
            counts[r_key(dimension, r, raw.families)][r.referrer_type] += 1
    per_district = youth(raw, end.year)
    total_youth = sum(per_district.values())
    team_youth: dict[str, int] = defaultdict(int)
    for td in raw.team_districts:
        if td.district_code in per_district:
            team_youth[str(td.team_id)] += per_district[td.district_code]
    total = sum(sum(c.values()) for c in counts.values())
    shown_total = published(total)
    for key in set(counts) | set(out):
        types = counts.get(key, {})
        n = sum(types.values())
        f = out[key]
        f["referrals"] = (n, n)
        pop = {"districts": per_district.get(key or ""), "teams": team_youth.get(key or "")}.get(
            dimension, total_youth
        )
        shown = published(n)
        f["referralsPer1000Youth"] = (shown * 1000 / pop if pop and shown else None, n)
        for t in TYPES:
            f[f"type:{t}"] = (types.get(t, 0), types.get(t, 0))
        if dimension == "teams":
            expected = round(shown_total * pop / total_youth, 2) if pop and shown_total else None
            z = (shown - expected) / math.sqrt(expected) if expected and shown is not None else None
            f["z"] = (z, n)
    out["__municipality__"] = {
        "referrals": (total, total),
        "referralsPer1000Youth": (
            shown_total * 1000 / total_youth if total_youth and shown_total else None,
            total,
        ),
    }


def _budget_use(raw: Raw, start: date, end: date, out: dict[Any, dict[str, Any]]) -> None:
    for key in [k for k in out if k and k != "__municipality__"]:
        lines = [
            ln
            for ln in raw.lines
            if ln.district_code == key and ln.status in ("exported", "paid") and start <= ln.due_date <= end
        ]
        budget = 0.0
        for b in raw.budgets:
            if b.district_code == key and start.year <= b.year <= end.year:
                first, last = date(b.year, 1, 1), date(b.year, 12, 31)
                overlap = (min(end, last) - max(start, first)).days + 1
                budget += b.amount_cents * overlap / ((last - first).days + 1)
        spent = sum(ln.amount_cents for ln in lines)
        cases = len({ln.engagement_id for ln in lines})
        out[key]["budgetUse"] = (spent / budget if budget else None, cases)


def today() -> date:
    return datetime.now(AMS).date()


def _follow_up(raw: Raw, closed: list[Any], f: dict[str, Any]) -> None:
    """CBS's no-new-start (to the end of the following half-year) and the 12-month no-relapse."""
    starts: dict[Any, list[tuple[Any, date]]] = defaultdict(list)
    for e in raw.engagements:
        if e.start_date:
            starts[e.member_id].append((e.id, e.start_date))
    now = today()
    half = [e for e in closed if _half_year_after(e.end_date) < now]
    year = [e for e in closed if add_12_months(e.end_date) < now]

    def quiet(e: Any, until: date) -> bool:
        return not any(i != e.id and e.end_date <= d <= until for i, d in starts[e.member_id])

    no_new = sum(quiet(e, _half_year_after(e.end_date)) for e in half)
    no_relapse = sum(quiet(e, add_12_months(e.end_date)) for e in year)
    f["endingsFollowedHalfYear"] = (len(half), len(half))
    f["noNewStartShare"] = share(no_new, len(half))
    f["endingsFollowed12Months"] = (len(year), len(year))
    f["noRelapseShare"] = share(no_relapse, len(year))


def _half_year_after(day: date) -> date:
    return date(day.year, 12, 31) if day.month <= 6 else date(day.year + 1, 6, 30)


def _self_reliance(raw: Raw, dimension: str, start: date, end: date, out: dict[Any, dict[str, Any]]) -> None:
    """Per plan evaluated in the period: the mean of final − agreed over relevant scored domains."""
    changes: dict[Any, list[int]] = defaultdict(list)
    for a in raw.assessments:
        if a.relevant and a.score is not None and a.final_score is not None:
            changes[a.plan_id].append(a.final_score - a.score)
    per_key: dict[Any, list[float]] = defaultdict(list)
    for plan in raw.plans:
        if plan.evaluated_at is None or not start <= local(plan.evaluated_at) <= end or not changes[plan.id]:
            continue
        mean = sum(changes[plan.id]) / len(changes[plan.id])
        if dimension in ("districts", "teams"):
            family = raw.families[plan.family_id]
            keys = {family.district_code if dimension == "districts" else str(family.team_id)}
        else:
            keys = {e_key(dimension, e) for e in raw.engagements if e.plan_id == plan.id and e.start_date}
        for key in keys:
            per_key[key].append(mean)
    for key in set(per_key) | {k for k in out if k != "__municipality__"}:
        means = per_key.get(key, [])
        n = len(means)
        out[key]["plansEvaluated"] = (n, n)
        out[key]["selfRelianceChange"] = (sum(means) / n if n else None, n)
        out[key]["selfRelianceImprovedShare"] = share(sum(m > 0 for m in means), n)


def members(raw: Raw, dimension: str, start: date, end: date) -> dict[tuple[Any, str], frozenset[Any]]:
    """The rows behind every published count: (key, metric) → their ids. Two figures over nested
    sets of rows (two periods, a key and the municipality) differ by the rows of the difference."""
    sets: dict[tuple[Any, str], set[Any]] = defaultdict(set)
    now = today()
    for e in raw.engagements:
        k = e_key(dimension, e)
        if e.start_date and start <= e.start_date <= end:
            sets[k, "engagementsStarted"].add(e.id)
        if e.status != "closed" or not start <= e.end_date <= end:
            continue
        sets[k, "engagementsClosed"].add(e.id)
        if e.end_reason in ("32", "33"):
            sets[k, "dropouts"].add(e.id)
        if e.end_reason in ("34", "35"):
            sets[k, "prematureEndings"].add(e.id)
        if _half_year_after(e.end_date) < now:
            sets[k, "endingsFollowedHalfYear"].add(e.id)
        if add_12_months(e.end_date) < now:
            sets[k, "endingsFollowed12Months"].add(e.id)
    scored = {
        a.plan_id for a in raw.assessments if a.relevant and a.score is not None and a.final_score is not None
    }
    for plan in raw.plans:
        if plan.id in scored and plan.evaluated_at and start <= local(plan.evaluated_at) <= end:
            family = raw.families[plan.family_id]
            if dimension in ("districts", "teams"):
                keys = {family.district_code if dimension == "districts" else str(family.team_id)}
            else:
                keys = {e_key(dimension, e) for e in raw.engagements if e.plan_id == plan.id and e.start_date}
            for k in keys:
                sets[k, "plansEvaluated"].add(plan.id)
    if dimension != "providers":
        for r in raw.referrals:
            if start <= local(r.created_at) <= end:
                k = r_key(dimension, r, raw.families)
                sets[k, "referrals"].add(r.id)
                sets[k, f"type:{r.referrer_type}"].add(r.id)
                sets["__municipality__", "referrals"].add(r.id)
    return {k: frozenset(v) for k, v in sets.items()}
