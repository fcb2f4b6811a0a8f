"""Real server processes for tests that need the network path: the app under uvicorn, nginx.

Everything listens on 127.0.0.1 on a free port; every process is stopped (by its own pid)
however the test ends, and its output is kept for the test to read.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from app.config import PROJECT_ROOT

HOST = "127.0.0.1"
START_TIMEOUT_SECONDS = 60.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@dataclass
class Running:
    port: int
    process: subprocess.Popen[bytes]
    output_path: Path
    final_output: str | None = None  # kept when the process has stopped

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def output(self) -> str:
        if self.final_output is not None:
            return self.final_output
        return self.output_path.read_text(errors="replace")


def app_environment(database_url: str, **settings: object) -> dict[str, str]:
    """The environment of an app process: the test database and ``PERSPECTIEF_<NAME>`` settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PERSPECTIEF_")}
    env.update(
        PERSPECTIEF_ENV="test",
        PERSPECTIEF_DEV_JWT_SECRET=os.environ["PERSPECTIEF_DEV_JWT_SECRET"],
        PERSPECTIEF_DATABASE_URL=database_url,
        PERSPECTIEF_DB_POOL_SIZE="2",
        PYTHONUNBUFFERED="1",
    )
    env.update({f"PERSPECTIEF_{k.upper()}": str(v) for k, v in settings.items()})
    return env


def wait_until_answering(url: str, process: subprocess.Popen[bytes], output: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited: {output.read_text(errors='replace')[-2000:]}")
        try:
            httpx.get(url, timeout=1.0)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError(f"the server did not answer at {url}")


@contextmanager
def running(
    command: list[str], port: int, env: dict[str, str], probe: str = "/api/v1/health"
) -> Iterator[Running]:
    """Run ``command`` (which listens on ``port``) until the block ends; SIGTERM, then SIGKILL."""
    with tempfile.TemporaryDirectory() as tmp:
        output = Path(tmp) / "output.log"
        with output.open("wb") as sink:
            process = subprocess.Popen(
                command,
                cwd=PROJECT_ROOT,
                env=env,
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            server = Running(port, process, output)
            try:
                wait_until_answering(f"http://{HOST}:{port}{probe}", process, output)
                yield server
            finally:
                _stop(process)
                server.final_output = output.read_text(errors="replace")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def uvicorn_command(target: str, port: int, *extra: str) -> list[str]:
    return [sys.executable, "-m", "uvicorn", "--factory", target, "--host", HOST, "--port", str(port), *extra]


def serve_command(port: int, workers: int = 1) -> list[str]:
    return [
        sys.executable,
        "-m",
        "app.cli",
        "serve",
        "--host",
        HOST,
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]


def nginx_binary() -> str:
    """nginx, or a skip outside CI (CI installs it: the Makefile's test target needs it)."""
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).exists()), None
    )
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("nginx is not installed (make test-tools installs it)")
        pytest.skip("nginx is not installed")
    return found
