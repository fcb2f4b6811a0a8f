"""Test harness: a real PostgreSQL built by the real migrations, the real app over ASGI.

* Without ``PERSPECTIEF_TEST_DATABASE_URL`` the embedded server is used, with a database
  ``perspectief_test`` (or ``PERSPECTIEF_TEST_DATABASE_NAME``) dropped and rebuilt per run.
* With it, the schema ``public`` of that database is dropped and rebuilt per run.

Each test starts from migrated tables holding only the migrations' own data; tables are
truncated after every test, so tests may commit for real (audit, outbox, concurrency).
"""

import os

os.environ.setdefault("PERSPECTIEF_ENV", "test")
os.environ.setdefault("PERSPECTIEF_DEV_JWT_SECRET", "test-secret-0123456789abcdef0123456789")
os.environ.setdefault("PERSPECTIEF_DB_POOL_SIZE", "4")

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from app.auth import issue_dev_token
from app.cli import migrate
from app.config import get_settings
from app.embedded_pg import embedded_session, resolve_database_url
from app.models import metadata
from tests.support.apps import api_client, fresh_app
from tests.support.factories import Reference, build_reference

KEEP_TABLES = {"life_domains", "alembic_version"}


def _test_database_url() -> str:
    external = os.environ.get("PERSPECTIEF_TEST_DATABASE_URL")
    if external:
        return external.replace("postgresql://", "postgresql+asyncpg://", 1)
    name = os.environ.get("PERSPECTIEF_TEST_DATABASE_NAME", "perspectief_test")
    return resolve_database_url(None, get_settings().data_dir, name)


async def _reset_database(url: str) -> None:
    from app.embedded_pg import ensure_database

    if os.environ.get("PERSPECTIEF_TEST_DATABASE_URL"):
        engine = create_async_engine(url)
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        await engine.dispose()
    else:
        await ensure_database(url, recreate=True)


@pytest.fixture(scope="session")
def embedded_server() -> Iterator[None]:
    """The embedded PostgreSQL for this run: stopped at the end if this run started it."""
    if os.environ.get("PERSPECTIEF_TEST_DATABASE_URL"):
        yield
        return
    with embedded_session(get_settings().data_dir):
        yield


@pytest.fixture(scope="session")
async def database_url(embedded_server: None) -> str:
    url = _test_database_url()
    await _reset_database(url)
    import asyncio

    await asyncio.to_thread(migrate, url)
    return url


@pytest.fixture(scope="session")
async def app(database_url: str) -> AsyncIterator[Any]:
    async with fresh_app(database_url) as application:
        yield application


@pytest.fixture(scope="session")
def sessionmaker(app: Any) -> Any:
    return app.state.sessionmaker


@pytest.fixture(autouse=True)
async def _clean_tables(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    yield
    if "database_url" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables if t.name not in KEEP_TABLES)
    async with app.state.engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(app) as c:
        yield c


@pytest.fixture
async def session(sessionmaker: Any) -> AsyncIterator[AsyncSession]:
    """A session for arranging and inspecting data directly; commit explicitly."""
    async with sessionmaker() as s:
        yield s


@pytest.fixture
async def ref(sessionmaker: Any) -> Reference:
    """Reference data: a region, two municipalities, districts, teams, profiles, providers."""
    async with sessionmaker() as s:
        reference = await build_reference(s)
        await s.commit()
    return reference


@pytest.fixture
def token() -> Callable[..., str]:
    """``token("district_professional", team=..., municipality="GM0363")`` → a dev JWT."""

    def make(role: str, *, municipality: str = "GM0363", sub: str | None = None, **claims: Any) -> str:
        return issue_dev_token(
            get_settings(),
            sub=sub or f"test-{role}",
            roles=[role],
            municipality=municipality,
            **claims,
        )

    return make


@pytest.fixture
def auth(token: Callable[..., str]) -> Callable[..., dict[str, str]]:
    """``auth("gp", agb="01234567")`` → an Authorization header."""

    def make(role: str, **kwargs: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {token(role, **kwargs)}"}

    return make


class StatementCounter:
    def __init__(self) -> None:
        self.count = 0
        self.statements: list[str] = []


@pytest.fixture
def count_statements(app: Any) -> Callable[[], Any]:
    """``with count_statements() as counter: ...`` counts the SQL statements the app runs."""
    from contextlib import contextmanager

    @contextmanager
    def counting() -> Iterator[StatementCounter]:
        counter = StatementCounter()

        def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            counter.count += 1
            counter.statements.append(statement)

        engine = app.state.engine.sync_engine
        event.listen(engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", before)

    return counting
