"""Audit rows and outbox events ride in the transaction of the change they describe."""

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import Principal, Role
from app.config import get_settings
from app.context import request_id_var
from app.models.core import AuditEvent, OutboxEvent
from app.models.families import Family
from app.services.platform import audit, events
from app.services.platform.audit import Action
from tests.support.factories import Reference


@pytest.fixture
def professional(ref: Reference) -> Principal:
    return Principal(
        sub="prof-1",
        roles=frozenset({Role.DISTRICT_PROFESSIONAL}),
        municipality="GM0363",
        team=ref.teams["GM0363"],
    )


@pytest.fixture
def request_id() -> Iterator[str]:
    value = str(uuid.uuid4())
    token = request_id_var.set(value)
    yield value
    request_id_var.reset(token)


def new_family(ref: Reference) -> Family:
    return Family(
        municipality_code="GM0363",
        district_code=ref.districts["GM0363"][0],
        team_id=ref.teams["GM0363"],
    )


async def create_family_with_trail(session: AsyncSession, ref: Reference, principal: Principal) -> Family:
    """What a service does: the change, its audit row and its event, then only a flush."""
    family = new_family(ref)
    session.add(family)
    await session.flush()
    audit.record(session, principal, Action.CREATE, "family", family.id, family_id=family.id)
    events.emit(
        session,
        "family.created",
        family.id,
        f"/families/{family.id}",
        municipality_code=family.municipality_code,
        data={"status": family.status, "teamId": family.team_id},
    )
    await session.flush()
    return family


async def counts(sessionmaker: Any, family_id: uuid.UUID) -> tuple[int, int, int]:
    async with sessionmaker() as s:
        families = await s.scalar(select(func.count()).select_from(Family).where(Family.id == family_id))
        audits = await s.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.family_id == family_id)
        )
        outbox = await s.scalar(
            select(func.count()).select_from(OutboxEvent).where(OutboxEvent.subject == str(family_id))
        )
    return families or 0, audits or 0, outbox or 0


# --- one transaction --------------------------------------------------------------------------


async def test_rollback_leaves_neither_change_nor_audit_nor_event(
    sessionmaker: Any, ref: Reference, professional: Principal
) -> None:
    async with sessionmaker() as s:
        family = await create_family_with_trail(s, ref, professional)
        # Inside the transaction all three exist...
        assert await s.scalar(select(func.count()).select_from(AuditEvent)) == 1
        assert await s.scalar(select(func.count()).select_from(OutboxEvent)) == 1
        await s.rollback()
    # ...and after the rollback none of them does.
    assert await counts(sessionmaker, family.id) == (0, 0, 0)


async def test_failure_before_commit_rolls_everything_back(
    sessionmaker: Any, ref: Reference, professional: Principal
) -> None:
    family_id: uuid.UUID | None = None
    with pytest.raises(RuntimeError, match="rule broken"):
        async with sessionmaker() as s, s.begin():
            family = await create_family_with_trail(s, ref, professional)
            family_id = family.id
            raise RuntimeError("rule broken")
    assert family_id is not None
    assert await counts(sessionmaker, family_id) == (0, 0, 0)


async def test_commit_keeps_change_audit_and_event(
    sessionmaker: Any, ref: Reference, professional: Principal, request_id: str
) -> None:
    async with sessionmaker() as s:
        family = await create_family_with_trail(s, ref, professional)
        await s.commit()
    assert await counts(sessionmaker, family.id) == (1, 1, 1)

    async with sessionmaker() as s:
        row = (await s.execute(select(AuditEvent).where(AuditEvent.family_id == family.id))).scalar_one()
        event = (await s.scalars(select(OutboxEvent).where(OutboxEvent.subject == str(family.id)))).one()
    assert (row.subject, row.role, row.organisation) == (
        "prof-1",
        "district_professional",
        f"team:{ref.teams['GM0363']}",
    )
    assert (row.action, row.resource_type, row.resource_id, row.outcome) == (
        "create",
        "family",
        str(family.id),
        "success",
    )
    assert row.municipality_code == "GM0363"
    assert row.request_id == request_id
    assert event.type == "nl.perspectief.family.created"
    assert event.municipality_code == "GM0363"
    assert event.data == {"id": str(family.id), "status": "active", "teamId": str(ref.teams["GM0363"])}


async def test_denied_attempt_is_recorded_even_when_the_request_rolls_back(
    sessionmaker: Any, ref: Reference, professional: Principal
) -> None:
    resource = uuid.uuid4()
    async with sessionmaker() as s:
        family = new_family(ref)
        s.add(family)
        await s.flush()
        await audit.record_denied(sessionmaker, professional, Action.READ, "plan", resource)
        await s.rollback()
    assert (await counts(sessionmaker, family.id))[0] == 0
    async with sessionmaker() as s:
        rows = (await s.scalars(select(AuditEvent).where(AuditEvent.resource_id == str(resource)))).all()
    assert [(r.outcome, r.action, r.resource_type, r.subject) for r in rows] == [
        ("denied", "read", "plan", "prof-1")
    ]


async def test_record_many_writes_one_row_per_resource(
    sessionmaker: Any, ref: Reference, professional: Principal
) -> None:
    async with sessionmaker() as s:
        families = [new_family(ref) for _ in range(3)]
        s.add_all(families)
        await s.flush()
        audit.record_many(s, professional, Action.SEARCH, "family", [(f.id, f.id) for f in families])
        await s.commit()
    async with sessionmaker() as s:
        rows = (await s.execute(select(AuditEvent).order_by(AuditEvent.resource_id))).scalars().all()
    assert sorted(str(f.id) for f in families) == [r.resource_id for r in rows]
    assert {r.action for r in rows} == {"search"}
    assert [r.family_id for r in rows] == [uuid.UUID(r.resource_id or "") for r in rows]


# --- the CloudEvents form ---------------------------------------------------------------------


async def test_cloudevent_shape(sessionmaker: Any, ref: Reference, professional: Principal) -> None:
    before = datetime.now(UTC) - timedelta(seconds=5)
    async with sessionmaker() as s:
        family = await create_family_with_trail(s, ref, professional)
        await s.commit()
    async with sessionmaker() as s:
        row = (await s.execute(select(OutboxEvent).where(OutboxEvent.subject == str(family.id)))).scalar_one()
    event = events.to_cloudevent(row)
    settings = get_settings()

    assert set(event) == {
        "specversion", "id", "source", "type", "subject", "time",
        "datacontenttype", "dataref", "sequence", "data",
    }  # fmt: skip
    assert event["specversion"] == "1.0"
    assert uuid.UUID(event["id"]).version == 4
    assert event["source"] == f"urn:nld:oin:{settings.oin}:systeem:perspectief"
    assert event["source"] == "urn:nld:oin:00000001234567890000:systeem:perspectief"
    assert event["type"] == "nl.perspectief.family.created"
    assert event["subject"] == str(family.id)
    occurred = datetime.fromisoformat(event["time"])
    assert occurred.utcoffset() == timedelta(0)
    assert before <= occurred <= datetime.now(UTC)
    assert event["datacontenttype"] == "application/json"
    assert event["dataref"] == f"{settings.public_base_url}/api/v1/families/{family.id}"
    assert event["sequence"] == f"{row.sequence:020d}"
    assert event["data"] == {"id": str(family.id), "status": "active", "teamId": str(ref.teams["GM0363"])}
    assert json.loads(json.dumps(event)) == event


async def test_sequence_is_monotonic_in_number_and_in_string_order(
    sessionmaker: Any, ref: Reference, professional: Principal
) -> None:
    """Twelve events cross 9 → 10, where plain decimal strings would sort wrongly."""
    async with sessionmaker() as s:
        for _ in range(6):
            await create_family_with_trail(s, ref, professional)
        await s.commit()
    async with sessionmaker() as s:
        for _ in range(6):
            await create_family_with_trail(s, ref, professional)
        await s.commit()
    async with sessionmaker() as s:
        rows = (await s.scalars(select(OutboxEvent).order_by(OutboxEvent.time, OutboxEvent.sequence))).all()
    cloudevents = [events.to_cloudevent(r) for r in rows]
    numbers = [int(e["sequence"]) for e in cloudevents]
    strings = [e["sequence"] for e in cloudevents]
    assert len(numbers) == 12
    assert numbers == sorted(numbers)
    assert len(set(numbers)) == 12
    assert strings == sorted(strings)
    assert max(numbers) >= 10


async def test_unflushed_event_has_no_cloudevent_form(sessionmaker: Any) -> None:
    async with sessionmaker() as s:
        row = events.emit(s, "plan.agreed", uuid.uuid4(), "/plans/x", municipality_code="GM0363")
        with pytest.raises(ValueError, match="flushed"):
            events.to_cloudevent(row)
        await s.rollback()


# --- what emit refuses ------------------------------------------------------------------------


@pytest.mark.parametrize("event_type", ["plan.deleted", "nl.perspectief.plan.agreed", "", "Plan.Agreed"])
async def test_emit_refuses_unknown_types(sessionmaker: Any, event_type: str) -> None:
    async with sessionmaker() as s:
        with pytest.raises(ValueError, match="unknown event type"):
            events.emit(s, event_type, uuid.uuid4(), "/plans/x", municipality_code="GM0363")
        assert not s.new


@pytest.mark.parametrize(
    "data",
    [
        {"members": ["a", "b"]},
        {"child": {"name": "x"}},
        {"ids": {uuid.uuid4()}},
        {"amount": 1.5},
        {"when": datetime.now(UTC)},
        {"blob": b"bytes"},
    ],
    ids=["list", "dict", "set", "float", "datetime", "bytes"],
)
async def test_emit_refuses_non_scalar_data(sessionmaker: Any, data: dict[str, Any]) -> None:
    async with sessionmaker() as s:
        with pytest.raises(TypeError, match="must be an id, code, number or state"):
            events.emit(s, "plan.agreed", uuid.uuid4(), "/plans/x", municipality_code="GM0363", data=data)
        assert not s.new


async def test_emit_accepts_ids_codes_numbers_states_and_stringifies_uuids(sessionmaker: Any) -> None:
    plan, family = uuid.uuid4(), uuid.uuid4()
    async with sessionmaker() as s:
        row = events.emit(
            s,
            "plan.agreed",
            plan,
            f"/plans/{plan}",
            municipality_code="GM0363",
            data={"status": "agreed", "familyId": family, "version": 3, "revision": False, "closedAt": None},
        )
        assert row.data == {
            "id": str(plan),
            "status": "agreed",
            "familyId": str(family),
            "version": 3,
            "revision": False,
            "closedAt": None,
        }
        await s.rollback()
