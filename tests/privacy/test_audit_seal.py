"""The audit trail is tamper-evident: sealed after the fact, and a verification names the first
row that was altered, removed or slipped in afterwards."""

import uuid
from typing import Any

from sqlalchemy import text

from app.services.platform import audit_seal
from tests.support.builders import build_case

COLUMNS = "id, occurred_at, subject, role, organisation, action, resource_type, outcome, request_id"


async def _reads(client: Any, auth: Any, ref: Any, session: Any, n: int = 3) -> Any:
    """A case and ``n`` audited reads of its plan by its team."""
    case = await build_case(session, ref)
    team = auth("district_professional", team=case.team_id)
    for _ in range(n):
        assert (await client.get(f"/plans/{case.plan_id}", headers=team)).status_code == 200
    return case


async def _rows(app: Any) -> list[Any]:
    async with app.state.engine.connect() as conn:
        return list(
            (await conn.execute(text("SELECT id, occurred_at FROM audit_events ORDER BY occurred_at"))).all()
        )


async def test_an_untouched_trail_verifies_intact(client, auth, ref, session, app) -> None:
    await _reads(client, auth, ref, session)
    assert await audit_seal.seal_all(app.state.engine) == 3
    assert await audit_seal.seal_all(app.state.engine) == 0  # nothing new: no empty checkpoint
    result = await audit_seal.verify(app.state.engine)
    assert result.intact and result.rows == 3 and result.first_broken is None
    assert result.verified_through == (await _rows(app))[-1].occurred_at


async def test_an_altered_row_is_named(client, auth, ref, session, app) -> None:
    await _reads(client, auth, ref, session)
    await audit_seal.seal_all(app.state.engine)
    victim = (await _rows(app))[1]
    async with app.state.engine.begin() as conn:
        await conn.execute(
            text("UPDATE audit_events SET subject = 'someone-else' WHERE id = :id"), {"id": victim.id}
        )
    result = await audit_seal.verify(app.state.engine)
    assert not result.intact
    assert result.first_broken is not None
    assert (result.first_broken.id, result.first_broken.problem) == (victim.id, "altered")
    assert result.first_broken.occurred_at == victim.occurred_at


async def test_a_removed_row_is_named(client, auth, ref, session, app) -> None:
    await _reads(client, auth, ref, session)
    await audit_seal.seal_all(app.state.engine)
    victim = (await _rows(app))[0]
    async with app.state.engine.begin() as conn:
        await conn.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": victim.id})
    result = await audit_seal.verify(app.state.engine)
    assert not result.intact
    assert (result.first_broken.id, result.first_broken.problem) == (victim.id, "removed")


async def test_a_row_slipped_into_a_sealed_range_is_named(client, auth, ref, session, app) -> None:
    await _reads(client, auth, ref, session)
    await audit_seal.seal_all(app.state.engine)
    first = (await _rows(app))[0]
    forged = uuid.uuid4()
    async with app.state.engine.begin() as conn:
        await conn.execute(
            text(
                f"INSERT INTO audit_events ({COLUMNS}, xact) SELECT :id, occurred_at, 'x', 'admin', 'x',"
                " 'read', 'plan', 'success', 'x', xact FROM audit_events WHERE id = :first"
            ),
            {"id": forged, "first": first.id},
        )
    result = await audit_seal.verify(app.state.engine)
    assert (result.intact, result.first_broken.id, result.first_broken.problem) == (False, forged, "inserted")


async def test_a_removed_checkpoint_breaks_the_chain(client, auth, ref, session, app) -> None:
    case = await _reads(client, auth, ref, session, n=1)
    await audit_seal.seal_all(app.state.engine)
    team = auth("district_professional", team=case.team_id)
    await client.get(f"/plans/{case.plan_id}", headers=team)
    await audit_seal.seal_all(app.state.engine)
    async with app.state.engine.begin() as conn:
        await conn.execute(text("DELETE FROM audit_seals WHERE id = (SELECT min(id) FROM audit_seals)"))
    result = await audit_seal.verify(app.state.engine)
    assert not result.intact and result.first_broken.problem == "checkpoint"


async def test_rows_of_a_running_transaction_are_sealed_only_after_it_ends(
    client, auth, ref, session, app
) -> None:
    """The sealer never seals past a transaction still in flight: its rows may yet appear below."""
    await _reads(client, auth, ref, session, n=1)
    async with app.state.engine.connect() as open_tx:
        await open_tx.execute(
            text(
                f"INSERT INTO audit_events ({COLUMNS})"
                " VALUES (:id, now(), 'late', 'admin', 'x', 'read', 'plan', 'success', 'x')"
            ),
            {"id": uuid.uuid4()},
        )
        await _reads(client, auth, ref, session, n=1)  # commits after the open transaction began
        sealed_while_open = await audit_seal.seal_all(app.state.engine)
        await open_tx.commit()
    assert sealed_while_open == 1  # only the row written before the open transaction started
    assert await audit_seal.seal_all(app.state.engine) == 2
    result = await audit_seal.verify(app.state.engine)
    assert result.intact and result.rows == 3


async def test_verification_endpoint_is_for_the_admin_and_seals_first(
    client, auth, ref, session, app
) -> None:
    case = await _reads(client, auth, ref, session, n=2)
    team = auth("district_professional", team=case.team_id)
    assert (await client.get("/audit-events/verification", headers=team)).status_code == 403
    admin = auth("admin")
    body = (await client.get("/audit-events/verification", headers=admin)).json()
    assert body["intact"] is True and body["rows"] >= 2 and body["firstBroken"] is None
    victim = (await _rows(app))[0]
    async with app.state.engine.begin() as conn:
        await conn.execute(
            text("UPDATE audit_events SET action = 'create' WHERE id = :id"), {"id": victim.id}
        )
    body = (await client.get("/audit-events/verification", headers=admin)).json()
    assert body["intact"] is False
    assert body["firstBroken"]["id"] == str(victim.id)
