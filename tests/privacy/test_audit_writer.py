"""Reads' audit rows go through a group commit: durable before the answer, shared between
concurrent reads, and a read the writer cannot record is refused (503), never answered."""

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text

from app.services.platform.audit_writer import AuditWriter
from tests.support.builders import build_case
from tests.support.privacy import execute, query


@pytest.fixture(autouse=True)
def group_commit(app: Any) -> Iterator[None]:
    """The group commit is off by default (PERSPECTIEF_AUDIT_GROUP_COMMIT); these tests turn it on."""
    before = app.state.audit_writer
    app.state.audit_writer = AuditWriter(app.state.engine)
    yield
    app.state.audit_writer = before


async def test_a_read_is_answered_only_once_its_audit_row_is_committed(
    client, auth, ref, session, app
) -> None:
    case = await build_case(session, ref)
    team = auth("district_professional", team=case.team_id, sub="reader")
    assert (await client.get(f"/plans/{case.plan_id}", headers=team)).status_code == 200
    async with app.state.engine.connect() as conn:  # another connection: committed rows only
        rows = (
            await conn.execute(text("SELECT count(*) FROM audit_events WHERE subject = 'reader'"))
        ).scalar()
    assert rows == 1


async def test_concurrent_reads_share_a_commit(client, auth, ref, session, app) -> None:
    case = await build_case(session, ref)
    team = auth("district_professional", team=case.team_id, sub="many")
    answers = await asyncio.gather(*(client.get(f"/plans/{case.plan_id}", headers=team) for _ in range(20)))
    assert {r.status_code for r in answers} == {200}
    rows, commits = (
        await query(app, "SELECT count(*), count(DISTINCT xact) FROM audit_events WHERE subject = 'many'")
    ).one()
    assert rows == 20 and commits < 20


# A full audit disk, for the reads of one subject only.
REFUSE_UNRECORDED = (
    "CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
    " IF NEW.subject = 'unrecorded' THEN RAISE EXCEPTION 'audit disk full'; END IF;"
    " RETURN NEW; END $$"
)
REFUSE_TRIGGER = (
    "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION refuse_audit()"
)


async def test_a_read_that_cannot_be_recorded_is_refused(client, auth, ref, session, app) -> None:
    case = await build_case(session, ref)
    await execute(app, REFUSE_UNRECORDED, REFUSE_TRIGGER)
    try:
        r = await client.get(
            f"/plans/{case.plan_id}",
            headers=auth("district_professional", team=case.team_id, sub="unrecorded"),
        )
        fine = await client.get(
            f"/plans/{case.plan_id}", headers=auth("district_professional", team=case.team_id)
        )
    finally:
        await execute(app, "DROP TRIGGER refuse_audit ON audit_events", "DROP FUNCTION refuse_audit()")
    assert (r.status_code, r.json()["code"]) == (503, "audit_unavailable")
    assert "familyVision" not in r.text
    assert fine.status_code == 200  # the writer carries on
