"""Trend alerts: the "ADHD diagnostics in one district" spike is found; flat demand is not."""

import uuid
from datetime import date, timedelta

from app.models.referrals import Referral
from app.services.steering.trends import shift_months, windows
from tests.support.generators import Builder, at, bulk

AS_OF = date(2026, 10, 31)
PAIRS = [(d, p) for d in ("WK036301", "WK036302") for p in ("P03", "P05", "P06", "P07")]


def _referral(district: str, profile: str, day: date) -> dict:
    return dict(
        id=uuid.uuid4(),
        municipality_code="GM0363",
        family_id=None,
        member_id=None,
        child_bsn=None,
        child_birth_date=None,
        district_code=district,
        team_id=None,
        referrer_type="02",
        referrer_agb=None,
        referrer_subject="t",
        profile_code=profile,
        intensity_code="I2",
        reason="r",
        valid_from=day,
        valid_to=day + timedelta(days=365),
        status="intake",
        created_at=at(day),
    )


def _flat() -> list[dict]:
    """Two referrals a month for every pair, for the 15 months up to AS_OF."""
    rows = []
    for months_back in range(15):
        first = shift_months(date(2026, 10, 1), -months_back)
        for district, profile in PAIRS:
            rows += [_referral(district, profile, first + timedelta(days=d)) for d in (3, 17)]
    return rows


async def test_flat_demand_raises_no_alert(client, auth, session, ref):
    await bulk(session, Referral, _flat())
    await session.commit()
    r = await client.get(
        "/insights/trends", params={"asOf": AS_OF.isoformat()}, headers=auth("municipality_officer")
    )
    assert r.status_code == 200
    body = r.json()
    assert body["items"] == []
    assert (body["recentFromDate"], body["recentToDate"]) == ("2026-08-01", "2026-10-31")
    assert (body["baselineFromDate"], body["baselineToDate"]) == ("2025-08-01", "2026-07-31")
    assert body["zThreshold"] == 3.0


async def test_adhd_spike_in_one_district_is_found(client, auth, session, ref):
    rows = _flat()
    # P06 in WK036302: 14 more referrals in the last 3 months
    rows += [_referral("WK036302", "P06", date(2026, 8, 1) + timedelta(days=6 * i)) for i in range(14)]
    # a smaller rise elsewhere that stays below the threshold: +4 on an expected 6
    rows += [_referral("WK036301", "P05", date(2026, 9, 1) + timedelta(days=i)) for i in range(4)]
    await bulk(session, Referral, rows)
    # engagement requests without a referral count as demand too (6 more for the spike)
    b = Builder(session, ref)
    for i in range(6):
        family = await b.family("WK036302")
        await b.engagement(
            family, profile="P06", status="requested", requested=date(2026, 9, 10) + timedelta(days=i)
        )
    # requests that rest on a referral are not counted twice
    family = await b.family("WK036301")
    for _ in range(8):
        e = await b.engagement(family, profile="P07", status="declined", requested=date(2026, 10, 2))
        e.referral_id = rows[0]["id"]
    await session.commit()
    r = await client.get(
        "/insights/trends", params={"asOf": AS_OF.isoformat()}, headers=auth("municipality_officer")
    )
    items = r.json()["items"]
    assert len(items) == 1
    alert = items[0]
    assert (alert["districtCode"], alert["profileCode"]) == ("WK036302", "P06")
    # baseline 24 (2 a month) published 25 → expected 6.25; observed 6 + 14 + 6 = 26 published 25;
    # z = (25 − 6.25) / √6.25 = 7.5
    assert alert["observed"] == 25 and alert["expected"] == 6.25 and alert["baselineTotal"] == 25
    assert alert["z"] == 7.5
    assert alert["districtName"] and alert["profileName"]
    # per month: 2 a month in the baseline (withheld), the spike months shown rounded
    months = {m["month"]: m for m in alert["months"]}
    assert [m["month"] for m in alert["months"]][::14] == ["2025-08", "2026-10"] and len(months) == 15
    assert months["2025-08"]["observed"] == {"value": None, "suppressed": True}
    assert all(m["expected"] == round(25 / 12, 2) for m in months.values())
    # August 2 + 6 = 8 → 10; September 2 + 5 + 6 = 13 → 15; October 2 + 3 = 5
    assert [months[k]["observed"]["value"] for k in ("2026-08", "2026-09", "2026-10")] == [10, 15, 5]


async def test_threshold_comes_from_settings(client, auth, session, ref, monkeypatch):
    from app.config import get_settings

    rows = _flat() + [_referral("WK036301", "P05", date(2026, 9, 1) + timedelta(days=i)) for i in range(4)]
    await bulk(session, Referral, rows)
    await session.commit()
    monkeypatch.setattr(get_settings(), "trend_z_threshold", 1.5)
    r = await client.get(
        "/insights/trends", params={"asOf": AS_OF.isoformat()}, headers=auth("municipality_officer")
    )
    # observed 10 against a baseline of 24, published 25: expected 6.25, z = 3.75 / 2.5 = 1.5
    assert [(i["districtCode"], i["profileCode"], i["z"]) for i in r.json()["items"]] == [
        ("WK036301", "P05", 1.5)
    ]
    assert r.json()["zThreshold"] == 1.5
    other = await client.get("/insights/trends", headers=auth("municipality_officer", municipality="GM0599"))
    assert other.json()["items"] == []
    assert (await client.get("/insights/trends", headers=auth("gp", agb="01234567"))).status_code == 403


def test_windows():
    assert windows(date(2026, 5, 31)) == (date(2025, 3, 1), date(2026, 3, 1), date(2026, 5, 31))
    assert windows(date(2026, 5, 7)) == (date(2025, 3, 1), date(2026, 3, 1), date(2026, 5, 31))
    assert windows(date(2026, 2, 1)) == (date(2024, 12, 1), date(2025, 12, 1), date(2026, 2, 28))
    assert shift_months(date(2026, 3, 31), -1) == date(2026, 2, 28)


async def test_as_of_is_widened_to_its_month(client, auth, session, ref):
    await bulk(session, Referral, _flat())
    await session.commit()
    r = await client.get(
        "/insights/trends", params={"asOf": "2026-10-09"}, headers=auth("municipality_officer")
    )
    body = r.json()
    assert (body["recentFromDate"], body["recentToDate"]) == ("2026-08-01", "2026-10-31")
    assert body["requestedAsOfDate"] == "2026-10-09" and body["roundingBase"] == 5
