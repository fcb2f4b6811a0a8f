"""Logging is the same whichever way the app is started, and no URL query string is logged.

Each entry point is started as a real process; search terms and names are sent in query
strings (and paths); its whole output must hold JSON lines from our access log and none of them.
"""

import asyncio
import json
from typing import Any

import httpx
import pytest

from tests.support.servers import app_environment, free_port, running, serve_command, uvicorn_command

SECRET = "Visserzoon"
TEAM = "6f1c1b7e-8d2a-4a51-9a44-000000000001"

ENTRY_POINTS = {
    "uvicorn create_app": lambda port: uvicorn_command("app.main:create_app", port),
    "uvicorn create_app, uvicorn's own access log on": lambda port: uvicorn_command(
        "app.main:create_app", port, "--access-log", "--log-level", "debug"
    ),
    "uvicorn app_factory": lambda port: uvicorn_command("app.main:app_factory", port),
    "perspectief serve": lambda port: serve_command(port),
}


@pytest.mark.usefixtures("app")  # the table clean-up after each test needs it
@pytest.mark.parametrize("command", ENTRY_POINTS.values(), ids=ENTRY_POINTS.keys())
async def test_no_query_string_reaches_the_log(database_url, token, command) -> None:
    bearer = token("district_professional", team=TEAM)
    output = await asyncio.to_thread(_exercise, command, database_url, bearer)
    assert SECRET not in output
    assert "?q=" not in output and "q=" not in output
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    access = [line for line in lines if line.get("logger") == "perspectief.access"]
    assert len(access) >= 4, output[-2000:]
    assert {line["route"] for line in access} >= {"/api/v1/families", "/api/v1/health"}


def _exercise(command: Any, database_url: str, bearer: str) -> str:
    """Start the entry point, send names in query strings and paths, stop it: its whole output."""
    port = free_port()
    with (
        running(command(port), port, app_environment(database_url)) as server,
        httpx.Client(base_url=server.base_url + "/api/v1", timeout=10) as client,
    ):
        client.get("/families", params={"q": SECRET}, headers={"Authorization": f"Bearer {bearer}"})
        client.get("/public/providers", params={"q": SECRET, "name": SECRET})
        client.get(f"/health?{SECRET}=1")
        client.get(f"/no-such-path/{SECRET}", params={"q": SECRET})
    return server.output()
