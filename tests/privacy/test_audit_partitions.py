"""The audit trail is partitioned by month; the service creates months ahead, and a row that
arrives before its month exists is kept (default partition) and moved when the month is made."""

from datetime import UTC, date, datetime

from sqlalchemy import text

from app.services.platform import audit_partitions
from app.services.platform.audit_partitions import month_start
from tests.support.builders import build_case
from tests.support.privacy import add_audit_events


async def test_audit_events_is_partitioned_by_month_with_months_ahead(app) -> None:
    today = date.today()
    async with app.state.engine.begin() as conn:
        strategy = (
            await conn.execute(
                text(
                    "SELECT partstrat::text FROM pg_partitioned_table"
                    " WHERE partrelid = 'audit_events'::regclass"
                )
            )
        ).scalar()
        await audit_partitions.ensure_ahead(conn, today)
        months = {p.start for p in await audit_partitions.partitions(conn)}
    assert strategy == "r"  # range
    assert {month_start(today, n) for n in range(4)} <= months


async def test_a_row_before_its_month_is_kept_and_moved_into_it(client, auth, ref, session, app) -> None:
    case = await build_case(session, ref)
    when = datetime(2031, 6, 15, tzinfo=UTC)
    async with app.state.engine.begin() as conn:
        await add_audit_events(conn, when, family_id=case.family_id)
        in_default = (await conn.execute(text("SELECT count(*) FROM audit_events_default"))).scalar()
        created = await audit_partitions.ensure_months(conn, date(2031, 6, 1), date(2031, 6, 1))
        moved = (await conn.execute(text("SELECT count(*) FROM audit_events_p203106"))).scalar()
        left = (await conn.execute(text("SELECT count(*) FROM audit_events_default"))).scalar()
    assert (in_default, created, moved, left) == (1, 1, 1, 0)
    team = auth("district_professional", team=case.team_id)
    trail = (await client.get(f"/families/{case.family_id}/audit-events", headers=team)).json()
    assert trail["items"][0]["occurredAt"].startswith("2031-06-15")
