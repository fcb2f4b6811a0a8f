"""Families and their care: members, plans, referrals, engagements, outcomes (see :mod:`app.generate`).

:class:`CaseGenerator` writes the rows of one municipality (an :class:`~app.generate.area.Area`)
as seen on ``today``. Each family gets a plan agreed by a parent and the team, with an assessment
of every life domain, a goal in the family's words and the frozen snapshot of that agreed
version; most families also get a specialist trajectory: the referral behind it, declines by
other providers now and then, and one engagement in any state — waiting times, end reasons,
final GAS scores and experience surveys follow the provider's quality — with its treatment plan,
handoffs (some overdue) and the ledger's payment lines.

Two random streams: ``rng`` draws what the demo history has always drawn (its figures stay the
same), ``extra`` everything added since (plan parts, referrals without care, audit rows).
"""

import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from app.demo.catalogue import PROFILES, REGIONAL_TARIFF_CENTS
from app.generate import ledger
from app.generate.area import SPECIALIST, Area
from app.generate.ledger import MAX_MONTHS, at
from app.generate.rows import Rows
from app.models.core import AuditEvent
from app.models.engagements import Engagement, EngagementGoal, ExperienceSurvey, Handoff, TreatmentPlan
from app.models.families import Family, FamilyMember
from app.models.plans import Goal, Plan, PlanAssessment, PlanSignature, PlanSupportProfile, PlanVersion
from app.models.referrals import Referral
from app.services.plans.snapshot import content_json

GIVEN = ["Daan", "Sara", "Yusuf", "Lina", "Sem", "Noor", "Milan", "Eva", "Ilias", "Fenna", "Jesse", "Amira"]
SURNAMES = ["Bakker", "de Wit", "Öztürk", "Mensah", "van Dijk", "Kramer", "Haddou", "Peters", "Koster"]
# A national data set needs the variety of real names (a name search must not match a ninth of
# the country); the demo keeps its short lists.
STEMS = [
    "Jansen",
    "Visser",
    "Smit",
    "Meijer",
    "Mulder",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "Dekker",
    "Brouwer",
    "Dijkstra",
    "Janssen",
    "Vermeulen",
    "Kok",
    "Jacobs",
    "Willems",
    "Schouten",
    "Hoekstra",
    "Koster",
    "Prins",
    "Huisman",
    "Peeters",
    "Kuipers",
    "Veenstra",
    "Kramer",
    "Postma",
    "Maas",
    "Bosman",
    "Yılmaz",
    "Kaya",
    "El Idrissi",
    "Benali",
    "Nguyen",
    "Boateng",
    "Mensah",
    "Wijaya",
    "Singh",
    "Kowalski",
    "Novak",
    "Haddou",
    "Öztürk",
    "Mahabier",
    "Tjon",
    "Sedney",
    "Bakker",
    "Wit",
    "Berg",
    "Dijk",
    "Heuvel",
]
NATIONAL_SURNAMES = [f"{prefix}{stem}" for prefix in ("", "van ", "de ", "van den ") for stem in STEMS]
NATIONAL_GIVEN = [
    f"{a}{b}" for a in ("Da", "Sa", "Yu", "Li", "Se", "No", "Mi", "E", "Ila", "Fe", "Je", "A", "Ro", "Ti")
    for b in ("an", "ra", "suf", "na", "m", "or", "lan", "va", "s", "nna", "sse", "mira", "b", "es")
]  # fmt: skip
GOAL_DOMAINS = ["parenting", "mental_health", "finances", "social_network", "school"]
PROFILE_WEIGHTS = [8, 12, 9, 10, 8, 7, 3, 4, 3, 3]  # P02..P11
REFERRER_WEIGHTS = {"01": 20, "02": 45, "03": 10, "04": 5, "05": 10, "06": 8, "08": 2}
AUDIT_RESOURCES = ("family", "plan", "engagement", "plan-version", "referral")


@dataclass
class Options:
    """What a data set contains beyond the demo's history."""

    marker: str = ""  # put into every name and free text (a privacy test looks for it)
    bsn: bool = False  # members carry a BSN passing the 11-proef
    engaged_share: float = 1.0  # families with a specialist trajectory; the rest have a plan only
    open_referral_share: float = 0.0  # families with a referral that led to no engagement (yet)
    intake_share: float = 0.0  # GP intake referrals (no family yet) per family
    audit_per_family: int = 0  # audit rows: reads of the family's file
    created_by: str = "demo-history"
    surnames: list[str] = field(default_factory=lambda: SURNAMES)
    given_names: list[str] = field(default_factory=lambda: GIVEN)


def make_bsn(rng: random.Random) -> str:
    """A random BSN passing the 11-proef (Σ dᵢ·wᵢ with weights 9…2, −1 divisible by 11)."""
    while True:
        digits = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(7)]
        last = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=True)) % 11
        if last <= 9:
            return "".join(map(str, [*digits, last]))


def _tariff(profile: str, intensity: str, n: int) -> int:
    segment = next(s for c, _, s in PROFILES if c == profile)
    base = REGIONAL_TARIFF_CENTS[intensity]
    return base * 2 + 10_000 * n if segment == "C" else base


@dataclass
class CaseGenerator:
    """Rows for the families of one municipality, as seen on ``today``."""

    rows: Rows
    area: Area
    today: date
    ids: Any
    domains: list[str]
    seed: int = 20260101
    options: Options = field(default_factory=Options)
    rng: random.Random = field(init=False)
    extra: random.Random = field(init=False)
    free_texts: set[str] = field(default_factory=set)
    batches: dict[str, dict[str, Any]] = field(default_factory=dict)
    _cycle: list[str] = field(init=False)
    _turn: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    _bsns: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.extra = random.Random(self.seed + 1)
        # per district the profiles follow a shuffled weighted cycle, so each district × profile
        # has a steady demand (no accidental trend alerts)
        self._cycle = [
            code for (code, _), w in zip(SPECIALIST, PROFILE_WEIGHTS, strict=True) for _ in range(w)
        ]
        self.rng.shuffle(self._cycle)

    @property
    def municipality(self) -> str:
        return self.area.municipality

    def row(self, model: Any, **values: Any) -> dict[str, Any]:
        """A row of one of the municipality's tables: it carries the municipality code."""
        return self.rows.add(model, municipality_code=self.municipality, **values)

    def text(self, words: str) -> str:
        """A free text, carrying the marker when there is one."""
        value = f"{words} {self.options.marker}" if self.options.marker else words
        self.free_texts.add(value)
        return value

    # --- families ---------------------------------------------------------------------------

    def spread(self, count: int, first_day: date, last_day: date, part: range | None = None) -> None:
        """``count`` families, their requests evenly spread from ``first_day`` to ``last_day``
        (only the families numbered in ``part``, when the set is generated in chunks), and
        their share of GP intake referrals."""
        span = (last_day - first_day).days
        part = part if part is not None else range(count)
        for i in part:
            position = self.rng.choices(range(len(self.area.districts)), weights=self.area.weights())[0]
            requested = first_day + timedelta(days=i * span // max(count, 1))
            self.family(i, position, requested, self.next_profile(position))
        for _ in range(round(len(part) * self.options.intake_share)):
            self.intake_referral(first_day, last_day)

    def next_profile(self, position: int) -> str:
        profile = self._cycle[(self._turn[position] * 7 + position) % len(self._cycle)]
        self._turn[position] += 1
        return profile

    def family(
        self, i: int, position: int, requested: date, profile: str, *, waiting: bool = False
    ) -> uuid.UUID:
        rng, area = self.rng, self.area
        district, team = area.districts[position], area.teams[position]
        fid, pid = self.ids("family", str(i)), self.ids("plan", str(i))
        surname = rng.choice(self.options.surnames) + self.options.marker
        created = at(requested - timedelta(days=30))
        self.row(
            Family,
            id=fid,
            district_code=district,
            team_id=team,
            status="active",
            created_at=created,
            updated_at=created,
            care_ended_at=None,
        )
        parent = self._member(fid, "parent", surname, date(1978, 1, 1), 22 * 365, created)
        age_days = (
            rng.randint(3 * 365, 17 * 365 + 300) if rng.random() > 0.04 else 18 * 365 - rng.randint(20, 150)
        )
        child = self._member(fid, "child", surname, self.today - timedelta(days=age_days), 0, created)
        plan = self.row(
            Plan,
            id=pid,
            family_id=fid,
            status="active",
            version=1,
            agreed_version=1,
            revision_open=False,
            family_vision=self.text("Rust en regelmaat thuis."),
            summary=None,
            created_by=self.options.created_by,
            created_at=created,
            updated_at=created,
            agreed_at=created,
            activated_at=created,
        )
        self._agreed_parts(plan, parent, child, team)
        engaged = (
            waiting or self.options.engaged_share >= 1 or self.extra.random() < self.options.engaged_share
        )
        if engaged:
            self._trajectory(fid, pid, parent, child, district, team, profile, requested, waiting)
        else:
            plan["status"], plan["activated_at"] = "agreed", None
        if self.options.open_referral_share and self.extra.random() < self.options.open_referral_share:
            day = requested + timedelta(days=self.extra.randint(0, 60))
            if day <= self.today:
                self._referral(fid, child["id"], None, None, self.next_profile(position), "02", day, "open")
        self._audit(fid, pid, team, created)
        return fid

    def _trajectory(
        self,
        fid: uuid.UUID,
        pid: uuid.UUID,
        parent: dict[str, Any],
        child: dict[str, Any],
        district: str,
        team: uuid.UUID,
        profile: str,
        requested: date,
        waiting: bool,
    ) -> None:
        rng = self.rng
        intensity = rng.choices(["I1", "I2", "I3", "I4"], weights=[3, 5, 3, 1])[0]
        providers = self.area.providers
        candidates = [p for p in providers if profile in p["band"]] or providers
        declines = 0 if waiting else 3 if rng.random() < 0.015 else (1 if rng.random() < 0.08 else 0)
        for k in range(declines):
            declined_by = candidates[k % len(candidates)] if len(candidates) > k else rng.choice(providers)
            day = requested - timedelta(days=10 * (declines - k))
            self._engagement(
                fid, pid, child, district, team, profile, intensity, declined_by, day, "declined"
            )
        if declines < 3:
            provider = rng.choice(candidates)
            self._engagement(
                fid, pid, child, district, team, profile, intensity, provider, requested,
                "accepted" if waiting else None, parent=parent,
            )  # fmt: skip

    def _member(
        self, fid: Any, role: str, surname: str, born: date, spread: int, created: datetime
    ) -> dict[str, Any]:
        n = self.rows.next()
        birth = born + timedelta(days=self.rng.randint(0, spread)) if spread else born
        return self.row(
            FamilyMember,
            id=self.ids("member", str(n)),
            family_id=fid,
            role=role,
            given_name=self.rng.choice(self.options.given_names) + self.options.marker,
            family_name=surname,
            birth_date=birth,
            bsn=self._bsn() if self.options.bsn else None,
            extended_care=False,
            active=True,
            created_at=created,
        )

    def _bsn(self) -> str:
        while (bsn := make_bsn(self.extra)) in self._bsns:
            pass
        self._bsns.add(bsn)
        return bsn

    # --- the agreed plan ----------------------------------------------------------------------

    def _agreed_parts(
        self, plan: dict[str, Any], parent: dict[str, Any], child: dict[str, Any], team: uuid.UUID
    ) -> None:
        """Every life domain assessed, a goal, both signatures, and the snapshot of that version."""
        extra, created, pid = self.extra, plan["created_at"], plan["id"]
        assessments = []
        for code in self.domains:
            relevant = extra.random() > 0.1
            assessments.append(
                self.rows.add(
                    PlanAssessment,
                    id=self.ids("assessment", f"{pid}/{code}"),
                    plan_id=pid,
                    domain_code=code,
                    score=extra.randint(1, 5) if relevant else None,
                    relevant=relevant,
                    situation=None,
                    family_wish=None,
                    final_score=None,
                    updated_at=created,
                )
            )
        goal = self.row(
            Goal,
            id=self.ids("goal", f"{pid}/plan"),
            plan_id=pid,
            domain_code=extra.choice(GOAL_DOMAINS),
            member_id=child["id"],
            description=self.text("Samen een fijne dag hebben."),
            desired_result=None,
            target_date=None,
            status="open",
            created_by=self.options.created_by,
            created_at=created,
            updated_at=created,
        )
        signatures = [
            self.rows.add(
                PlanSignature,
                id=self.ids("signature", f"{pid}/{kind}"),
                plan_id=pid,
                version=1,
                signer_kind=kind,
                member_id=member,
                team_id=signer_team,
                subject=self.options.created_by,
                signed_at=created,
            )
            for kind, member, signer_team in (("family", parent["id"], None), ("professional", None, team))
        ]
        frozen = {**plan, "status": "agreed", "activated_at": None, "evaluated_at": None}
        frozen.update(
            withdrawn_at=None,
            closed_at=None,
            assessments=assessments,
            goals=[goal],
            support_profiles=[],
            signatures=signatures,
        )
        self.rows.add(PlanVersion, plan_id=pid, version=1, snapshot=content_json(frozen), agreed_at=created)

    # --- referrals and engagements --------------------------------------------------------------

    def _referral(
        self,
        fid: Any,
        member: Any,
        district: str | None,
        team: Any,
        profile: str,
        referrer_type: str,
        day: date,
        status: str,
        intensity: str | None = None,
    ) -> dict[str, Any]:
        n = self.rows.next()
        return self.row(
            Referral,
            id=self.ids("referral", str(n)),
            family_id=fid,
            member_id=member,
            child_bsn=None,
            child_birth_date=None,
            district_code=district,
            team_id=team,
            referrer_type=referrer_type,
            referrer_agb=None,
            referrer_subject=self.options.created_by,
            profile_code=profile,
            intensity_code=intensity or self.extra.choice(["I1", "I2", "I3"]),
            reason=self.text("Hulpvraag (demo)."),
            valid_from=day - timedelta(days=5),
            valid_to=day + timedelta(days=360),
            status=status,
            created_at=at(day),
        )

    def intake_referral(self, first_day: date, last_day: date) -> None:
        """A GP's referral of a child not yet known: it waits as an intake task for a team."""
        extra = self.extra
        position = extra.randrange(len(self.area.districts))
        day = first_day + timedelta(days=extra.randint(0, max((last_day - first_day).days, 0)))
        row = self._referral(
            None, None, self.area.districts[position], self.area.teams[position],
            extra.choice([c for c, _ in SPECIALIST]), "01", day, "intake",
        )  # fmt: skip
        row.update(
            child_bsn=self._bsn(), child_birth_date=day - timedelta(days=extra.randint(4 * 365, 15 * 365))
        )

    def _engagement(
        self,
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
        rng, today = self.rng, self.today
        n = self.rows.next()
        eid = self.ids("engagement", str(n))
        referral = None
        if forced != "declined":
            referrer = rng.choices(list(REFERRER_WEIGHTS), weights=list(REFERRER_WEIGHTS.values()))[0]
            referral = self._referral(
                fid, child["id"], None, None, profile, referrer,
                requested - timedelta(days=rng.randint(2, 12)), "in_use", intensity,
            )  # fmt: skip
            referral.update(
                valid_from=requested - timedelta(days=5), valid_to=requested + timedelta(days=360)
            )
        psp = self.rows.add(
            PlanSupportProfile,
            id=self.ids("psp", str(n)),
            plan_id=pid,
            member_id=child["id"],
            profile_code=profile,
            intensity_code=intensity,
            problem_description=self.text("Zie plan (demo)."),
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
        tariff = _tariff(profile, intensity, self.area.providers.index(provider))
        self.row(
            Engagement,
            id=eid,
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
            requested_by=self.options.created_by,
            requested_at=at(requested),
            answered_at=at(requested + timedelta(days=3)) if status != "requested" else None,
            decline_reason_code="02" if status == "declined" else None,
            decline_reason=self.text("Geen plek (demo).") if status == "declined" else None,
            withdrawn_at=at(requested + timedelta(days=4)) if status == "withdrawn" else None,
            assignment_number=f"G{self.seed % 1000:03d}{self.municipality[2:]}{n:08d}" if accepted else None,
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
        scores = self._goals(pid, eid, provider, status == "closed", reason)
        expected_end = start + timedelta(days=int(MAX_MONTHS[intensity] * 30.4 * rng.uniform(0.7, 1.0)))
        self.row(
            TreatmentPlan,
            id=self.ids("treatment-plan", str(n)),
            engagement_id=eid,
            version=1,
            status="submitted",
            approach=self.text("Zie behandelplan (demo)."),
            expected_end_date=expected_end,
            created_at=at(start),
            updated_at=at(start),
            submitted_at=at(start),
        )
        if rng.random() < 0.12:
            self._handoff(n, fid, pid, eid, team, provider, start)
        if status == "closed" and parent is not None:
            self._surveys(n, eid, parent, child, provider, end, reason)
        closed_on = end if status == "closed" else None
        ledger.ledger(self, eid, provider, district, tariff, intensity, start, closed_on, reason, scores)

    def _goals(self, pid: Any, eid: Any, provider: dict[str, Any], closed: bool, reason: str) -> list[int]:
        rng = self.rng
        scores = []
        for _ in range(rng.randint(1, 3)):
            n = self.rows.next()
            gid = self.ids("goal", str(n))
            self.row(
                Goal,
                id=gid,
                plan_id=pid,
                domain_code=rng.choice(GOAL_DOMAINS),
                member_id=None,
                description=self.text("Doel in eigen woorden (demo)."),
                desired_result=None,
                target_date=None,
                status="open",
                created_by=self.options.created_by,
                created_at=at(date(2025, 1, 1)),
                updated_at=at(date(2025, 1, 1)),
            )
            score = None
            if closed:
                mean = provider["quality"] - (1.0 if reason in ("32", "33") else 0.0)
                score = max(-2, min(2, round(rng.gauss(mean, 1.0))))
                scores.append(score)
            self.rows.add(EngagementGoal, engagement_id=eid, goal_id=gid, final_gas_score=score)
        return scores

    def _handoff(
        self, n: int, fid: Any, pid: Any, eid: Any, team: Any, provider: dict[str, Any], start: date
    ) -> None:
        rng, today = self.rng, self.today
        raised = min(start + timedelta(days=rng.randint(5, 60)), today - timedelta(days=1))
        status = rng.choices(["resolved", "in_progress", "open"], [6, 2, 1])[0]
        if status == "open":  # never acknowledged: a month old, so overdue (case review)
            raised = max(start, today - timedelta(days=rng.randint(30, 45)))
        self.row(
            Handoff,
            id=self.ids("handoff", str(n)),
            family_id=fid,
            plan_id=pid,
            engagement_id=eid,
            domain_code=rng.choice(["finances", "housing", "work_education"]),
            need=self.text("Hulp nodig op ander levensgebied (demo)."),
            urgency="routine",
            route_to="team",
            team_id=team,
            status=status,
            raised_by=self.options.created_by,
            raised_by_role="provider_staff",
            raised_by_provider_id=provider["id"],
            due_at=at(raised + timedelta(days=20)),
            created_at=at(raised),
            acknowledged_at=at(raised + timedelta(days=3)) if status != "open" else None,
            started_at=at(raised + timedelta(days=4)) if status != "open" else None,
            resolved_at=at(raised + timedelta(days=30)) if status == "resolved" else None,
            declined_at=None,
            resolution=self.text("Opgelost (demo).") if status == "resolved" else None,
            decline_reason=None,
        )

    def _surveys(
        self,
        n: int,
        eid: Any,
        parent: dict[str, Any],
        child: dict[str, Any],
        provider: dict[str, Any],
        end: date,
        reason: str,
    ) -> None:
        rng = self.rng
        base = 7.2 + 1.5 * provider["quality"] - (1.5 if reason in ("32", "33") else 0.0)
        for kind, member, chance in (("parent", parent, 0.8), ("youth", child, 0.5)):
            if rng.random() < chance:
                score = max(1, min(10, round(rng.gauss(base, 1.2))))
                self.row(
                    ExperienceSurvey,
                    id=self.ids("survey", f"{kind}/{n}"),
                    engagement_id=eid,
                    respondent_member_id=member["id"],
                    respondent_kind=kind,
                    score=score,
                    answers={},
                    submitted_at=at(end + timedelta(days=5)),
                )

    def _audit(self, fid: uuid.UUID, pid: uuid.UUID, team: uuid.UUID, created: datetime) -> None:
        """Reads of the family's file by its team, spread over the time since it was registered."""
        count = self.options.audit_per_family
        if not count:
            return
        extra, span = self.extra, max(int((at(self.today) - created).total_seconds()), 1)
        organisation, subject = f"team:{team}", f"{self.options.created_by}-team"
        family, plan = str(fid), str(pid)
        add, ident, later = self.rows.data[AuditEvent].append, self.ids, extra.randrange
        for k in range(count):
            kind = AUDIT_RESOURCES[k % len(AUDIT_RESOURCES)]
            add(
                {
                    "id": ident("audit", ""),
                    "occurred_at": created + timedelta(seconds=later(span)),
                    "subject": subject,
                    "role": "district_professional",
                    "organisation": organisation,
                    "municipality_code": self.municipality,
                    "action": "read",
                    "resource_type": kind,
                    "resource_id": plan if kind == "plan" else family,
                    "family_id": fid,
                    "outcome": "success",
                    "request_id": f"generated-{k}",
                }
            )
