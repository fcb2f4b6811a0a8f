"""``perspectief dispatch`` as a real process: killed mid-delivery its claim expires and another
dispatcher delivers; on SIGTERM it finishes the delivery in hand and leaves nothing claimed."""

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from app.config import PROJECT_ROOT
from tests.integration.conftest import (
    Bus,
    claimed_count,
    deliveries,
    run_until,
)

START_LIMIT_SECONDS = 30.0


@contextmanager
def dispatch_process(database_url: str, **settings: str) -> Iterator[subprocess.Popen[bytes]]:
    env = {
        **os.environ,
        "PERSPECTIEF_ENV": "test",
        "PERSPECTIEF_DATABASE_URL": database_url,
        "PERSPECTIEF_LOG_LEVEL": "WARNING",
        **{f"PERSPECTIEF_{k.upper()}": v for k, v in settings.items()},
    }
    process = subprocess.Popen([sys.executable, "-m", "app.cli", "dispatch"], env=env, cwd=PROJECT_ROOT)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)


async def wait_for(condition: Callable[[], bool], limit: float = START_LIMIT_SECONDS) -> None:
    for _ in range(int(limit / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not reached")


async def test_a_killed_dispatchers_claim_expires_and_another_delivers(bus: Bus) -> None:
    # The first request hangs long enough to kill the process while it waits for the answer.
    async with bus.subscribed(answer=lambda n: (200, 1.5) if n == 0 else (200, 0.0)) as (receiver, _):
        [event_id] = await bus.commit(1, per_subject=1)
        with dispatch_process(
            bus.database_url, dispatch_timeout_seconds="2", dispatch_lease_seconds="6"
        ) as process:
            await wait_for(lambda: receiver.requests >= 1)
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)

        other = bus.dispatcher()
        [held] = await deliveries(other.engine)
        assert held.status == "pending" and held.attempts == 1 and held.claim_token is not None
        assert await other.deliver_batch() == 0  # the lease still holds: nobody else sends it

        async def delivered() -> bool:
            return [d.status for d in await deliveries(other.engine)] == ["delivered"]

        await run_until([other], delivered)  # once the 6 s lease has expired
    [row] = await deliveries(other.engine)
    assert row.status == "delivered" and row.attempts == 2 and row.claim_token is None
    assert {r.header_event_id for r in receiver.accepted()} == {event_id}


async def test_sigterm_finishes_the_delivery_in_hand_and_leaves_nothing_claimed(bus: Bus) -> None:
    async with bus.subscribed(answer=lambda n: (200, 1.0)) as (receiver, _):
        await bus.commit(1, per_subject=2)
        with dispatch_process(
            bus.database_url, dispatch_timeout_seconds="5", dispatch_lease_seconds="10"
        ) as process:
            await wait_for(lambda: receiver.requests >= 1)
            process.send_signal(signal.SIGTERM)
            assert await asyncio.to_thread(process.wait, 30) == 0
    engine = bus.engines()
    rows = await deliveries(engine)
    assert [d.status for d in rows] == ["delivered", "pending"]  # the one in hand, then it stopped
    assert await claimed_count(engine) == 0
    assert rows[1].attempts == 0
