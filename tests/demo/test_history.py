"""The demo history loads quickly and gives the steering endpoints something to show."""

import time
from datetime import date, timedelta

from sqlalchemy import func, select

from app.demo import families, history, reference
from app.models.engagements import Engagement
from app.models.money import PaymentLine


async def test_demo_history_shows_steering(client, auth, sessionmaker):
    async with sessionmaker() as session:
        await reference.seed(session)
        await families.seed(session)
        started = time.perf_counter()
        await history.seed(session)
        await session.commit()
        elapsed = time.perf_counter() - started
        states = dict(
            (await session.execute(select(Engagement.status, func.count()).group_by(Engagement.status))).all()
        )
        lines = await session.scalar(select(func.count()).select_from(PaymentLine))
    print(f"history seed: {elapsed:.2f}s, engagements {states}, lines {lines}")
    assert sum(states.values()) > 400
    assert {"requested", "accepted", "started", "closed", "declined", "withdrawn"} <= set(states)
    officer = auth("municipality_officer")
    trends = (await client.get("/insights/trends", headers=officer)).json()["items"]
    assert ("WK036303", "P06") in {(t["districtCode"], t["profileCode"]) for t in trends}
    districts = (
        await client.get(
            "/insights/districts",
            params={"from": (date.today() - timedelta(days=365)).isoformat()},
            headers=officer,
        )
    ).json()["items"]
    assert all(not d["engagementsClosed"]["suppressed"] for d in districts)
    status = (await client.get("/budget-status", headers=officer)).json()
    assert {i["category"] for i in status["items"]} >= {"specialist", "lumpsum"}
    assert any(i["spentCents"] > 0 for i in status["items"])
    assert [(t["districtCode"], t["profileCode"]) for t in trends] == [("WK036303", "P06")]
    queue = (await client.get("/case-reviews", params={"pageSize": 200}, headers=officer)).json()["items"]
    assert {i["flag"] for i in queue} == {
        "past_expected_end",
        "overdue_handoff",
        "declined_by_providers",
        "waiting_over_8_weeks",
        "turning_18",
    }
    year_ago = (date.today() - timedelta(days=365)).isoformat()
    teams = (await client.get("/insights/teams", params={"from": year_ago}, headers=officer)).json()
    assert teams["municipality"]["referrals"]["value"] > 100
