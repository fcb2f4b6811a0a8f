"""Shared pieces of the integration-bus tests: fast delivery settings, events, dispatchers."""

import asyncio
import inspect
import uuid
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.config import Settings
from app.db import create_engine
from app.models.integration import EventDelivery
from app.services.integration.dispatcher import Dispatcher, asyncpg_dsn
from app.services.platform import events
from tests.support.factories import Reference
from tests.support.receiver import Receiver

SECRET = "a-shared-secret-of-the-receiver"
POLL_SECONDS = 0.02
# Short backoff so that retries take fractions of a second. The timeout stays generous: on a
# loaded machine a short one would time out answers that did arrive, and the retry would reach
# the receiver twice (at least once is the promise; tests that count receipts want no retries).
FAST = {
    "env": "test",
    "dispatch_timeout_seconds": 5.0,
    "dispatch_lease_seconds": 10.0,
    "dispatch_backoff_base_seconds": 0.05,
    "dispatch_backoff_max_seconds": 0.2,
    "dispatch_retry_window_seconds": 60.0,
    "dispatch_idle_wake_seconds": 0.5,
    "dispatch_batch_size": 50,
}


def fast_settings(**overrides: Any) -> Settings:
    return Settings(**{**FAST, **overrides})


@pytest.fixture
def integration(auth: Callable[..., dict[str, str]], ref: Reference) -> dict[str, str]:
    return auth("integration", municipality="GM0363")


async def subscribe(
    client: httpx.AsyncClient, headers: dict[str, str], url: str, types: Iterable[str] = ("plan.agreed",)
) -> dict[str, Any]:
    response = await client.post(
        "/subscriptions",
        headers=headers,
        json={"callbackUrl": url, "types": [f"nl.perspectief.{t}" for t in types], "secret": SECRET},
    )
    assert response.status_code == 201, response.text
    return response.json()


async def commit_events(
    sessionmaker: Any, subjects: list[uuid.UUID], per_subject: int, *, event: str = "plan.agreed",
    municipality: str = "GM0363",
) -> list[str]:  # fmt: skip
    """``per_subject`` events for each subject, interleaved, one transaction per round; their ids."""
    ids = []
    for round_ in range(per_subject):
        async with sessionmaker() as s:
            for subject in subjects:
                row = events.emit(
                    s, event, subject, f"/plans/{subject}", municipality_code=municipality,
                    data={"status": "agreed", "version": round_ + 1},
                )  # fmt: skip
                ids.append(str(row.id))
            await s.commit()
    return ids


@pytest.fixture
async def engines(database_url: str) -> AsyncIterator[Callable[[], AsyncEngine]]:
    """Each dispatcher gets its own engine, as a separate process would have."""
    made: list[AsyncEngine] = []

    def make() -> AsyncEngine:
        engine = create_engine(database_url, fast_settings())
        made.append(engine)
        return engine

    yield make
    for engine in made:
        await engine.dispose()


def dispatcher(engines: Callable[[], AsyncEngine], url: str, **overrides: Any) -> Dispatcher:
    """A dispatcher on its own engine of the test database ``url``, with fast settings."""
    return Dispatcher(engines(), fast_settings(**overrides), listen_dsn=asyncpg_dsn(url))


async def run_until(dispatchers: list[Dispatcher], done: Callable[[], Any], limit: float = 30.0) -> None:
    """Run the dispatchers until ``done()`` (sync or async) holds, at most ``limit`` seconds; then
    stop them gracefully."""
    stop = asyncio.Event()
    tasks = [asyncio.create_task(d.run(stop)) for d in dispatchers]
    try:
        for _ in range(int(limit / POLL_SECONDS)):
            result = done()
            if inspect.isawaitable(result):
                result = await result
            if result:
                break
            await asyncio.sleep(POLL_SECONDS)
    finally:
        stop.set()
        await asyncio.gather(*tasks)


async def deliveries(engine: AsyncEngine) -> list[EventDelivery]:
    async with AsyncSession(engine) as s:
        return list((await s.scalars(select(EventDelivery).order_by(EventDelivery.event_sequence))).all())


async def claimed_count(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return (
            await conn.execute(text("SELECT count(*) FROM event_deliveries WHERE claim_token IS NOT NULL"))
        ).scalar_one()


@dataclass
class Bus:
    """The integration role's end of webhook delivery: a receiver subscribed, events committed,
    dispatchers on engines of their own."""

    client: httpx.AsyncClient
    integration: dict[str, str]
    sessionmaker: Any
    database_url: str
    engines: Callable[[], AsyncEngine]

    @asynccontextmanager
    async def subscribed(
        self, *, https: bool = False, **receiver: Any
    ) -> AsyncIterator[tuple[Receiver, dict[str, Any]]]:
        """A receiver started (``receiver`` as for ``Receiver``) and subscribed to plan.agreed,
        under an https callback URL if asked; stopped when the block ends, whatever happens."""
        started = Receiver(SECRET, **receiver).start()
        try:
            url = started.url.replace("http://", "https://") if https else started.url
            yield started, await subscribe(self.client, self.integration, url)
        finally:
            started.stop()

    async def commit(self, subjects: int, per_subject: int) -> list[str]:
        """``per_subject`` plan.agreed events for each of ``subjects`` new subjects; their ids."""
        return await commit_events(self.sessionmaker, [uuid.uuid4() for _ in range(subjects)], per_subject)

    def dispatcher(self, **overrides: Any) -> Dispatcher:
        return dispatcher(self.engines, self.database_url, **overrides)


@pytest.fixture
def bus(
    client: httpx.AsyncClient,
    integration: dict[str, str],
    sessionmaker: Any,
    database_url: str,
    engines: Callable[[], AsyncEngine],
) -> Bus:
    return Bus(client, integration, sessionmaker, database_url, engines)
