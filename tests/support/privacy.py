"""Privacy tests: a family with planted personal data in every place the service keeps it, and a
scan of every table (partitions included) for what was planted."""

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import Result, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from tests.support.builders import Case, build_case, nl_today
from tests.support.engagements import actors, closure_body, started_engagement, subcontract_second_provider
from tests.support.factories import Reference
from tests.support.families import bsn
from tests.support.ijw import XML, Allocated, jw305, jw315, messages, requester
from tests.support.ijw import document as ijw_document

MARKER = "Qzx"  # in every planted name and free text
Auth = Callable[..., dict[str, str]]


async def query(app: Any, sql: str, **params: Any) -> Result[Any]:
    """One statement read straight from the database, past the service (the result is buffered:
    it is read after the connection has gone back)."""
    async with app.state.engine.connect() as conn:
        return await conn.execute(text(sql), params)


async def execute(app: Any, *statements: str) -> None:
    """Statements run straight on the database, in one transaction of their own."""
    async with app.state.engine.begin() as conn:
        for statement in statements:
            await conn.execute(text(statement))


async def add_audit_events(
    conn: AsyncConnection,
    at: datetime,
    *,
    family_id: uuid.UUID | None = None,
    subject: str = "x",
    role: str = "admin",
    count: int = 1,
) -> list[uuid.UUID]:
    """``count`` plan reads written straight into the audit trail (past the writer), the first at
    ``at`` and each next one a second earlier; their ids."""
    inserted = await conn.execute(
        text(
            "INSERT INTO audit_events (id, occurred_at, subject, role, organisation, action,"
            " resource_type, family_id, outcome, request_id)"
            " SELECT gen_random_uuid(), CAST(:at AS timestamptz) - make_interval(secs => g - 1),"
            " :subject, :role, 'x', 'read', 'plan', CAST(:family AS uuid), 'success', 'x'"
            " FROM generate_series(1, :count) g RETURNING id"
        ),
        {"at": at, "subject": subject, "role": role, "family": family_id, "count": count},
    )
    return list(inserted.scalars())


@dataclass
class Planted:
    case: Case
    engagement_id: str
    bsns: list[str]
    birth_dates: list[date]
    texts: list[str] = field(default_factory=lambda: [MARKER])

    def needles(self) -> list[str]:
        return [*self.texts, *self.bsns, *(d.isoformat() for d in self.birth_dates)]


async def planted_family(
    client: httpx.AsyncClient, session: AsyncSession, ref: Reference, auth: Auth, *, seed: int = 1
) -> Planted:
    """A family whose care has run its course: an engagement requested, started, worked on and
    closed over HTTP, with names, BSNs, birth dates and free texts planted everywhere; its
    payments are settled (so erasure may go ahead)."""
    births = [date(1983, 4, 17), date(2011, 11, 23), date(2009, 7, 19)]  # parent, child, youth
    case = await build_case(
        session,
        ref,
        consent_providers=[ref.providers[0]],
        child_birth_date=births[1],
        youth_birth_date=births[2],
    )
    numbers = [bsn(100 * seed + i) for i in range(3)]
    await _intake_before_known(client, auth, ref, numbers[2], births[2], seed)
    for member_id, given, number, born in zip(
        (case.parent_id, case.child_id, case.youth_id),
        ("Ouder", "Kind", "Jongere"),
        numbers,
        [births[0], *births[1:]],
        strict=True,
    ):
        await session.execute(
            text(
                "UPDATE family_members SET given_name = :g, family_name = :f, bsn = :b, birth_date = :d"
                " WHERE id = :id"
            ),
            {"g": f"{MARKER}{given}", "f": f"{MARKER}Visser", "b": number, "d": born, "id": member_id},
        )
    params = {"plan": case.plan_id, "family": case.family_id}
    for statement in (
        f"UPDATE plans SET family_vision = '{MARKER} visie', summary = '{MARKER} samenvatting'"
        " WHERE id = :plan",
        f"UPDATE plan_assessments SET situation = '{MARKER} situatie', family_wish = '{MARKER} wens'"
        " WHERE plan_id = :plan",
        f"UPDATE goals SET description = '{MARKER} doel', desired_result = '{MARKER} resultaat'"
        " WHERE plan_id = :plan",
        f"UPDATE plan_support_profiles SET problem_description = '{MARKER} probleem' WHERE plan_id = :plan",
        f"UPDATE referrals SET reason = '{MARKER} reden' WHERE family_id = :family",
    ):
        await session.execute(text(statement), params)
    await session.commit()
    # the frozen version holds the plan's texts as they were agreed
    team = auth("district_professional", team=case.team_id)
    content = (await client.get(f"/plans/{case.plan_id}", headers=team)).json()
    await session.execute(
        text("UPDATE plan_versions SET snapshot = CAST(:s AS jsonb) WHERE plan_id = :plan"),
        {"s": json.dumps(content), "plan": case.plan_id},
    )
    await session.commit()

    a = actors(auth, ref, case)
    main = ref.providers[0]
    eid = await started_engagement(client, a.family, a.provider, case, main)
    await session.execute(
        text(f"UPDATE engagements SET choice_reason = '{MARKER} keuze' WHERE id = :e"), {"e": eid}
    )
    await session.commit()
    today = nl_today()
    # the allocation (JW301, with the parents as relations) and the provider's start (JW305)
    jw301 = [m for m in await messages(client, a.provider, eid) if m["messageCode"] == "JW301"]
    allocation = Allocated.of(await ijw_document(client, a.provider, jw301[0]["id"]))
    started = await client.post(
        "/ijw-messages",
        content=jw305(allocation, today, identification=f"PLANTED{seed}", issued=today),
        headers=a.provider | XML,
    )
    assert started.status_code == 201, started.text
    sub = await subcontract_second_provider(client, a.provider, eid, ref, scope=f"{MARKER} scope")
    assert sub.status_code == 201, sub.text
    scope = case.goal_ids[1:]  # the child's goals (finances is the parent's)
    goals = [str(g) for g in scope]
    tp = await client.put(
        f"/engagements/{eid}/treatment-plan",
        json={
            "approach": f"{MARKER} aanpak",
            "expectedEndDate": (today + timedelta(days=90)).isoformat(),
            "activities": [{"description": f"{MARKER} gesprekken", "goalIds": goals, "frequency": "weekly"}],
        },
        headers=a.provider,
    )
    assert tp.status_code == 201, tp.text
    handoff = await client.post(
        "/handoffs",
        json={
            "engagementId": eid,
            "domainCode": "finances",
            "need": f"{MARKER} schulden",
            "urgency": "routine",
        },
        headers={**a.provider, "Idempotency-Key": f"planted-{seed}"},
    )
    assert handoff.status_code == 201, handoff.text
    progress = await client.post(
        f"/engagements/{eid}/progress-reports",
        json={
            "goals": [{"goalId": goals[0], "gasScore": 0, "note": f"{MARKER} notitie"}],
            "problemReduction": 2,
        },
        headers=a.provider,
    )
    assert progress.status_code == 201, progress.text
    closed = await client.post(
        f"/engagements/{eid}/close", json=closure_body(scope, [1, 0]), headers=a.provider
    )
    assert closed.status_code == 200, closed.text
    survey = await client.post(
        f"/engagements/{eid}/experience-surveys",
        json={
            "respondentMemberId": str(case.parent_id),
            "score": 8,
            "answers": {"comment": f"{MARKER} tevreden"},
        },
        headers=a.family,
    )
    assert survey.status_code == 201, survey.text
    await session.execute(
        text(f"UPDATE payment_lines SET status = 'paid', note = '{MARKER} betaald' WHERE engagement_id = :e"),
        {"e": eid},
    )
    await session.commit()
    return Planted(case, eid, numbers, births)


async def _intake_before_known(
    client: httpx.AsyncClient, auth: Auth, ref: Reference, number: str, born: date, seed: int
) -> None:
    """A provider asks for an allocation (JW315) for a client the municipality does not know by
    that BSN yet: an intake, linked to no family."""
    provider = auth("provider_staff", provider=ref.providers[0], sub="main-staff")
    today = nl_today()
    asked = replace(requester(ref, bsn_=number), surname=f"{MARKER}Visser", birth_date=born.isoformat())
    body = jw315(asked, f"INTAKE-{seed}", start=today, identification=f"INTAKE{seed}", issued=today)
    answered = await client.post("/ijw-messages", content=body, headers=provider | XML)
    assert answered.status_code == 201, answered.text


async def settle(session: AsyncSession, family_id: Any) -> None:
    """Mark the family's payments paid (what the municipality's payment run does)."""
    await session.execute(
        text(
            "UPDATE payment_lines SET status = 'paid'"
            " WHERE engagement_id IN (SELECT id FROM engagements WHERE family_id = :f)"
        ),
        {"f": family_id},
    )
    await session.commit()


async def scan(engine: AsyncEngine, needles: list[str]) -> dict[str, list[str]]:
    """Every table of the schema (partitions too) whose rows' text holds one of ``needles``."""
    found: dict[str, list[str]] = {}
    async with engine.connect() as conn:
        tables = (
            (
                await conn.execute(
                    text(
                        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                        " WHERE n.nspname = current_schema() AND c.relkind = 'r'"
                    )
                )
            )
            .scalars()
            .all()
        )
        for table in tables:
            rows = (await conn.execute(text(f'SELECT t::text FROM "{table}" t'))).scalars().all()
            hits = sorted({n for n in needles for row in rows if n in row})
            if hits:
                found[table] = hits
    return found
