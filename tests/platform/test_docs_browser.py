"""The interactive docs render in a real browser with no network but loopback.

A real uvicorn server serves the app on 127.0.0.1; headless Chromium (the system's, driven by
Playwright) loads ``/api/v1/docs`` and ``/api/v1/redoc`` with every other host unreachable,
and must show every operation of the OpenAPI document without asking anything of another host.
"""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from playwright.async_api import BrowserContext, Page, async_playwright

from app.config import get_settings
from app.main import create_app
from tests.support.browser import OFFLINE_ARGS, chromium_path
from tests.support.live_server import live_server
from tests.support.openapi import operations

RENDER_TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def base_url() -> Any:
    # The docs need no database: the URL is never connected to.
    app = create_app(get_settings(), database_url="postgresql+asyncpg://docs@127.0.0.1:9/none")
    with live_server(app) as url:
        yield url


@pytest.fixture
async def browser(tmp_path: Path) -> AsyncIterator[BrowserContext]:
    executable = chromium_path()
    async with async_playwright() as playwright:
        context = await playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),  # an empty user data directory
            executable_path=executable,
            headless=True,
            args=OFFLINE_ARGS,
        )
        try:
            yield context
        finally:
            await context.close()


class Visit:
    """A page that records every request to another host and every script error."""

    def __init__(self, page: Page, origin: str) -> None:
        self.page = page
        self.elsewhere: list[str] = []
        self.errors: list[str] = []
        self.failed: dict[str, str | None] = {}
        host = urlparse(origin).netloc
        page.on("request", lambda r: None if self.local(r.url, host) else self.elsewhere.append(r.url))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("requestfailed", lambda r: self.failed.update({r.url: r.failure}))

    @classmethod
    async def open(cls, browser: BrowserContext, base_url: str, path: str) -> "Visit":
        """A new page on ``/api/v1/{path}``, watched from before it loads; it must load."""
        visit = cls(await browser.new_page(), base_url)
        response = await visit.page.goto(f"{base_url}/api/v1/{path}")
        assert response is not None and response.ok
        return visit

    def problems(self) -> dict[str, list[str]]:
        """Requests that left for another host or failed, and script errors; empty when clean.

        A request the page's Content-Security-Policy blocked never reached the network.
        """
        blocked = {url for url, why in self.failed.items() if why == "csp"}
        return {
            "left for another host": [url for url in self.elsewhere if url not in blocked],
            "failed": [f"{url} ({why})" for url, why in self.failed.items() if url not in blocked],
            "script errors": self.errors,
        }

    @staticmethod
    def local(url: str, host: str) -> bool:
        parsed = urlparse(url)
        return parsed.scheme in ("blob", "data") or parsed.netloc == host


async def operation_count(page: Page) -> int:
    document = await page.request.get(page.url.rsplit("/", 1)[0] + "/openapi.json")
    return sum(1 for _ in operations(await document.json()))


async def test_swagger_ui_renders_every_operation_offline(browser: BrowserContext, base_url: str) -> None:
    visit = await Visit.open(browser, base_url, "docs")
    page = visit.page

    operations = page.locator(".opblock")
    await page.locator('.opblock-summary-path[data-path="/families"]').first.wait_for(
        timeout=RENDER_TIMEOUT_MS
    )
    expected = await operation_count(page)
    assert expected > 50
    assert await operations.count() == expected
    assert "Perspectief" in await page.locator(".info .title").inner_text()
    assert visit.problems() == {"left for another host": [], "failed": [], "script errors": []}


async def test_redoc_renders_every_operation_offline(browser: BrowserContext, base_url: str) -> None:
    visit = await Visit.open(browser, base_url, "redoc")
    page = visit.page

    sections = page.locator('[data-section-id^="operation/"]')
    await sections.first.wait_for(timeout=RENDER_TIMEOUT_MS)
    expected = await operation_count(page)
    assert await sections.count() == expected
    assert visit.problems() == {"left for another host": [], "failed": [], "script errors": []}
