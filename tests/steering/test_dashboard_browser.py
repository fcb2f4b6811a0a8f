"""The dashboard in a real browser: headless Chromium against a real uvicorn on 127.0.0.1 serving
the test database with the demo data loaded.

Every chart and table must show exactly the figures the JSON API returns (withheld ones as
withheld, never as zero), the demo's P06 spike in Zuidoost must be in the trend chart, no request
may leave the service's origin, and no personal data may appear on any page: names and BSNs are
planted in the demo's families and referrals and every page is scanned for them. Screenshots go to
``docs/screenshots/``. Without Chromium the test is skipped, except in CI (``CI`` set), where it
fails.
"""

import re
from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from app.config import PROJECT_ROOT, get_settings
from app.demo import demo_tokens, load_demo
from app.demo.ids import DEMO_TEAM
from app.main import create_app
from tests.support.browser import OFFLINE_ARGS, chromium_path
from tests.support.live_server import live_server as serving

SHOTS = PROJECT_ROOT / "docs" / "screenshots"
PLANTED_NAMES = ["Zwaluwstaartje", "Kwikstaartvanger", "Plantinadochter"]
PLANTED_BSNS = ["999993653", "999994050", "999991577"]
INDICATORS = [
    "referralsPer1000Youth",
    "referrals",
    "waitingDaysMedian",
    "waitingDaysP90",
    "engagementsClosed",
    "dropoutRate",
    "prematureRate",
    "goalAttainmentShare",
    "meanGasT",
    "meanExperienceParents",
    "meanExperienceYouth",
    "selfRelianceChange",
    "noNewStartShare",
    "noRelapseShare",
    "costPerClosedTrajectoryCents",
    "budgetUse",
]


async def _plant_personal_data(database_url: str, session: Any) -> None:
    """Distinctive names and valid BSNs on demo families and referrals the figures are made of."""
    await session.execute(
        text(
            "UPDATE family_members SET given_name = :g, family_name = :f, bsn = :b "
            "WHERE id IN (SELECT id FROM family_members WHERE bsn IS NULL ORDER BY id LIMIT 40)"
        ),
        {"g": PLANTED_NAMES[0], "f": PLANTED_NAMES[1], "b": None},
    )
    for bsn, name in zip(PLANTED_BSNS, PLANTED_NAMES, strict=True):
        await session.execute(
            text(
                "UPDATE referrals SET child_bsn = :b, reason = :r WHERE id IN "
                "(SELECT id FROM referrals WHERE child_bsn IS NULL ORDER BY id LIMIT 5 OFFSET :o)"
            ),
            {"b": bsn, "r": f"Hulpvraag {name}", "o": PLANTED_BSNS.index(bsn) * 5},
        )
    await session.execute(text("UPDATE plans SET family_vision = :v"), {"v": f"Visie {PLANTED_NAMES[2]}"})
    await session.commit()


@pytest.fixture
async def live_server(database_url: str, session: Any) -> AsyncIterator[str]:
    assert await load_demo(database_url)
    await _plant_personal_data(database_url, session)
    with serving(create_app(get_settings(), database_url=database_url)) as base:
        yield base


def _shown(cell: dict | None) -> str:
    if not cell or cell["suppressed"] or cell["value"] is None:
        return "suppressed"
    return _number(cell["value"])


def _number(value: Any) -> str:
    return str(float(value))


async def _marks(page: Any, selector: str, attribute: str = "data-key") -> dict[str, str]:
    """``{data-key: data-value}`` of the marks matching ``selector``, numbers normalised."""
    pairs = await page.eval_on_selector_all(
        selector, f"els => els.map(e => [e.getAttribute('{attribute}'), e.getAttribute('data-value')])"
    )
    return {k: v if v in ("suppressed", "none") else _number(v) for k, v in pairs}


async def _scan(page: Any, where: str) -> None:
    html = await page.content()
    visible = await page.inner_text("body")
    for secret in PLANTED_NAMES + PLANTED_BSNS:
        assert secret not in html, (where, secret)
    for candidate in re.findall(r"(?<!\d)\d{9}(?!\d)", visible):
        digits = [int(c) for c in candidate]
        eleven = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=False)) - digits[-1]
        assert eleven % 11, (where, "a BSN-like number on the page", candidate)


async def test_dashboard_shows_the_api_figures_in_a_real_browser(live_server):
    executable = chromium_path()
    from playwright.async_api import async_playwright

    tokens = demo_tokens(get_settings())
    officer = tokens["municipality_officer"]
    headers = {"Authorization": f"Bearer {officer}"}
    async with httpx.AsyncClient(base_url=f"{live_server}/api/v1", headers=headers, timeout=60) as api:
        districts = (await api.get("/insights/districts")).json()
        teams = (await api.get("/insights/teams")).json()
        # the page asks for the trends up to the last complete month
        last_month = date.today().replace(day=1) - timedelta(days=1)
        trends = (await api.get("/insights/trends", params={"asOf": last_month.isoformat()})).json()
        budget = (await api.get("/budget-status")).json()
        # the period the page asks for by default: January of this year to this month
        assert districts["fromDate"].endswith("-01-01")
    assert ("WK036303", "P06") in {(a["districtCode"], a["profileCode"]) for a in trends["items"]}
    SHOTS.mkdir(parents=True, exist_ok=True)
    requests: list[str] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=executable, args=OFFLINE_ARGS)
        page = await browser.new_page(viewport={"width": 1366, "height": 900})
        page.on("request", lambda r: requests.append(r.url))
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        # a Content-Security-Policy violation is a console error; a team's 403s are expected
        page.on(
            "console",
            lambda m: errors.append(m.text) if m.type == "error" and "status of 403" not in m.text else None,
        )

        # no token yet: the page asks for one and shows no figures
        await page.goto(f"{live_server}/dashboard")
        assert await page.is_visible("#login") and not await page.is_visible("#main")
        await page.fill("#token", officer)
        await page.click("#login-form button[type=submit]")
        await page.wait_for_selector("body[data-loaded=true]")
        assert await page.evaluate("sessionStorage.getItem('perspectief.token')") == officer

        # districts side by side, for every indicator, chart and table
        table = await _marks(page, "#district-table td", "data-metric")
        assert table  # every cell is checked below
        for metric in INDICATORS:
            await page.evaluate("document.body.dataset.loaded = 'false'")
            await page.select_option("#indicator", metric)
            await page.wait_for_selector("body[data-loaded=true]")
            chart = await _marks(page, "#district-chart g.bar-row")
            assert chart == {i["key"]: _shown(i.get(metric)) for i in districts["items"]}, metric
            cells = await page.eval_on_selector_all(
                f"#district-table td[data-metric={metric}]",
                "els => els.map(e => [e.dataset.key, e.dataset.value, e.textContent])",
            )
            for key, value, shown in cells:
                item = next(i for i in districts["items"] if i["key"] == key)
                expected = _shown(item.get(metric))
                assert (value if value == "suppressed" else _number(value)) == expected, (metric, key)
                assert (shown == "withheld") == (expected == "suppressed")
        await page.select_option("#indicator", "referralsPer1000Youth")
        await page.wait_for_selector("body[data-loaded=true]")

        # each team against the municipality's mean
        team_chart = await _marks(page, "#team-chart g.bar-row")
        assert team_chart == {i["key"]: _shown(i["referralsPer1000Youth"]) for i in teams["items"]}
        mean = await page.get_attribute("#team-chart line.reference", "data-value")
        assert _number(mean) == _shown(teams["municipality"]["referralsPer1000Youth"])

        # trend alerts per month, with the expected line
        for alert in trends["items"]:
            key = f"{alert['districtCode']}:{alert['profileCode']}"
            months = await _marks(page, f"figure.trend[data-key='{key}'] g.month", "data-month")
            assert months == {m["month"]: _shown(m["observed"]) for m in alert["months"]}
            line = await page.get_attribute(f"figure.trend[data-key='{key}'] line.reference", "data-value")
            assert _number(line) == _number(alert["months"][0]["expected"])
        spike = page.locator("figure.trend[data-key='WK036303:P06']")
        recent = await _marks(page, "figure.trend[data-key='WK036303:P06'] g.month.recent", "data-month")
        assert any(v != "suppressed" and float(v) >= 5 for v in recent.values())

        # budget status per district, all categories together
        sums: dict[str, dict[str, float]] = {}
        for row in budget["items"]:
            if row["districtCode"]:
                s = sums.setdefault(row["districtCode"], {"committed": 0, "spent": 0, "forecast": 0})
                for name in ("committed", "spent", "forecast"):
                    s[name] += row[f"{name}Cents"]
        for code, values in sums.items():
            for name, cents in values.items():
                shown = await page.get_attribute(
                    f"#budget-chart g.group[data-key='{code}'] g[data-series={name}]", "data-value"
                )
                assert _number(shown) == _number(cents), (code, name)

        await page.screenshot(path=str(SHOTS / "dashboard.png"), full_page=True)
        await spike.screenshot(path=str(SHOTS / "dashboard-trend-p06-zuidoost.png"))
        await page.locator("#districts-panel").screenshot(path=str(SHOTS / "dashboard-districts.png"))
        await _scan(page, "dashboard")

        # the printable district report, for every district
        for item in districts["items"]:
            await page.goto(f"{live_server}/dashboard/report?district={item['key']}")
            await page.wait_for_selector("body[data-loaded=true]")
            shown = await page.eval_on_selector_all(
                f"#report-table td[data-key='{item['key']}']",
                "els => els.map(e => [e.dataset.metric, e.dataset.value])",
            )
            for metric, value in shown:
                published = value if value == "suppressed" else _number(value)
                assert published == _shown(item.get(metric)), metric
            await _scan(page, f"report {item['key']}")
        await page.goto(f"{live_server}/dashboard/report?district=WK036303")
        await page.wait_for_selector("body[data-loaded=true]")
        assert await page.locator("#report-trends figure.trend[data-key='WK036303:P06']").count() == 1
        await page.emulate_media(media="print")
        assert not await page.is_visible("#print")
        await page.screenshot(path=str(SHOTS / "district-report-print.png"), full_page=True)

        # a district team: the teams against the mean (its own highlighted) and the trends, no more
        await page.emulate_media(media="screen")
        await page.goto(f"{live_server}/dashboard")
        await page.wait_for_selector("body[data-loaded=true]")
        await page.click("#logout")
        await page.fill("#token", tokens["district_professional"])
        await page.evaluate("document.body.dataset.loaded = 'false'")
        await page.click("#login-form button[type=submit]")
        await page.wait_for_selector("body[data-loaded=true]")
        assert await _marks(page, "#team-chart g.bar-row") == team_chart
        own = await page.get_attribute("#team-chart g.bar-row.highlight", "data-key")
        assert own == str(DEMO_TEAM)
        assert "may not see" in await page.inner_text("#district-chart")
        assert await page.locator("#district-table td").count() == 0  # nothing left of the officer's
        assert "may not see" in await page.inner_text("#budget-chart")
        assert await page.locator("figure.trend[data-key='WK036303:P06']").count() == 1
        await page.screenshot(path=str(SHOTS / "dashboard-team.png"), full_page=True)
        await _scan(page, "dashboard as a team")

        # forgetting the token returns to the sign-in form
        await page.goto(f"{live_server}/dashboard")
        await page.wait_for_selector("body[data-loaded=true]")
        await page.click("#logout")
        assert await page.is_visible("#login")
        assert await page.locator("svg").count() == 0
        assert await page.evaluate("sessionStorage.getItem('perspectief.token')") is None
        await browser.close()
    assert not errors, errors
    assert requests and all(u.startswith(live_server) for u in requests), requests


async def test_dashboard_pages_carry_a_strict_content_security_policy(app):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
        for path in ("/dashboard", "/dashboard/report"):
            r = await http.get(path)
            assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
            csp = r.headers["content-security-policy"]
            assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
            assert "<script>" not in r.text and "http" not in r.text.replace("http-equiv", "")
        js = await http.get("/dashboard/static/dashboard.js")
        assert js.status_code == 200 and "javascript" in js.headers["content-type"]
        assert (await http.get("/dashboard/static/../__init__.py")).status_code == 404
        openapi = (await http.get("/api/v1/openapi.json")).json()
        assert not any(p.startswith("/dashboard") for p in openapi["paths"])
