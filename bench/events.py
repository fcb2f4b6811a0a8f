"""``python -m bench.events``: webhook delivery throughput and lag, with 1 and with 2 dispatchers.

1. The embedded PostgreSQL is started (or reused); the database ``perspectief_bench_events`` is
   recreated and migrated; one municipality and one subscription are written.
2. A receiver (``bench/receiver.py`` under uvicorn) listens on a free port of 127.0.0.1; it checks
   every signature and notes each event's id and the moment it arrived.
3. For 1 and for 2 dispatchers (``perspectief dispatch`` processes):
   * drain: N events are committed while no dispatcher runs, then the dispatchers start; events/s
     is N over the time from their start to the last receipt;
   * live: N events are committed in transactions of 50 while the dispatchers run; events/s is
     N over the time from the first commit to the last receipt, and the lag is receipt minus
     the moment the event's transaction was sent to commit (p50, p99);
   * idle: with 1 dispatcher, events committed one by one, 20 per second: the lag when idle.
Every event must arrive exactly once. Nothing but 127.0.0.1 is contacted; every process this
starts is stopped however the run ends.
"""

import argparse
import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

import httpx
from sqlalchemy import text

from app.cli import migrate
from app.config import PROJECT_ROOT, get_settings
from app.db import create_engine, create_sessionmaker
from app.embedded_pg import ensure_database, start_embedded, to_asyncpg_url
from app.services.platform import events

HOST = "127.0.0.1"
DATABASE = "perspectief_bench_events"
SECRET = "bench-secret-0123456789"
MUNICIPALITY = "GM0363"
LIMIT_SECONDS = 300.0


@dataclass
class Result:
    scenario: str
    dispatchers: int
    events: int
    seconds: float
    lags: list[float]

    def line(self) -> str:
        rate = self.events / self.seconds if self.seconds else float("inf")
        lag = ""
        if self.lags:
            ordered = sorted(self.lags)
            p50 = ordered[len(ordered) // 2] * 1000
            p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
            lag = f"  lag p50 {p50:7.1f} ms  p99 {p99:7.1f} ms"
        return f"{self.scenario:6} {self.dispatchers} dispatcher(s) {self.events:6} events {rate:8.0f}/s{lag}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


@contextmanager
def process(args: list[str], env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen(args, env=env, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def dispatcher_env(url: str) -> dict[str, str]:
    return {
        **os.environ,
        "PERSPECTIEF_ENV": "dev",
        "PERSPECTIEF_DATABASE_URL": url,
        "PERSPECTIEF_LOG_LEVEL": "WARNING",
    }


async def prepare(url: str, callback: str) -> None:
    await ensure_database(url, recreate=True)
    await asyncio.to_thread(migrate, url)
    engine = create_engine(url, get_settings())
    async with engine.begin() as conn:
        region = uuid.uuid4()
        await conn.execute(
            text("INSERT INTO regions (id, name, created_at) VALUES (:id, 'Bench', now())"), {"id": region}
        )
        await conn.execute(
            text("INSERT INTO municipalities (code, name, region_id) VALUES (:code, 'Bench', :region)"),
            {"code": MUNICIPALITY, "region": region},
        )
        await conn.execute(
            text(
                "INSERT INTO event_subscriptions (id, municipality_code, callback_url, types, secret,"
                " created_by, created_at, consecutive_failures)"
                " VALUES (:id, :m, :url, :types, :secret, 'bench', now(), 0)"
            ),
            {"id": uuid.uuid4(), "m": MUNICIPALITY, "url": callback, "types": ["nl.perspectief.plan.agreed"],
             "secret": SECRET},
        )  # fmt: skip
    await engine.dispose()


async def commit_events(url: str, count: int, per_transaction: int, pause: float = 0.0) -> dict[str, float]:
    """Commit ``count`` events; the moment each one's transaction was sent to commit, by event id."""
    engine = create_engine(url, get_settings())
    sessionmaker = create_sessionmaker(engine)
    sent: dict[str, float] = {}
    try:
        for start in range(0, count, per_transaction):
            async with sessionmaker() as s:
                ids = []
                for _ in range(min(per_transaction, count - start)):
                    subject = uuid.uuid4()
                    row = events.emit(
                        s, "plan.agreed", subject, f"/plans/{subject}", municipality_code=MUNICIPALITY,
                        data={"status": "agreed", "version": 2},
                    )  # fmt: skip
                    ids.append(str(row.id))
                await s.flush()
                moment = time.time()
                await s.commit()
            sent.update(dict.fromkeys(ids, moment))
            if pause:
                await asyncio.sleep(pause)
    finally:
        await engine.dispose()
    return sent


async def received(client: httpx.AsyncClient, stats_url: str) -> tuple[list[list[object]], int]:
    body = (await client.get(stats_url)).json()
    return body["received"], body["badSignatures"]


async def wait_for(client: httpx.AsyncClient, stats_url: str, total: int) -> list[list[object]]:
    deadline = time.monotonic() + LIMIT_SECONDS
    while time.monotonic() < deadline:
        got, bad = await received(client, stats_url)
        if bad:
            raise SystemExit(f"{bad} deliveries carried a bad signature")
        if len(got) >= total:
            return got
        await asyncio.sleep(0.1)
    raise SystemExit(f"only {len(got)} of {total} events arrived within {LIMIT_SECONDS:.0f} s")


def check_once(got: list[list[object]], total: int) -> None:
    ids = [str(item[0]) for item in got]
    if len(set(ids)) != len(ids) or len(ids) != total:
        raise SystemExit(f"{len(ids)} receipts for {len(set(ids))} distinct events of {total}")


async def scenario(url: str, stats_url: str, name: str, dispatchers: int, count: int) -> Result:
    async with httpx.AsyncClient(timeout=30) as client:
        before = len((await received(client, stats_url))[0])
        argv = [sys.executable, "-m", "app.cli", "dispatch"]
        with ExitStack() as stack:
            if name == "drain":
                await commit_events(url, count, 200)
                started = time.time()
                for _ in range(dispatchers):
                    stack.enter_context(process(argv, dispatcher_env(url)))
                got = (await wait_for(client, stats_url, before + count))[before:]
                seconds = max(at for _, _, at in got) - started  # type: ignore[type-var]
                check_once(got, count)
                return Result(name, dispatchers, count, float(seconds), [])
            for _ in range(dispatchers):
                stack.enter_context(process(argv, dispatcher_env(url)))
            # Measured only once the dispatchers are up: a first event makes it through.
            await commit_events(url, 1, 1)
            before = len(await wait_for(client, stats_url, before + 1))
            per_transaction, pause = (50, 0.0) if name == "live" else (1, 0.05)
            first = time.time()
            sent = await commit_events(url, count, per_transaction, pause)
            got = (await wait_for(client, stats_url, before + count))[before:]
            check_once(got, count)
            lags = [float(at) - sent[str(event_id)] for event_id, _, at in got]  # type: ignore[arg-type]
            seconds = max(float(at) for _, _, at in got) - first  # type: ignore[arg-type]
            return Result(name, dispatchers, count, seconds, lags)


async def main(count: int, idle_count: int, scenarios: list[str]) -> None:
    settings = get_settings()
    url = to_asyncpg_url(start_embedded(settings.data_dir), DATABASE)
    port = free_port()
    env = {**os.environ, "BENCH_RECEIVER_SECRET": SECRET}
    receiver = [sys.executable, "-m", "uvicorn", "bench.receiver:app", "--host", HOST, "--port", str(port),
                "--log-level", "warning", "--no-access-log"]  # fmt: skip
    await prepare(url, f"http://{HOST}:{port}/hook")
    stats_url = f"http://{HOST}:{port}/stats"
    with process(receiver, env):
        await asyncio.sleep(2.0)
        for dispatchers in (1, 2):
            for name in ("drain", "live"):
                if name in scenarios:
                    print((await scenario(url, stats_url, name, dispatchers, count)).line(), flush=True)
        if "idle" in scenarios:
            print((await scenario(url, stats_url, "idle", 1, idle_count)).line(), flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--idle-events", type=int, default=200)
    parser.add_argument("--scenarios", default="drain,live,idle", help="comma-separated: drain, live, idle")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.events, arguments.idle_events, arguments.scenarios.split(",")))
