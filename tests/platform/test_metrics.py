"""/metrics: every worker's figures in one scrape, labelled with the API's path templates, with
the database pool, the outbox backlog and counts per state."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support.families import create_family, create_plan, family_body, pro


def sample(text: str, name: str, **labels: str) -> float | None:
    """The value of one sample in a text exposition (``None`` when absent)."""
    wanted = ",".join(f'{k}="{v}"' for k, v in labels.items())
    key = f"{name}{{{wanted}}}" if wanted else name
    pattern = rf"^{re.escape(key)} (\S+)$"
    match = re.search(pattern, text, re.M)
    return float(match.group(1)) if match else None


async def test_routes_are_the_api_path_templates(client, auth, ref) -> None:
    team = pro(auth, ref)
    family = await create_family(client, team, family_body(ref))
    plan = await create_plan(client, team, family["id"])
    await client.get(f"/plans/{plan['id']}", headers=team)
    text = (await client.get("/metrics")).text
    requests = "perspectief_http_requests_total"
    assert sample(text, requests, method="GET", route="/plans/{planId}", status="200")
    assert "{plan_id}" not in text and plan["id"] not in text and "/api/v1/" not in text


async def test_pool_outbox_and_state_figures(client, auth, ref) -> None:
    team = pro(auth, ref)
    family = await create_family(client, team, family_body(ref))
    await create_plan(client, team, family["id"])  # writes outbox events
    text = (await client.get("/metrics")).text
    assert sample(text, "perspectief_db_connections", pool="primary", state="open") >= 1
    # the scrape's own connection is in use while the figures are read
    assert sample(text, "perspectief_db_connections", pool="primary", state="in_use") >= 0
    assert sample(text, "perspectief_outbox_events") >= 1
    assert sample(text, "perspectief_outbox_oldest_age_seconds") >= 0
    assert sample(text, "perspectief_plans", status="draft") == 1


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def two_workers(database_url: str, tmp_path: Path):
    """``perspectief serve --workers 2`` on a free local port, with its multiprocess directory."""
    port = free_port()
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    env = {
        **os.environ,
        "PERSPECTIEF_DATABASE_URL": database_url,
        "PERSPECTIEF_LOG_LEVEL": "WARNING",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
    }
    command = [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    server = subprocess.Popen(
        [*command, "--workers", "2"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            pytest.fail("the server did not start")
        yield base, metrics_dir
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)


def test_one_scrape_sees_every_worker(two_workers) -> None:
    base, metrics_dir = two_workers
    sent = 1  # the readiness probe
    # a new connection per request: the workers take turns accepting them
    while len(list(metrics_dir.glob("counter_*.db"))) < 2 and sent < 400:
        assert httpx.get(f"{base}/health", headers={"Connection": "close"}).status_code == 200
        sent += 1
    assert len(list(metrics_dir.glob("counter_*.db"))) == 2, "one worker served every request"
    for _ in range(20):
        httpx.get(f"{base}/health", headers={"Connection": "close"})
        sent += 1

    text = httpx.get(f"{base}/metrics").text
    requests = "perspectief_http_requests_total"
    assert sample(text, requests, method="GET", route="/health", status="200") == sent
    assert sample(text, "perspectief_db_connections", pool="primary", state="open") is not None
    assert sample(text, "perspectief_outbox_events") is not None
