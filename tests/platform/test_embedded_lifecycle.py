"""The embedded PostgreSQL lives exactly as long as the command that started it.

Building the app starts no database; ``perspectief serve`` stops on Ctrl-C or SIGTERM the
server it started and leaves one it found running; ``perspectief db`` starts and stops it.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.config import Settings
from app.embedded_pg import running_pid, stop_embedded
from app.main import create_app

STARTUP_SECONDS = 120


def test_building_the_app_starts_no_database(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    app = create_app(Settings(database_url=None, data_dir=data_dir))
    assert "/families" in app.openapi()["paths"]
    assert not hasattr(app.state, "engine")
    assert not data_dir.exists()


async def test_an_app_without_a_url_starts_the_embedded_server_only_while_it_serves(data_dir: Path) -> None:
    app = create_app(Settings(database_url=None, data_dir=data_dir))
    assert running_pid(data_dir) is None
    async with app.router.lifespan_context(app):
        assert running_pid(data_dir) is not None
    assert running_pid(data_dir) is None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def perspectief(data_dir: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PERSPECTIEF_DATA_DIR": str(data_dir), "PERSPECTIEF_LOG_LEVEL": "WARNING"}
    env.pop("PERSPECTIEF_DATABASE_URL", None)
    return subprocess.Popen(
        [sys.executable, "-m", "app.cli", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def db(data_dir: Path, action: str) -> str:
    process = perspectief(data_dir, "db", action)
    out, _ = process.communicate(timeout=STARTUP_SECONDS)
    assert process.returncode == 0, out
    return out


def serve_until_healthy(data_dir: Path) -> subprocess.Popen[str]:
    port = free_port()
    process = perspectief(data_dir, "serve", "--port", str(port))
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[0]
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=2).status_code == 200:
                return process
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    process.kill()
    pytest.fail("perspectief serve did not become ready")


def stop(process: subprocess.Popen[str], signum: int) -> None:
    process.send_signal(signum)
    out, _ = process.communicate(timeout=60)
    assert "Traceback" not in out, out


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    """A data directory of its own; whatever the test leaves running there is stopped."""
    path = tmp_path / "data"
    yield path
    stop_embedded(path)


def test_serve_stops_the_server_it_started_and_leaves_one_it_found(data_dir: Path) -> None:

    process = serve_until_healthy(data_dir)
    assert running_pid(data_dir) is not None
    stop(process, signal.SIGINT)  # Ctrl-C
    assert running_pid(data_dir) is None

    process = serve_until_healthy(data_dir)
    stop(process, signal.SIGTERM)  # what an orchestrator or `kill` sends
    assert running_pid(data_dir) is None

    assert "started" in db(data_dir, "start")
    pid = running_pid(data_dir)
    process = serve_until_healthy(data_dir)
    stop(process, signal.SIGINT)
    assert running_pid(data_dir) == pid, "a server started by hand is left running"
    assert f"running (pid {pid}" in db(data_dir, "status")
    assert f"stopped (pid {pid})" in db(data_dir, "stop")
    assert running_pid(data_dir) is None
    assert "not running" in db(data_dir, "status")
