"""The reverse proxy in front: one rate limit for every worker behind it, 429 problem+json.

Real nginx (the configuration ``perspectief proxy-config`` renders, with small limits) in front
of two real app processes (nginx alternates between them, as between two workers or hosts).
The requests the limit admits are counted in each app's own access log: together they are one
bucket's worth, whichever process served them.
"""

import asyncio
import json
import os
import subprocess
from collections.abc import AsyncIterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.config import PROJECT_ROOT, Settings, get_settings
from app.proxy_config import ProxyLayout, render, retry_after_seconds
from tests.support.servers import (
    HOST,
    Running,
    app_environment,
    free_port,
    nginx_binary,
    running,
    serve_command,
)

LIMITS = {
    "rate_limit_public_per_minute": 6,
    "rate_limit_public_burst": 2,
    "rate_limit_search_per_minute": 6,
    "rate_limit_search_burst": 2,
}
CHOOSE = {"municipality": "GM0363"}
ADMITTED = 3  # a burst of 2 on top of the one request the rate allows at once


def test_the_deployed_configuration_is_the_one_the_default_settings_render() -> None:
    assert (PROJECT_ROOT / "deploy" / "nginx.conf").read_text() == render(Settings())


def test_the_deployed_configuration_is_valid_nginx(tmp_path: Path) -> None:
    binary = nginx_binary()
    config = tmp_path / "nginx.conf"
    config.write_text(_config(tmp_path, get_settings(), 8080, [8000]))
    result = subprocess.run(
        [binary, "-t", "-p", str(tmp_path), "-c", str(config)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def _config(tmp: Path, settings: Settings, port: int, upstreams: list[int]) -> str:
    tmp.chmod(0o755)
    layout = ProxyLayout(
        listen=f"{HOST}:{port}",
        upstreams=tuple(f"{HOST}:{u}" for u in upstreams),
        pid=str(tmp / "nginx.pid"),
        error_log=str(tmp / "error.log"),
        access_log=str(tmp / "access.log"),
        temp_dir=str(tmp),
        run_as="root" if os.geteuid() == 0 else None,
    )
    return render(settings, layout)


@pytest.fixture(scope="module")
async def apps(database_url: str) -> AsyncIterator[list[Running]]:
    """Two app processes: nginx alternates between them, as between two workers or two hosts."""
    env = app_environment(database_url)
    with ExitStack() as stack:
        ports = [free_port(), free_port()]
        servers = await asyncio.gather(
            *(asyncio.to_thread(stack.enter_context, running(serve_command(p), p, env)) for p in ports)
        )
        yield list(servers)
        await asyncio.to_thread(stack.close)


@pytest.fixture(scope="module")
def nginx_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("nginx")


@pytest.fixture(scope="module")
async def proxy(apps: list[Running], nginx_dir: Path) -> AsyncIterator[Running]:
    binary = nginx_binary()
    tmp = nginx_dir
    port = free_port()
    config = tmp / "nginx.conf"
    settings = get_settings().model_copy(update=LIMITS)
    config.write_text(_config(tmp, settings, port, [a.port for a in apps]))
    command = [binary, "-p", str(tmp), "-c", str(config), "-g", "daemon off;"]
    with ExitStack() as stack:
        yield await asyncio.to_thread(stack.enter_context, running(command, port, dict(os.environ)))
        await asyncio.to_thread(stack.close)


def _served(apps: list[Running], route: str) -> list[int]:
    counts = []
    for app in apps:
        lines = [json.loads(line) for line in app.output().splitlines() if line.startswith("{")]
        counts.append(
            sum(
                1
                for line in lines
                if line.get("logger") == "perspectief.access" and line.get("route") == route
            )
        )
    return counts


def assert_rate_limited(response: httpx.Response, settings_per_minute: int) -> None:
    assert response.status_code == 429
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == str(retry_after_seconds(settings_per_minute))
    body: dict[str, Any] = response.json()
    assert (body["status"], body["code"], body["title"]) == (429, "rate_limited", "Too Many Requests")


@pytest.mark.usefixtures("app")  # the table clean-up after each test needs it
async def test_the_public_marketplace_is_limited_per_address_across_both_apps(
    proxy, apps, ref, nginx_dir
) -> None:
    route = "/api/v1/public/providers"
    before = sum(_served(apps, route))
    async with httpx.AsyncClient(base_url=proxy.base_url, timeout=10) as client:
        statuses = [(await client.get(route, params=CHOOSE)).status_code for _ in range(ADMITTED + 5)]
        refused = await client.get(route, params=CHOOSE)
    assert statuses[:ADMITTED] == [200] * ADMITTED and set(statuses[ADMITTED:]) == {429}, refused.text
    assert_rate_limited(refused, LIMITS["rate_limit_public_per_minute"])
    served = _served(apps, route)
    assert sum(served) - before == ADMITTED  # one counter: not ADMITTED per process
    assert all(count > 0 for count in served)  # and both processes served some
    logs = (nginx_dir / "access.log").read_text() + (nginx_dir / "error.log").read_text()
    assert '"status":429' in logs and "GM0363" not in logs and "/api/v1" not in logs  # no URL logged


@pytest.mark.usefixtures("app")
async def test_searches_are_limited_per_token(proxy, token, ref) -> None:
    first, second = (
        {"Authorization": f"Bearer {token('municipality_officer', sub=sub)}"}
        for sub in ("officer-a", "officer-b")
    )
    search = {"municipality": "GM0363"}
    async with httpx.AsyncClient(base_url=proxy.base_url + "/api/v1", timeout=10) as client:
        statuses = [
            (await client.get("/providers", params=search, headers=first)).status_code for _ in range(6)
        ]
        assert 429 not in statuses[:ADMITTED] and set(statuses[ADMITTED:]) == {429}
        assert (await client.get("/providers", params=search, headers=second)).status_code == 200
        assert (await client.get("/providers", headers=first)).status_code == 200  # not a search


def test_proxy_config_names_the_listen_address_and_every_upstream(capsys: pytest.CaptureFixture[str]) -> None:
    from app.cli import main

    main(["proxy-config", "--listen", "8080", "--upstream", "10.0.0.5:8000", "--upstream", "10.0.0.6:8000"])
    printed = capsys.readouterr().out
    assert "listen 8080;" in printed
    assert "server 10.0.0.5:8000;" in printed and "server 10.0.0.6:8000;" in printed
