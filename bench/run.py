"""``make bench``: our service against a bare FastAPI + asyncpg baseline, on the same database.

1. The embedded PostgreSQL is started (or reused); the database ``perspectief_bench`` is
   recreated, migrated and loaded with the demo data.
2. Our app (``perspectief serve``, dev tokens, JSON logs at WARNING) and the baseline
   (``bench/baseline.py``: no auth, the same SQL) are started on free ports on 127.0.0.1.
3. Each endpoint is driven on each server in turn with a bounded httpx load (a warm-up, then a
   fixed number of requests at a fixed concurrency, cut off by a time limit) and a table of
   requests/s, p50 and p99 is printed, with the ratio ours/baseline. The figures are also
   written to ``bench/results/`` (ignored by git).

Only 127.0.0.1 is contacted; both servers are stopped however the run ends.
"""

import argparse
import asyncio
import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import asyncpg
import httpx

from app.auth import issue_dev_token
from app.cli import migrate
from app.config import DEV_SECRET_DEFAULT, PROJECT_ROOT, Settings
from app.embedded_pg import asyncpg_dsn, ensure_database, start_embedded, to_asyncpg_url

HOST = "127.0.0.1"
DATABASE = "perspectief_bench"
READY_TIMEOUT_SECONDS = 60.0
RESULTS_DIR = PROJECT_ROOT / "bench" / "results"
SETTINGS_SAVED = ("requests", "concurrency", "warmup", "rounds", "time_limit")
DEMO_PARTS = ("reference", "families", "history")  # the load order of app.demo.load_demo


@dataclass
class Measurement:
    server: str
    endpoint: str
    requests: int
    errors: int
    seconds: float
    requests_per_second: float
    p50_ms: float
    p99_ms: float


@dataclass
class Target:
    """One endpoint as our app and the baseline serve it."""

    name: str
    ours_path: str
    baseline_path: str


# --- database ---------------------------------------------------------------------------------


def bench_database_url(settings: Settings) -> str:
    explicit = os.environ.get("PERSPECTIEF_BENCH_DATABASE_URL")
    if explicit:
        return explicit.replace("postgresql://", "postgresql+asyncpg://", 1)
    return to_asyncpg_url(start_embedded(settings.data_dir), DATABASE)


def prepare_database(url: str) -> list[str]:
    """Recreate, migrate and load the demo data; returns notes about what could not be loaded."""
    asyncio.run(ensure_database(url, recreate=True))
    migrate(url)
    try:
        from app.demo import load_demo

        asyncio.run(load_demo(url))
    except ImportError:  # a demo part that does not exist (yet): load the parts that do
        missing = asyncio.run(load_demo_parts(url))
        return [f"demo part app.demo.{name} missing; loaded the others" for name in missing]
    return []


async def load_demo_parts(url: str) -> list[str]:
    """Load the demo parts that can be imported, in order; returns the names of the missing ones."""
    import importlib

    from sqlalchemy.ext.asyncio import create_async_engine

    from app.db import create_sessionmaker

    missing = []
    engine = create_async_engine(url)
    try:
        async with create_sessionmaker(engine)() as session:
            for name in DEMO_PARTS:
                try:
                    part = importlib.import_module(f"app.demo.{name}")
                except ImportError:
                    missing.append(name)
                    continue
                await part.seed(session)
            await session.commit()
    finally:
        await engine.dispose()
    return missing


async def find_demo_plan(url: str) -> tuple[uuid.UUID, uuid.UUID, str] | None:
    """The demo family's newest plan, with the family's team and municipality."""
    from app.demo import DEMO_FAMILY

    dsn, kwargs = asyncpg_dsn(url)
    conn = await asyncpg.connect(dsn, **kwargs)
    try:
        row = await conn.fetchrow(
            """SELECT p.id, f.team_id, f.municipality_code FROM plans p
               JOIN families f ON f.id = p.family_id
               WHERE f.id = $1 ORDER BY p.created_at DESC LIMIT 1""",
            DEMO_FAMILY,
        )
    finally:
        await conn.close()
    return (row["id"], row["team_id"], row["municipality_code"]) if row else None


# --- servers ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@contextmanager
def server(
    name: str, argv: list[str], env: dict[str, str], log: IO[bytes]
) -> Iterator[subprocess.Popen[bytes]]:
    """A server subprocess, stopped (terminate, then kill) when the block ends."""
    process = subprocess.Popen(argv, env=env, cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        print(f"  stopped {name} (exit {process.returncode})")


async def wait_ready(process: subprocess.Popen[bytes], url: str, log_path: str) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    async with httpx.AsyncClient(timeout=2.0) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"server exited with {process.returncode}; see {log_path}")
            try:
                if (await client.get(url)).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError(f"server at {url} not ready after {READY_TIMEOUT_SECONDS:.0f} s; see {log_path}")


# --- load -------------------------------------------------------------------------------------


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(q * len(sorted_values)) - 1))
    return sorted_values[index]


async def drive(
    client: httpx.AsyncClient, url: str, headers: dict[str, str], total: int, concurrency: int, limit_s: float
) -> tuple[list[float], int, float]:
    """Send at most ``total`` GETs with ``concurrency`` workers, stopping at ``limit_s`` seconds."""
    issued = itertools.count()
    latencies: list[float] = []
    errors = 0
    started = time.perf_counter()
    deadline = started + limit_s

    async def worker() -> None:
        nonlocal errors
        while next(issued) < total and time.perf_counter() < deadline:
            t0 = time.perf_counter()
            try:
                response = await client.get(url, headers=headers)
                ok = response.status_code == 200
            except httpx.HTTPError:
                ok = False
            latencies.append(time.perf_counter() - t0)
            errors += 0 if ok else 1

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, errors, time.perf_counter() - started


@dataclass
class Sample:
    latencies: list[float]
    errors: int = 0
    seconds: float = 0.0

    def summary(self, server_name: str, target_name: str) -> Measurement:
        latencies = sorted(self.latencies)
        return Measurement(
            server=server_name,
            endpoint=target_name,
            requests=len(latencies),
            errors=self.errors,
            seconds=round(self.seconds, 3),
            requests_per_second=round(len(latencies) / self.seconds, 1) if self.seconds else 0.0,
            p50_ms=round(percentile(latencies, 0.50) * 1000, 2),
            p99_ms=round(percentile(latencies, 0.99) * 1000, 2),
        )


async def compare(
    target: Target, ours: str, base: str, headers: dict[str, str], args: argparse.Namespace
) -> tuple[Measurement, Measurement]:
    """Warm both up, then alternate rounds between them, so that a change in the machine's
    load during the run weighs on both alike."""
    limits = httpx.Limits(max_connections=args.concurrency, max_keepalive_connections=args.concurrency)
    base_size, extra = divmod(args.requests, args.rounds)
    sizes = [base_size + (1 if i < extra else 0) for i in range(args.rounds)]
    round_limit = args.time_limit / args.rounds
    async with (
        httpx.AsyncClient(timeout=10.0, limits=limits) as ours_client,
        httpx.AsyncClient(timeout=10.0, limits=limits) as base_client,
    ):
        sides = {
            "ours": (ours_client, ours + target.ours_path, headers, Sample([])),
            "baseline": (base_client, base + target.baseline_path, {}, Sample([])),
        }
        for client, url, hdrs, _ in sides.values():
            await drive(client, url, hdrs, args.warmup, args.concurrency, round_limit)
        for number, size in enumerate(sizes):
            order = ["ours", "baseline"] if number % 2 == 0 else ["baseline", "ours"]
            for name in order:
                client, url, hdrs, sample = sides[name]
                latencies, errors, seconds = await drive(
                    client, url, hdrs, size, args.concurrency, round_limit
                )
                sample.latencies.extend(latencies)
                sample.errors += errors
                sample.seconds += seconds
    return (
        sides["ours"][3].summary("ours", target.name),
        sides["baseline"][3].summary("baseline", target.name),
    )


async def check_equivalent(ours: str, baseline: str, headers: dict[str, str], target: Target) -> str | None:
    """Both servers answer 200 with the same data; returns why not, or None."""
    async with httpx.AsyncClient(timeout=10.0) as client:
        mine = await client.get(ours + target.ours_path, headers=headers)
        bare = await client.get(baseline + target.baseline_path)
    if mine.status_code != 200 or bare.status_code != 200:
        return f"{target.name}: ours {mine.status_code}, baseline {bare.status_code}"
    if target.name == "GET /life-domains" and mine.json() != bare.json():
        return f"{target.name}: the two servers return different data"
    if target.name.startswith("GET /plans/"):
        a, b = mine.json(), bare.json()
        if (a.get("status"), a.get("version")) != (b["status"], b["version"]):
            return f"{target.name}: the two servers return different plans"
    return None


# --- report -----------------------------------------------------------------------------------


def print_table(rows: list[tuple[Measurement, Measurement]], args: argparse.Namespace) -> None:
    print(
        f"\n{args.requests} requests per endpoint and server, concurrency {args.concurrency}, "
        f"after {args.warmup} warm-up requests, in {args.rounds} alternating rounds; "
        "one uvicorn worker each, same database.\n"
    )
    header = (
        f"{'endpoint':26} | {'ours req/s':>10} {'p50 ms':>8} {'p99 ms':>8} | "
        f"{'base req/s':>10} {'p50 ms':>8} {'p99 ms':>8} | {'ratio':>6}"
    )
    print(header)
    print("-" * len(header))
    for ours, base in rows:
        ratio = ours.requests_per_second / base.requests_per_second if base.requests_per_second else 0.0
        print(
            f"{ours.endpoint:26} | {ours.requests_per_second:10.1f} {ours.p50_ms:8.2f} {ours.p99_ms:8.2f} | "
            f"{base.requests_per_second:10.1f} {base.p50_ms:8.2f} {base.p99_ms:8.2f} | {ratio:6.2f}"
        )
    print("\nratio = ours req/s ÷ baseline req/s (1.00 = no overhead).")
    for ours, base in rows:
        for m in (ours, base):
            if m.errors or m.requests < args.requests:
                print(f"note: {m.server} {m.endpoint}: {m.requests} requests, {m.errors} errors")


def save(rows: list[tuple[Measurement, Measurement]], notes: list[str], args: argparse.Namespace) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS_DIR / f"bench-{stamp}.json"
    document = {
        "at": stamp,
        "settings": {k: getattr(args, k) for k in SETTINGS_SAVED},
        "results": [asdict(m) for pair in rows for m in pair],
        "notes": notes,
    }
    path.write_text(json.dumps(document, indent=2))
    return path


# --- main -------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="measured requests per endpoint, server")
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=200, help="warm-up requests per endpoint, server")
    parser.add_argument("--rounds", type=int, default=4, help="alternating rounds the requests are split in")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per endpoint, server (max)")
    args = parser.parse_args(argv)
    if not (1 <= args.rounds <= args.requests <= 100_000 and 1 <= args.concurrency <= 200):
        parser.error("requests 1..100000 (at least one per round), concurrency 1..200")
    if not 0 < args.time_limit <= 600:
        parser.error("the time limit is 1..600 s")
    return args


def server_env(url: str, secret: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PERSPECTIEF_", "BENCH_"))}
    env.update(
        PERSPECTIEF_ENV="dev",
        PERSPECTIEF_DATABASE_URL=url,
        PERSPECTIEF_DEV_JWT_SECRET=secret,
        PERSPECTIEF_LOG_LEVEL="WARNING",
        PYTHONPATH=str(PROJECT_ROOT),
    )
    return env


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so the servers are stopped too
    secret = os.environ.get("PERSPECTIEF_DEV_JWT_SECRET", DEV_SECRET_DEFAULT)
    settings = Settings(env="dev", dev_jwt_secret=secret, jwks_url=None)

    url = bench_database_url(settings)
    print(f"preparing database {DATABASE} (recreate, migrate, demo data)...")
    notes = prepare_database(url)
    plan = asyncio.run(find_demo_plan(url))
    if plan is None:
        notes.append("the demo family has no plan; GET /plans/{id} not benchmarked")

    team, municipality = (plan[1], plan[2]) if plan else (uuid.uuid4(), "GM0363")
    token = issue_dev_token(
        settings, sub="bench", roles=["district_professional"], municipality=municipality, team=team
    )
    headers = {"Authorization": f"Bearer {token}"}
    targets = [Target("GET /life-domains", "/api/v1/life-domains", "/life-domains")]
    if plan:
        targets.append(Target("GET /plans/{id}", f"/api/v1/plans/{plan[0]}", f"/plans/{plan[0]}"))

    ours_port, base_port = free_port(), free_port()
    dsn, kwargs = asyncpg_dsn(url)
    base_env = {
        **server_env(url, secret),
        "BENCH_DATABASE_DSN": dsn,
        "BENCH_DATABASE_HOST": kwargs.get("host", ""),
        "BENCH_TEAM": str(team),
        "BENCH_MUNICIPALITY": municipality,
    }
    logs = tempfile.mkdtemp(prefix="perspectief-bench-")
    ours_argv = [sys.executable, "-m", "app.cli", "serve", "--host", HOST, "--port", str(ours_port)]
    base_argv = [
        sys.executable, "-m", "uvicorn", "bench.baseline:app", "--host", HOST, "--port", str(base_port),
        "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip

    with ExitStack() as stack:
        ours_log = stack.enter_context(open(f"{logs}/ours.log", "wb"))
        base_log = stack.enter_context(open(f"{logs}/baseline.log", "wb"))
        ours_proc = stack.enter_context(server("ours", ours_argv, server_env(url, secret), ours_log))
        base_proc = stack.enter_context(server("baseline", base_argv, base_env, base_log))
        ours, base = f"http://{HOST}:{ours_port}", f"http://{HOST}:{base_port}"
        rows = asyncio.run(run_load(ours_proc, base_proc, ours, base, headers, targets, notes, logs, args))

    print_table(rows, args)
    for note in notes:
        print(f"note: {note}")
    print(f"\nresults: {save(rows, notes, args)}")


async def run_load(
    ours_proc: subprocess.Popen[bytes],
    base_proc: subprocess.Popen[bytes],
    ours: str,
    base: str,
    headers: dict[str, str],
    targets: list[Target],
    notes: list[str],
    logs: str,
    args: argparse.Namespace,
) -> list[tuple[Measurement, Measurement]]:
    await wait_ready(ours_proc, f"{ours}/api/v1/health", f"{logs}/ours.log")
    await wait_ready(base_proc, f"{base}/health", f"{logs}/baseline.log")
    rows = []
    for target in targets:
        problem = await check_equivalent(ours, base, headers, target)
        if problem:
            notes.append(f"skipped {problem}")
            continue
        print(f"  {target.name}: {args.rounds} rounds, alternating ours and baseline...")
        rows.append(await compare(target, ours, base, headers, args))
    return rows


if __name__ == "__main__":
    main()
