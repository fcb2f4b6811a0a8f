"""Migrations take an advisory lock: replicas that start together do not race.

Two real ``perspectief migrate`` processes start on a fresh database while the lock is held
elsewhere; both wait for it, and once it is released one migrates and the other finds nothing
left to do. Both succeed.
"""

import asyncio
import os
import sys
import time
import uuid
from asyncio.subprocess import PIPE, STDOUT
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url

from app.config import PROJECT_ROOT
from app.embedded_pg import asyncpg_dsn, ensure_database

LOCK_KEY = 0x70657273  # alembic/env.py MIGRATION_LOCK_KEY
WAIT_SECONDS = 120


@pytest.fixture
async def fresh_url(database_url: str, app: Any) -> AsyncIterator[str]:
    """A database of its own, dropped afterwards (``app``: the suite's cleanup expects it)."""
    name = f"perspectief_lock_{uuid.uuid4().hex[:8]}"
    url = make_url(database_url).set(database=name).render_as_string(hide_password=False)
    await ensure_database(url)
    yield url
    dsn, kwargs = asyncpg_dsn(database_url)
    conn = await asyncpg.connect(dsn, **kwargs)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def head_revision() -> str:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    return str(ScriptDirectory.from_config(config).get_current_head())


async def waiting_for_lock(conn: asyncpg.Connection) -> int:
    return int(
        await conn.fetchval(
            "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database "
            "WHERE l.locktype = 'advisory' AND NOT l.granted AND d.datname = current_database()"
        )
    )


async def test_replicas_migrating_together_wait_for_the_lock_and_both_succeed(fresh_url: str) -> None:
    dsn, kwargs = asyncpg_dsn(fresh_url)
    holder = await asyncpg.connect(dsn, **kwargs)
    try:
        await holder.execute("SELECT pg_advisory_lock($1)", LOCK_KEY)
        env = {**os.environ, "PERSPECTIEF_DATABASE_URL": fresh_url}
        replicas = [
            await asyncio.create_subprocess_exec(
                sys.executable, "-m", "app.cli", "migrate", env=env, stdout=PIPE, stderr=STDOUT
            )
            for _ in range(2)
        ]
        deadline = time.monotonic() + WAIT_SECONDS
        while await waiting_for_lock(holder) < 2:
            assert all(r.returncode is None for r in replicas), "a migration ended without waiting"
            assert time.monotonic() < deadline, "the migrations did not wait for the lock"
            await asyncio.sleep(0.1)
        tables = await holder.fetchval("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        assert tables == 0, "nothing is migrated while the lock is held"

        await holder.execute("SELECT pg_advisory_unlock($1)", LOCK_KEY)
        for replica in replicas:
            out, _ = await asyncio.wait_for(replica.communicate(), WAIT_SECONDS)
            assert replica.returncode == 0, out.decode()
        assert await holder.fetchval("SELECT version_num FROM alembic_version") == head_revision()
    finally:
        await holder.close()
