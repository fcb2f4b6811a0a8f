"""``make bench``: our service against a bare FastAPI + asyncpg baseline, on a small and a large data set.

1. The embedded PostgreSQL is started (or reused); the database ``perspectief_bench`` is
   recreated, migrated and filled by the project's generator with ``--small-families`` families
   (10 000). A large set is generated beforehand, once (``perspectief generate --families 500000
   --database perspectief_national``), and named with ``--large-database``.
2. Our app (``perspectief serve``, one uvicorn worker, dev tokens, JSON logs at WARNING) is
   started on each data set; the baseline (``bench/baseline.py``: no auth, no ORM) on the large
   one. Before the load, every statement our app sends for each endpoint is recorded with its
   parameters; the baseline's ``/replay/{key}`` runs exactly those in bare asyncpg, and its
   ``/select1`` is the floor of any database endpoint.
3. Each endpoint is driven with a bounded httpx load (warm-up, then fixed requests at a fixed
   concurrency in rounds that alternate between the sides, so a change in the machine's load
   weighs on all alike), and a table shows p50/p99, requests/s, ours ÷ ``SELECT 1``, ours ÷ the
   same SQL, and p50 on the large set ÷ p50 on the small one. The officer's endpoints run on the
   large set for the municipality whose size is closest to Amsterdam's in the small set: an
   aggregate over a municipality's own rows grows with that municipality, and the point is that
   it does not grow with the rest of the country. Figures go to ``bench/results/`` (ignored by git).

Only 127.0.0.1 is contacted; every server is stopped however the run ends.
"""

import argparse
import asyncio
import itertools
import json
import os
import pickle
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import httpx

from app.cli import migrate
from app.config import DEV_SECRET_DEFAULT, PROJECT_ROOT, Settings
from app.demo.ids import MUNICIPALITY
from app.embedded_pg import asyncpg_dsn, ensure_database, start_embedded, to_asyncpg_url
from bench.endpoints import Target, endpoints, families_per_municipality
from bench.explain import record

HOST = "127.0.0.1"
DATABASE = "perspectief_bench"
READY_TIMEOUT_SECONDS = 60.0
RESULTS_DIR = PROJECT_ROOT / "bench" / "results"
SETTINGS_SAVED = ("requests", "concurrency", "warmup", "rounds", "time_limit", "small_families")


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
class Side:
    """One server answering one endpoint: our app on a data set, or a baseline path."""

    name: str
    url: str
    headers: dict[str, str]


# --- database ---------------------------------------------------------------------------------


def database_url(settings: Settings, name: str) -> str:
    return to_asyncpg_url(start_embedded(settings.data_dir), name)


def prepare_small(url: str, families: int) -> None:
    """Recreate, migrate and fill the small data set with the project's generator."""
    from app.generate.national import generate

    asyncio.run(ensure_database(url, recreate=True))
    migrate(url)
    stats = asyncio.run(generate(url, families, progress=lambda _: None))
    print(f"  {stats.families} families, {stats.rows} rows in {stats.seconds:.0f} s")


def matched_municipality(small: dict[str, int], large: dict[str, int]) -> str:
    """The large set's municipality closest in size to Amsterdam in the small set."""
    size = small.get(MUNICIPALITY, 0)
    return min(large, key=lambda code: (abs(large[code] - size), code))


def save_replays(url: str, settings: Settings, targets: list[Target], path: Path) -> None:
    """Record every statement our app sends per endpoint, for the baseline to replay."""
    recorded = asyncio.run(record(url, settings, targets=targets, reads_only=False))
    by_name: dict[str, list[tuple[str, tuple[object, ...]]]] = {}
    for name, statement, parameters in recorded:
        by_name.setdefault(name, []).append((statement, parameters))
    with open(path, "wb") as f:
        pickle.dump({t.key: by_name.get(t.name, []) for t in targets}, f)


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


async def compare(sides: list[Side], endpoint: str, args: argparse.Namespace) -> list[Measurement]:
    """Warm every side up, then alternate rounds between them (rotating who goes first)."""
    limits = httpx.Limits(max_connections=args.concurrency, max_keepalive_connections=args.concurrency)
    base_size, extra = divmod(args.requests, args.rounds)
    sizes = [base_size + (1 if i < extra else 0) for i in range(args.rounds)]
    round_limit = args.time_limit / args.rounds
    samples = {side.name: Sample([]) for side in sides}
    async with httpx.AsyncClient(timeout=30.0, limits=limits) as client:
        for side in sides:
            await drive(client, side.url, side.headers, args.warmup, args.concurrency, round_limit)
        for number, size in enumerate(sizes):
            order = sides[number % len(sides) :] + sides[: number % len(sides)]
            for side in order:
                latencies, errors, seconds = await drive(
                    client, side.url, side.headers, size, args.concurrency, round_limit
                )
                sample = samples[side.name]
                sample.latencies.extend(latencies)
                sample.errors += errors
                sample.seconds += seconds
    return [samples[side.name].summary(side.name, endpoint) for side in sides]


# --- report -----------------------------------------------------------------------------------


def _ratio(a: float, b: float) -> str:
    return f"{a / b:6.3f}" if a and b else "     -"


def print_table(results: dict[str, dict[str, Measurement]], args: argparse.Namespace, primary: str) -> None:
    print(
        f"\n{args.requests} requests per endpoint and side, concurrency {args.concurrency}, after "
        f"{args.warmup} warm-up requests, in {args.rounds} alternating rounds; one uvicorn worker each.\n"
        f"ours = our app on the {primary} set; ×SELECT 1 and ×same SQL = ours req/s ÷ theirs; "
        "large÷small = p50 on the large set ÷ p50 on the small one.\n"
    )
    header = (
        f"{'endpoint':24} | {'p50 ms':>8} {'p99 ms':>8} {'req/s':>7} | {'×SELECT 1':>9} {'×same SQL':>9} | "
        f"{'small p50':>9} {'large÷small':>11}"
    )
    print(header)
    print("-" * len(header))
    for endpoint, sides in results.items():
        ours, small = sides.get(primary), sides.get("small")
        select1, replay = sides.get("select 1"), sides.get("same SQL")
        if ours is None:
            continue
        growth = _ratio(ours.p50_ms, small.p50_ms) if small and primary == "large" else "     -"
        print(
            f"{endpoint:24} | {ours.p50_ms:8.2f} {ours.p99_ms:8.2f} {ours.requests_per_second:7.1f} | "
            f"{_ratio(ours.requests_per_second, select1.requests_per_second if select1 else 0):>9} "
            f"{_ratio(ours.requests_per_second, replay.requests_per_second if replay else 0):>9} | "
            f"{small.p50_ms if small else float('nan'):9.2f} {growth:>11}"
        )
    for sides in results.values():
        for m in sides.values():
            if m.errors or m.requests < args.requests:
                print(f"note: {m.server} {m.endpoint}: {m.requests} requests, {m.errors} errors")


def save(results: dict[str, dict[str, Measurement]], notes: list[str], args: argparse.Namespace) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS_DIR / f"bench-{stamp}.json"
    document = {
        "at": stamp,
        "settings": {k: getattr(args, k) for k in SETTINGS_SAVED} | {"large_database": args.large_database},
        "results": [asdict(m) for sides in results.values() for m in sides.values()],
        "notes": notes,
    }
    path.write_text(json.dumps(document, indent=2))
    return path


def rss_mb(pid: int) -> float | None:
    """Resident memory of a process (its children included: uvicorn's worker), in MB."""
    total = 0
    for p in [pid, *_children(pid)]:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return round(total / 1024, 1) if total else None


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


# --- main -------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=800, help="measured requests per endpoint, side")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--warmup", type=int, default=100, help="warm-up requests per endpoint, side")
    parser.add_argument("--rounds", type=int, default=4, help="alternating rounds the requests are split in")
    parser.add_argument("--time-limit", type=float, default=40.0, help="seconds per endpoint, side (max)")
    parser.add_argument("--small-families", type=int, default=10_000)
    parser.add_argument("--large-database", help="a database generated by `perspectief generate`")
    parser.add_argument("--only", help="endpoints whose name contains this")
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
    settings = Settings(env="dev", dev_jwt_secret=secret, jwks_url=None, log_level="WARNING")
    notes: list[str] = []

    small_url = database_url(settings, DATABASE)
    print(f"preparing {DATABASE}: {args.small_families} generated families...")
    prepare_small(small_url, args.small_families)
    urls = {"small": small_url}
    officer = {"small": MUNICIPALITY}
    if args.large_database:
        urls["large"] = database_url(settings, args.large_database)
        small_sizes = asyncio.run(families_per_municipality(small_url))
        large_sizes = asyncio.run(families_per_municipality(urls["large"]))
        officer["large"] = matched_municipality(small_sizes, large_sizes)
        notes.append(
            f"large set {args.large_database}: {sum(large_sizes.values())} families; small set: "
            f"{sum(small_sizes.values())}. Officer endpoints: {MUNICIPALITY} "
            f"({small_sizes.get(MUNICIPALITY)} families) on the small set, "
            f"{officer['large']} ({large_sizes[officer['large']]}) on the large"
        )
    primary = "large" if "large" in urls else "small"
    targets = {
        name: {t.name: t for t in asyncio.run(endpoints(url, settings, officer[name]))}
        for name, url in urls.items()
    }
    logs = Path(tempfile.mkdtemp(prefix="perspectief-bench-"))
    replay_file = logs / "replays.pickle"
    print("recording the statements of each endpoint for the baseline...")
    save_replays(urls[primary], settings, list(targets[primary].values()), replay_file)

    ports = {name: free_port() for name in [*urls, "baseline"]}
    dsn, kwargs = asyncpg_dsn(urls[primary])
    base_env = {
        **server_env(urls[primary], secret),
        "BENCH_DATABASE_DSN": dsn,
        "BENCH_DATABASE_HOST": kwargs.get("host", ""),
        "BENCH_REPLAY_FILE": str(replay_file),
    }
    with ExitStack() as stack:
        processes = {}
        for name, url in urls.items():
            log = stack.enter_context(open(logs / f"ours-{name}.log", "wb"))
            argv_ = [sys.executable, "-m", "app.cli", "serve", "--host", HOST, "--port", str(ports[name])]
            processes[name] = stack.enter_context(
                server(f"ours ({name})", argv_, server_env(url, secret), log)
            )
        base_log = stack.enter_context(open(logs / "baseline.log", "wb"))
        base_argv = [
            sys.executable, "-m", "uvicorn", "bench.baseline:app", "--host", HOST, "--port",
            str(ports["baseline"]), "--log-level", "warning", "--no-access-log",
        ]  # fmt: skip
        processes["baseline"] = stack.enter_context(server("baseline", base_argv, base_env, base_log))
        results = asyncio.run(run_load(processes, ports, targets, primary, logs, notes, args))
        for name in urls:
            notes.append(
                f"RSS of our worker on the {name} set after the run: {rss_mb(processes[name].pid)} MB"
            )

    print_table(results, args, primary)
    for note in notes:
        print(f"note: {note}")
    print(f"\nresults: {save(results, notes, args)}")


async def run_load(
    processes: dict[str, subprocess.Popen[bytes]],
    ports: dict[str, int],
    targets: dict[str, dict[str, Target]],
    primary: str,
    logs: Path,
    notes: list[str],
    args: argparse.Namespace,
) -> dict[str, dict[str, Measurement]]:
    base = f"http://{HOST}:{ports['baseline']}"
    for name, process in processes.items():
        health = f"{base}/health" if name == "baseline" else f"http://{HOST}:{ports[name]}/api/v1/health"
        await wait_ready(
            process, health, str(logs / f"{'baseline' if name == 'baseline' else 'ours-' + name}.log")
        )
    results: dict[str, dict[str, Measurement]] = {}
    for endpoint, target in targets[primary].items():
        if args.only and args.only not in endpoint:
            continue
        sides = [
            Side(name, f"http://{HOST}:{ports[name]}{sets[endpoint].ours_path}", sets[endpoint].headers)
            for name, sets in targets.items()
            if endpoint in sets
        ]
        sides += [
            Side("same SQL", f"{base}/replay/{target.key}", {}),
            Side("select 1", f"{base}/select1", {}),
        ]
        problem = await check_ok(sides)
        if problem:
            notes.append(f"skipped {endpoint}: {problem}")
            continue
        print(f"  {endpoint}: {args.rounds} rounds over {', '.join(s.name for s in sides)}...")
        results[endpoint] = {m.server: m for m in await compare(sides, endpoint, args)}
    return results


async def check_ok(sides: list[Side]) -> str | None:
    """Every side answers 200; returns which does not, or None."""
    async with httpx.AsyncClient(timeout=30.0) as client:
        for side in sides:
            response = await client.get(side.url, headers=side.headers)
            if response.status_code != 200:
                return f"{side.name} answered {response.status_code}"
    return None


if __name__ == "__main__":
    main()
