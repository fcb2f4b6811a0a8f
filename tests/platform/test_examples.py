"""The README's flows are scripts under examples/, and they run against a live server, twice.

A real uvicorn server on 127.0.0.1 serves the app on the test database with the demo region's
reference data; each script runs as a user would run it (bash, curl, jq, dev tokens from
``perspectief token``) and must succeed both times: it makes what it needs itself.
"""

import asyncio
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.config import PROJECT_ROOT, get_settings
from app.demo import reference
from app.main import create_app
from tests.support.live_server import live_server

EXAMPLES = PROJECT_ROOT / "examples"
SCRIPTS = ["family-plan.sh", "provider-flow.sh", "steering.sh"]


@pytest.fixture
async def api(database_url: str, sessionmaker: Any) -> Iterator[str]:
    async with sessionmaker() as session:
        await reference.seed(session)
        await session.commit()
    app = create_app(get_settings(), database_url=database_url)
    with live_server(app) as base:
        yield f"{base}/api/v1"


def run_example(script: str, api: str) -> subprocess.CompletedProcess[str]:
    for tool in ("bash", "curl", "jq"):
        if shutil.which(tool) is None:
            message = f"{tool} is needed to run the examples (make test-tools installs it)"
            pytest.fail(message) if os.environ.get("CI") else pytest.skip(message)
    env = {**os.environ, "API": api, "PATH": example_path()}
    return subprocess.run(
        ["bash", str(EXAMPLES / script)], env=env, capture_output=True, text=True, timeout=300, check=False
    )


def example_path() -> str:
    """PATH as a user has it: without the project's .venv/bin, which the scripts find themselves.

    (When this Python is not the project's .venv, its bin directory leads instead.)
    """
    venv_bin = PROJECT_ROOT / ".venv" / "bin"
    parts = [p for p in os.environ.get("PATH", "").split(os.pathsep) if p and Path(p) != venv_bin]
    if not (venv_bin / "perspectief").exists():
        parts.insert(0, str(Path(sys.executable).parent))
    return os.pathsep.join(parts)


@pytest.mark.parametrize("script", SCRIPTS)
async def test_example_runs_again_and_again(api: str, script: str) -> None:
    for attempt in (1, 2):
        result = await asyncio.to_thread(run_example, script, api)
        assert result.returncode == 0, f"run {attempt}:\n{result.stdout}\n{result.stderr}"
        assert "failed:" not in result.stderr


def test_examples_are_strict_bash() -> None:
    for script in SCRIPTS:
        text = (EXAMPLES / script).read_text()
        assert text.startswith("#!/usr/bin/env bash\n")
        assert "set -euo pipefail" in text
        assert os.access(EXAMPLES / script, os.X_OK), script
    assert "curl -sS --fail-with-body" in (EXAMPLES / "lib.sh").read_text()
