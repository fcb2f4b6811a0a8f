"""The retention job: files 20 years past the end of care are anonymised, one family per
transaction; expired records are purged; one run at a time; a crashed run resumes."""

import asyncio
import json
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from app.cli import main
from app.config import get_settings
from app.services.platform import audit_partitions, audit_seal, events
from app.services.privacy.retention import RUN_LOCK
from tests.support.builders import add_engagement, build_case, nl_today
from tests.support.privacy import add_audit_events, planted_family, query, scan

LONG_AGO = "now() - interval '21 years'"


async def _retire(session: Any, family_id: Any, ended: str = LONG_AGO) -> None:
    """The family's care ended (its plan closed) at ``ended``."""
    await session.execute(text("UPDATE plans SET status = 'closed' WHERE family_id = :f"), {"f": family_id})
    await session.execute(
        text(f"UPDATE families SET care_ended_at = {ended} WHERE id = :f"), {"f": family_id}
    )
    await session.commit()


async def _status(app: Any, family_id: Any) -> str:
    return (await query(app, "SELECT status FROM families WHERE id = :f", f=family_id)).scalar()


async def test_a_run_anonymises_old_files_and_leaves_the_rest(client, auth, ref, session, app) -> None:
    old = await planted_family(client, session, ref, auth)
    await _retire(session, old.case.family_id)
    recent = await build_case(session, ref)
    await _retire(session, recent.family_id, "now() - interval '19 years'")
    blocked = await build_case(session, ref)
    await add_engagement(session, blocked, ref.providers[0], status="started", start_date=nl_today())
    await _retire(session, blocked.family_id)
    admin = auth("admin")

    dry = await client.post("/retention-runs", json={"dryRun": True}, headers=admin)
    assert dry.status_code == 201, dry.text
    counts = dry.json()
    assert (counts["status"], counts["dryRun"], counts["familiesFound"]) == ("completed", True, 2)
    assert (counts["familiesAnonymised"], counts["familiesSkipped"]) == (0, 1)
    assert (
        await _status(app, old.case.family_id) == "closed"
        or await _status(app, old.case.family_id) == "active"
    )
    assert await scan(app.state.engine, old.needles()) != {}  # a dry run changes nothing

    run = await client.post("/retention-runs", json={"dryRun": False}, headers=admin)
    assert run.status_code == 201, run.text
    body = run.json()
    assert (body["familiesFound"], body["familiesAnonymised"], body["familiesSkipped"]) == (2, 1, 1)
    assert run.headers["location"] == f"/api/v1/retention-runs/{body['id']}"
    assert await scan(app.state.engine, old.needles()) == {}
    assert [await _status(app, f) for f in (old.case.family_id, recent.family_id, blocked.family_id)] == [
        "anonymised",
        "active",
        "active",
    ]
    got = await client.get(f"/retention-runs/{body['id']}", headers=admin)
    assert got.status_code == 200 and got.json() == body

    again = (await client.post("/retention-runs", json={"dryRun": False}, headers=admin)).json()
    assert (again["familiesFound"], again["familiesAnonymised"]) == (1, 0)  # idempotent: only the blocked one

    trail = (
        await client.get(f"/audit-events?familyId={old.case.family_id}&action=delete", headers=admin)
    ).json()
    assert [e["resourceType"] for e in trail["items"]] == ["family"]


async def test_ended_before_moves_the_cut_off(client, auth, ref, session, app) -> None:
    case = await build_case(session, ref)
    await _retire(session, case.family_id, "now() - interval '2 years'")
    admin = auth("admin")
    ended_before = (nl_today() - timedelta(days=365)).isoformat()
    r = await client.post(
        "/retention-runs", json={"dryRun": False, "endedBefore": ended_before}, headers=admin
    )
    assert r.json()["familiesAnonymised"] == 1
    assert r.json()["endedBefore"].startswith(ended_before[:4])


async def test_a_second_run_while_one_runs_is_409(client, auth, app) -> None:
    async with app.state.engine.connect() as other:
        await other.execute(text("SELECT pg_advisory_lock(:k)"), {"k": RUN_LOCK})
        r = await client.post("/retention-runs", json={"dryRun": True}, headers=auth("admin"))
        await other.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": RUN_LOCK})
        await other.commit()
    assert (r.status_code, r.json()["code"]) == (409, "retention_run_in_progress")


async def test_retention_is_the_admins(client, auth) -> None:
    assert (
        await client.post("/retention-runs", json={"dryRun": True}, headers=auth("municipality_officer"))
    ).status_code == 403
    bad = await client.post(
        "/retention-runs", json={"dryRun": "maybe", "endedBefore": "x"}, headers=auth("admin")
    )
    assert bad.status_code == 400
    assert {p["name"] for p in bad.json()["invalidParams"]} == {"dryRun", "endedBefore"}
    assert (await client.get(f"/retention-runs/{uuid.uuid4()}", headers=auth("admin"))).status_code == 404


async def test_a_crashed_run_leaves_every_family_whole_and_resumes(client, auth, ref, session, app) -> None:
    cases = [await build_case(session, ref) for _ in range(3)]
    for case in cases:
        await _retire(session, case.family_id)
    order = sorted(c.family_id for c in cases)
    # the database fails while the second family (in the run's order) is being anonymised
    async with app.state.engine.begin() as conn:
        await conn.execute(
            text(
                "CREATE FUNCTION fail_retention() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                f" IF NEW.id = '{order[1]}' THEN RAISE EXCEPTION 'disk on fire'; END IF; RETURN NEW; END $$"
            )
        )
        await conn.execute(
            text(
                "CREATE TRIGGER fail_retention BEFORE UPDATE ON families"
                " FOR EACH ROW EXECUTE FUNCTION fail_retention()"
            )
        )
    admin = auth("admin")
    try:
        crashed = await client.post("/retention-runs", json={"dryRun": False}, headers=admin)
    finally:
        async with app.state.engine.begin() as conn:
            await conn.execute(text("DROP TRIGGER fail_retention ON families"))
            await conn.execute(text("DROP FUNCTION fail_retention()"))
    assert (crashed.status_code, crashed.json()["code"]) == (503, "retention_run_interrupted")
    run_path = crashed.json()["retentionRun"].removeprefix("/api/v1")
    assert (await client.get(run_path, headers=admin)).json()["status"] == "failed"
    # the second family is untouched, names and all — not half anonymised
    async with app.state.engine.connect() as conn:
        names = (
            (
                await conn.execute(
                    text("SELECT given_name FROM family_members WHERE family_id = :f"), {"f": order[1]}
                )
            )
            .scalars()
            .all()
        )
    assert sorted(names) == ["Lex", "Noor", "Sam"]
    assert [await _status(app, f) for f in order] == ["anonymised", "active", "active"]

    resumed = await client.post("/retention-runs", json={"dryRun": False}, headers=admin)
    assert resumed.status_code == 201, resumed.text
    assert resumed.json()["id"] == run_path.rsplit("/", 1)[1]
    assert (resumed.json()["status"], resumed.json()["familiesAnonymised"]) == ("completed", 3)
    assert [await _status(app, f) for f in order] == ["anonymised"] * 3


async def test_idempotency_records_past_their_hours_are_purged(client, auth, app) -> None:
    async with app.state.engine.begin() as conn:
        for key, age in (("old", "25 hours"), ("fresh", "1 hour")):
            await conn.execute(
                text(
                    "INSERT INTO idempotency_keys (subject, key, method, path, request_hash, state,"
                    " response_body, response_headers, created_at)"
                    " VALUES ('s', :k, 'POST', '/x', 'h', 'done', 'Qzx', '{}',"
                    f" now() - interval '{age}')"
                ),
                {"k": key},
            )
    dry = (await client.post("/retention-runs", json={"dryRun": True}, headers=auth("admin"))).json()
    assert dry["idempotencyKeysPurged"] == 1
    run = (await client.post("/retention-runs", json={"dryRun": False}, headers=auth("admin"))).json()
    assert run["idempotencyKeysPurged"] == 1
    keys = (await query(app, "SELECT key FROM idempotency_keys")).scalars().all()
    assert keys == ["fresh"]


IN_ORDER = "SELECT id FROM event_deliveries ORDER BY event_sequence"


async def test_delivered_webhook_attempts_past_their_days_are_purged(client, auth, app, ref) -> None:
    subscription = await client.post(
        "/subscriptions",
        headers=auth("integration"),
        json={"callbackUrl": "http://127.0.0.1:9/hook", "types": ["nl.perspectief.plan.agreed"],
              "secret": "s" * 32},
    )  # fmt: skip
    assert subscription.status_code == 201, subscription.text
    async with app.state.sessionmaker() as s:
        for n in range(3):
            subject = uuid.uuid4()
            events.emit(s, "plan.agreed", subject, f"/plans/{subject}", municipality_code="GM0363",
                        data={"status": "agreed", "version": n + 1})  # fmt: skip
        await s.commit()
    async with app.state.engine.begin() as conn:
        ids = (await conn.execute(text(IN_ORDER))).scalars().all()
        assert len(ids) == 3
        # delivered 40 days ago, delivered yesterday, still owed
        for delivery, age in ((ids[0], "40 days"), (ids[1], "1 day")):
            await conn.execute(
                text("UPDATE event_deliveries SET status = 'delivered',"
                     f" delivered_at = now() - interval '{age}' WHERE id = :id"),
                {"id": delivery},
            )  # fmt: skip
    dry = await client.post("/retention-runs", json={"dryRun": True}, headers=auth("admin"))
    assert dry.status_code == 201
    async with app.state.engine.connect() as conn:
        assert len((await conn.execute(text("SELECT id FROM event_deliveries"))).all()) == 3
    run = await client.post("/retention-runs", json={"dryRun": False}, headers=auth("admin"))
    assert run.status_code == 201
    async with app.state.engine.connect() as conn:
        left = (await conn.execute(text(IN_ORDER))).scalars().all()
    assert left == ids[1:]


async def _old_audit_row(app: Any, when: datetime) -> uuid.UUID:
    async with app.state.engine.begin() as conn:
        [row] = await add_audit_events(conn, when, subject="old")
        await audit_partitions.ensure_ahead(conn, when.date(), months=0)  # moves it out of the default
    return row


async def test_old_audit_partitions_are_dropped_whole_and_the_trail_still_verifies(client, auth, app) -> None:
    await _old_audit_row(app, datetime(2003, 2, 10, tzinfo=UTC))
    await _old_audit_row(app, datetime(2004, 5, 10, tzinfo=UTC))
    async with app.state.engine.connect() as conn:
        months = {p.start for p in await audit_partitions.partitions(conn)}
    assert {date(2003, 2, 1), date(2004, 5, 1)} <= months
    await audit_seal.seal_all(app.state.engine)

    dry = (await client.post("/retention-runs", json={"dryRun": True}, headers=auth("admin"))).json()
    assert dry["auditPartitionsDropped"] >= 2
    run = (await client.post("/retention-runs", json={"dryRun": False}, headers=auth("admin"))).json()
    assert run["auditPartitionsDropped"] >= 2
    async with app.state.engine.connect() as conn:
        months = {p.start for p in await audit_partitions.partitions(conn)}
        left = (await conn.execute(text("SELECT count(*) FROM audit_events WHERE subject = 'old'"))).scalar()
    assert date(2003, 2, 1) not in months and date(2004, 5, 1) not in months and left == 0
    result = await audit_seal.verify(app.state.engine)
    assert result.intact, result


async def test_a_partition_dropped_outside_retention_is_detected(app) -> None:
    row = await _old_audit_row(app, datetime(2005, 7, 1, tzinfo=UTC))
    await audit_seal.seal_all(app.state.engine)
    async with app.state.engine.begin() as conn:
        await conn.execute(text("DROP TABLE audit_events_p200507"))
    result = await audit_seal.verify(app.state.engine)
    assert not result.intact and result.first_broken.id == row and result.first_broken.problem == "removed"


def test_the_scheduler_commands(database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    monkeypatch.setenv("PERSPECTIEF_DATABASE_URL", database_url)
    get_settings.cache_clear()
    try:
        main(["retention-run", "--dry-run"])
        printed = json.loads(capsys.readouterr().out)
        assert printed["status"] == "completed" and printed["dryRun"] is True
        main(["audit", "verify"])  # the run's own audit row is sealed and checked
        verified = json.loads(capsys.readouterr().out)
        assert verified["intact"] is True and verified["rows"] == 1
        asyncio.run(_execute(database_url, "UPDATE audit_events SET outcome = 'denied'"))
        with pytest.raises(SystemExit) as exit_status:
            main(["audit", "verify"])
        assert exit_status.value.code == 1
        assert json.loads(capsys.readouterr().out)["firstBroken"]["problem"] == "altered"
    finally:
        get_settings.cache_clear()


async def _execute(url: str, statement: str) -> None:
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text(statement))
    await engine.dispose()
