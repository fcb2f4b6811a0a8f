"""``python -m bench.audit``: what the audit trail costs, at national scale.

1. A database ``perspectief_bench_audit`` is recreated, migrated and loaded with the demo data;
   the audit table is filled with ``--rows`` rows (default 10 million, ``INSERT … SELECT
   generate_series`` in chunks) over the last twelve months, for 100 000 families, into monthly
   partitions; the demo family gets 100 of them.
2. ``GET /plans/{id}`` is served in-process (the real app over ASGI) one request at a time:
   with its audit row as configured (by default in the read's own transaction), through the group
   commit, with the audit row left out (the share the audit insert and the commit it needs cost), and with the
   sealer working in the same event loop all the while (after 20 s of sealing the generated
   backlog it is still busy with it: the worst case); and 16 at a time, with and without the
   group commit.
3. The family trail (``GET /families/{id}/audit-events``' query, and over HTTP) and the admin
   search are timed on the full table, and the sealer's throughput is measured.

Prints a table and writes it to ``bench/results/`` (ignored by git). Only 127.0.0.1 is contacted.
"""

import argparse
import asyncio
import json
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text

from app.auth import issue_dev_token
from app.config import PROJECT_ROOT, get_settings
from app.embedded_pg import start_embedded, to_asyncpg_url

DATABASE = "perspectief_bench_audit"
RESULTS_DIR = PROJECT_ROOT / "bench" / "results"
FAMILIES = 100_000
CHUNK = 1_000_000


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench.audit", description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000_000, help="audit rows to generate")
    parser.add_argument("--requests", type=int, default=400, help="GET /plans/{id} per variant")
    parser.add_argument("--reuse", action="store_true", help="keep the database of an earlier run")
    return parser.parse_args(argv)


def prepare(url: str, reuse: bool) -> None:
    from bench.run import prepare_database

    if not reuse:
        for note in prepare_database(url):
            print(f"  note: {note}")


async def fill(engine: Any, rows: int, family: uuid.UUID) -> float:
    """Generate the audit rows; returns the seconds it took."""
    from app.services.platform import audit_partitions, clock

    started = time.perf_counter()
    today = clock.today()
    async with engine.begin() as conn:
        await audit_partitions.ensure_months(conn, audit_partitions.month_start(today, -12), today)
    done = 0
    while done < rows:
        n = min(CHUNK, rows - done)
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO audit_events (id, occurred_at, subject, role, organisation,"
                    " municipality_code, action, resource_type, resource_id, family_id, outcome, request_id,"
                    " xact) SELECT gen_random_uuid(), now() - (g % 31000000) * interval '1 second',"
                    " 'pro-' || (g % 5000),"
                    " 'district_professional', 'team:' || (g % 300), 'GM0363',"
                    " (ARRAY['read','read','read','update','create','search'])[1 + g % 6],"
                    " (ARRAY['plan','family','engagement','goal'])[1 + g % 4], (g % 100000)::text,"
                    " md5((g % CAST(:families AS bigint))::text)::uuid, 'success', 'bench-' || g,"
                    " -1000000000000 + g / 1000"
                    " FROM generate_series(CAST(:lo AS bigint), CAST(:hi AS bigint)) g"
                ),
                {"lo": done, "hi": done + n - 1, "families": FAMILIES},
            )
        done += n
        print(f"  {done:,} audit rows", flush=True)
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO audit_events (id, occurred_at, subject, role, organisation, municipality_code,"
                " action, resource_type, family_id, outcome, request_id, xact) SELECT gen_random_uuid(),"
                " now() - g * interval '1 day', 'pro-1', 'district_professional', 'team:1', 'GM0363', 'read',"
                " 'plan', :f, 'success', 'bench', -1 FROM generate_series(1, 100) g"
            ),
            {"f": family},
        )
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text("VACUUM ANALYZE audit_events"))
    return time.perf_counter() - started


async def timed(call: Callable[[], Awaitable[Any]], n: int) -> list[float]:
    out = []
    for _ in range(n):
        started = time.perf_counter()
        await call()
        out.append((time.perf_counter() - started) * 1000)
    return sorted(out)


def p(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, max(0, round(q * len(values)) - 1))]


async def measure(url: str, args: argparse.Namespace) -> dict[str, Any]:
    from app.demo import DEMO_FAMILY
    from app.main import create_app
    from app.services.platform import audit, audit_seal
    from app.services.platform.audit_writer import AuditWriter
    from bench.run import find_demo_plan

    settings = get_settings()
    found = await find_demo_plan(url)
    if found is None:
        raise SystemExit("no demo plan")
    plan_id, team_id, municipality = found
    app = create_app(settings, database_url=url)
    engine = app.state.engine
    results: dict[str, Any] = {"rows": args.rows}
    if not args.reuse:
        results["fill_seconds"] = round(await fill(engine, args.rows, DEMO_FAMILY), 1)
    token = issue_dev_token(
        settings, sub="bench", roles=["district_professional"], municipality=municipality, team=str(team_id)
    )
    admin = issue_dev_token(settings, sub="bench-admin", roles=["admin"], municipality=municipality)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench/api/v1") as client:
        headers = {"Authorization": f"Bearer {token}"}

        async def read_plan() -> None:
            r = await client.get(f"/plans/{plan_id}", headers=headers)
            assert r.status_code == 200, r.text

        async def waves(concurrency: int) -> float:
            """Requests per second with ``concurrency`` reads in flight."""
            started = time.perf_counter()
            for _ in range(args.requests // concurrency):
                await asyncio.gather(*(read_plan() for _ in range(concurrency)))
            return (args.requests // concurrency) * concurrency / (time.perf_counter() - started)

        await timed(read_plan, 50)  # warm-up
        default_writer = app.state.audit_writer
        group = app.state.audit_writer = AuditWriter(engine)  # reads' rows through the group commit
        group_commit_rps = await waves(16)
        sequential_group_commit = await timed(read_plan, args.requests)
        await group.close()
        app.state.audit_writer = None  # the audit row in the read's own transaction
        own_commit_rps = await waves(16)
        app.state.audit_writer = default_writer
        with_audit = await timed(read_plan, args.requests)
        real_record = audit.record
        audit.record = lambda *a, **k: None  # type: ignore[assignment]  # the same read without its audit row
        try:
            await timed(read_plan, 50)
            without_audit = await timed(read_plan, args.requests)
        finally:
            audit.record = real_record  # type: ignore[assignment]

        stop = asyncio.Event()

        async def sealer() -> None:
            while not stop.is_set():
                await audit_seal.seal_all(engine)
                await asyncio.sleep(1.0)  # ten times as often as the service's default

        # seal the backlog of the generated rows out of the way first (throughput figure)
        started = time.perf_counter()
        sealed = 0
        while time.perf_counter() - started < 20:
            step = await audit_seal.seal_once(engine)
            if not step:
                break
            sealed += step
        seal_rate = sealed / (time.perf_counter() - started)
        task = asyncio.create_task(sealer())
        with_sealer = await timed(read_plan, args.requests)
        stop.set()
        await task

        family_path = f"/families/{DEMO_FAMILY}/audit-events"
        trail_http = await timed(lambda: client.get(family_path, headers=headers), 100)
        admin_headers = {"Authorization": f"Bearer {admin}"}
        search_http = await timed(
            lambda: client.get(
                "/audit-events", params={"resourceType": "goal", "action": "update"}, headers=admin_headers
            ),
            50,
        )
        subject_http = await timed(
            lambda: client.get("/audit-events", params={"subject": "pro-4711"}, headers=admin_headers), 50
        )
    async with engine.connect() as conn:
        query = text(
            "SELECT id, occurred_at, subject, role, organisation, action, resource_type, resource_id, outcome"
            " FROM audit_events WHERE family_id = :f ORDER BY occurred_at DESC, id DESC LIMIT 51"
        )

        async def trail() -> None:
            (await conn.execute(query, {"f": DEMO_FAMILY})).all()

        trail_sql = await timed(trail, 200)
        plan = (
            await conn.execute(text("EXPLAIN (ANALYZE, BUFFERS) " + str(query)), {"f": DEMO_FAMILY})
        ).scalars()
        results["family_trail_plan"] = list(plan)
        results["table_size"] = (
            await conn.execute(
                text(
                    "SELECT pg_size_pretty(sum(pg_total_relation_size(inhrelid))) FROM pg_inherits"
                    " WHERE inhparent = 'audit_events'::regclass"
                )
            )
        ).scalar()
    await engine.dispose()
    p50_with, p50_without = p(with_audit, 0.5), p(without_audit, 0.5)
    results.update(
        plan_p50_ms_with_audit=round(p50_with, 2),
        plan_p50_ms_without_audit=round(p50_without, 2),
        audit_share_of_plan_read=f"{(p50_with - p50_without) / p50_with:.0%}",
        plan_p50_ms_while_sealer_works=round(p(with_sealer, 0.5), 2),
        plan_p99_ms_with_audit=round(p(with_audit, 0.99), 2),
        plan_p99_ms_while_sealer_works=round(p(with_sealer, 0.99), 2),
        seal_rows_per_second=round(seal_rate),
        family_trail_sql_p50_ms=round(p(trail_sql, 0.5), 3),
        family_trail_sql_p99_ms=round(p(trail_sql, 0.99), 3),
        family_trail_http_p50_ms=round(p(trail_http, 0.5), 2),
        admin_search_type_action_http_p50_ms=round(p(search_http, 0.5), 2),
        admin_search_subject_http_p50_ms=round(p(subject_http, 0.5), 2),
        mean_plan_ms_with_audit=round(statistics.mean(with_audit), 2),
        plan_p50_ms_group_commit=round(p(sequential_group_commit, 0.5), 2),
        plan_rps_16_in_flight_group_commit=round(group_commit_rps, 1),
        plan_rps_16_in_flight_own_commit=round(own_commit_rps, 1),
    )
    return results


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    settings = get_settings()
    url = to_asyncpg_url(start_embedded(settings.data_dir), DATABASE)
    prepare(url, args.reuse)
    results = asyncio.run(measure(url, args))
    for key, value in results.items():
        if key != "family_trail_plan":
            print(f"  {key:40} {value}")
    print("\n  family trail plan:\n    " + "\n    ".join(results["family_trail_plan"]))
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = Path(RESULTS_DIR / f"audit-{datetime.now(UTC):%Y%m%dT%H%M%S}.json")
    path.write_text(json.dumps(results, indent=2))
    print(f"\n  written to {path.relative_to(PROJECT_ROOT)}")


if __name__ == "__main__":
    main()
