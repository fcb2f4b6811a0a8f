"""Alembic environment: async engine, the models' metadata (with its naming convention)."""

import asyncio

from sqlalchemy import pool, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from alembic import context
from app.models import metadata
from app.models.core import include_in_schema_comparison

config = context.config


def _url() -> str:
    url = config.attributes.get("database_url")
    if url:
        return url
    from app.cli import database_url

    return database_url()


# Replicas that start together each run the migrations: the first takes this lock, the others
# wait for it and then find nothing left to do. (A transaction-level lock: released at commit.)
MIGRATION_LOCK_KEY = 0x70657273  # "pers"


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        compare_type=True,
        compare_server_default=True,
        include_name=include_in_schema_comparison,
    )
    with context.begin_transaction():
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        context.run_migrations()


async def _run_async() -> None:
    engine = create_async_engine(_url(), poolclass=pool.NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(_configure)
    await engine.dispose()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
    else:
        asyncio.run(_run_async())


if context.is_offline_mode():
    context.configure(url=_url(), target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
