"""Insights: every figure recomputed in Python from the raw rows of a generated data set (counts
published rounded to fives, shares from the published counts), periods widened to whole months,
and the suppression of small cells checked over many filter combinations."""

from datetime import date

import pytest

from tests.support import insight_reference as reference
from tests.support.insights import DIMENSIONS, officer_items
from tests.support.insights import arrange as _arrange
from tests.support.insights import cells as _cells

TOLERANCE = {
    "waitingDaysMedian": 0.0501,
    "waitingDaysP90": 0.0501,
    "meanGasT": 0.00501,
    "meanExperienceParents": 0.00501,
    "meanExperienceYouth": 0.00501,
    "referralsPer1000Youth": 0.00501,
    "selfRelianceChange": 0.00501,
    "costPerClosedTrajectoryCents": 0.501,
    "z": 0.00501,
}
PERIODS = [
    (date(2025, 1, 1), date(2026, 10, 31)),
    (date(2026, 1, 1), date(2026, 6, 30)),
    (date(2025, 3, 15), date(2025, 9, 10)),  # widened to 2025-03-01 … 2025-09-30
]


def _compare(name: str, api: dict, expected: tuple) -> None:
    value, cases = expected
    if cases < 5:
        assert api == {"value": None, "suppressed": True}, (name, api, expected)
    if api["suppressed"]:
        return
    assert cases >= 5, name
    if name in reference.COUNTS:
        assert api["value"] == reference.published(value) and api["value"] % 5 == 0, (name, api, value)
    elif value is None:
        assert api["value"] is None, name
    else:
        assert api["value"] == pytest.approx(value, abs=TOLERANCE.get(name, 0.0000501)), name


async def test_every_figure_matches_a_recomputation_from_raw_rows(client, auth, session, ref):
    history = await _arrange(session, ref, families=150, seed=11)
    assert history.engagements > 150
    raw = await reference.load(session, "GM0363")
    officer = auth("municipality_officer")
    compared = 0
    shown: set[str] = set()
    for start, end in PERIODS:
        for dimension in DIMENSIONS:
            r = await client.get(
                f"/insights/{dimension}",
                params={"from": start.isoformat(), "to": end.isoformat()},
                headers=officer,
            )
            assert r.status_code == 200, r.text
            body = r.json()
            used = date.fromisoformat(body["fromDate"]), date.fromisoformat(body["toDate"])
            assert used == (start.replace(day=1), reference.months_end(end))
            assert (body["requestedFromDate"], body["requestedToDate"]) == (
                start.isoformat(),
                end.isoformat(),
            )
            expected = reference.figures(raw, dimension, *used)
            keys = {item["key"] for item in body["items"]}
            assert {k for k in expected if k != "__municipality__"} <= keys
            for item in body["items"]:
                for name, cell in _cells(item).items():
                    _compare(name, cell, expected.get(item["key"], {}).get(name, (0, 0)))
                    shown.update([] if cell["suppressed"] else [name])
                    compared += not cell["suppressed"]
            if dimension != "providers":
                for name in ("referrals", "referralsPer1000Youth"):
                    _compare(name, body["municipality"][name], expected["__municipality__"][name])
    assert compared > 400  # most figures of this data set are large enough to be shown
    indicators = {"selfRelianceChange", "selfRelianceImprovedShare", "noNewStartShare", "noRelapseShare"}
    assert indicators | {"goalAttainmentShare", "dropoutRate", "dropouts"} <= shown


async def test_known_figures_of_a_small_arranged_set(client, auth, session, ref):
    """A hand-made case: 5 closures in one district, values worked out by hand."""
    from tests.support.generators import Builder

    b = Builder(session, ref)
    d1 = ref.districts["GM0363"][0]
    reasons = ["31", "31", "32", "34", "31"]
    scores = [[1, 0], [2], [-2, -1], [0], [-1, -1, 1]]
    for reason, gas, wait in zip(reasons, scores, [10, 20, 30, 40, 50], strict=True):
        rows = await b.family(d1)
        start = date.fromordinal(date(2026, 1, 1).toordinal() + wait)
        e = await b.engagement(
            rows,
            status="closed",
            requested=date(2026, 1, 1),
            start=start,
            end=date(2026, 5, 1),
            end_reason=reason,
        )
        await b.goals(rows, e, gas)
    await session.commit()
    items = await officer_items(client, auth, "districts", ("2026-01-01", "2026-12-31"))
    item = items[d1]
    assert item["engagementsClosed"] == {"value": 5, "suppressed": False}
    # one dropout and one premature ending: counts below 5, so their rates are withheld too
    assert item["dropouts"] == item["dropoutRate"] == {"value": None, "suppressed": True}
    assert item["prematureRate"] == {"value": None, "suppressed": True}
    assert item["waitingDaysMedian"]["value"] == 30 and item["waitingDaysP90"]["value"] == 46
    # goals: 9 scored, 8 at −1 or above: published 10 and 10, so the share shown is 10/10;
    # T per engagement: 50+10·1/√2.6, 50+10·2/1, 50−30/√2.6, 50, 50−10/√4.8
    assert item["goalAttainmentShare"]["value"] == 1.0
    t = [50 + 10 / 2.6**0.5, 70, 50 - 30 / 2.6**0.5, 50, 50 - 10 / 4.8**0.5]
    assert item["meanGasT"]["value"] == pytest.approx(sum(t) / 5, abs=0.005)
    assert item["meanExperienceParents"] == {"value": None, "suppressed": True}
    other = next(i for key, i in items.items() if key != d1)
    assert other["engagementsClosed"] == {"value": None, "suppressed": True}


async def test_suppression_holds_for_every_filter_combination(client, auth, session, ref):
    """A small data set, many windows: no shown figure rests on fewer than 5 cases, and no
    withheld count can be worked out from the shown ones (row and column totals)."""
    await _arrange(session, ref, families=30, seed=5)
    raw = await reference.load(session, "GM0363")
    officer = auth("municipality_officer")
    starts = [date(2025, 1, 1), date(2025, 7, 1), date(2026, 1, 1), date(2026, 4, 1)]
    ends = [date(2025, 6, 30), date(2025, 12, 31), date(2026, 3, 31), date(2026, 10, 31)]
    windows = [(s, e) for s in starts for e in ends if s <= e]
    suppressed_seen = shown_seen = 0
    for start, end in windows:
        for dimension in DIMENSIONS:
            body = (
                await client.get(
                    f"/insights/{dimension}",
                    params={"from": start.isoformat(), "to": end.isoformat()},
                    headers=officer,
                )
            ).json()
            assert (body["fromDate"], body["toDate"]) == (start.isoformat(), end.isoformat())
            expected = reference.figures(raw, dimension, start, end)
            for item in body["items"]:
                cells = _cells(item)
                for name, cell in cells.items():
                    _compare(name, cell, expected.get(item["key"], {}).get(name, (0, 0)))
                    suppressed_seen += cell["suppressed"]
                    shown_seen += not cell["suppressed"]
                # a shown referral count is the sum of its referrer types: withheld types stay ≥ 5 or 0
                truth = expected.get(item["key"], {})
                if "referrals" in cells and not cells["referrals"]["suppressed"]:
                    hidden = [
                        truth.get(n, (0, 0))[1]
                        for n, c in cells.items()
                        if n.startswith("type:") and c["suppressed"]
                    ]
                    assert sum(hidden) == 0 or sum(hidden) >= 5
            columns = list(reference.ENGAGEMENT_COUNTS)
            columns += (
                [] if dimension == "providers" else ["referrals", *(f"type:{t}" for t in reference.TYPES)]
            )
            for column in columns:
                hidden = [
                    expected.get(item["key"], {}).get(column, (0, 0))[1]
                    for item in body["items"]
                    if _cells(item)[column]["suppressed"]
                ]
                # the column adds up to the municipality's total (also readable from another dimension);
                # when every cell is withheld the total is below 5 everywhere and shown nowhere
                if len(hidden) < len(body["items"]):
                    assert sum(hidden) == 0 or sum(hidden) >= 5, (dimension, column, start, end)
    assert suppressed_seen > 100 and shown_seen > 100


async def test_insights_are_for_municipality_officers_of_their_municipality(client, auth, session, ref):
    await _arrange(session, ref, families=20, seed=3)
    prof = auth("district_professional", team=ref.teams["GM0363"])
    assert (await client.get("/insights/districts", headers=prof)).status_code == 403
    # a district team sees the teams' figures (its own against the others and the mean) and the trends
    for path in ("/insights/providers", "/insights/profiles"):
        assert (await client.get(path, headers=prof)).status_code == 403
    teams = await client.get("/insights/teams", headers=prof)
    assert (
        teams.status_code == 200
        and teams.json() == (await client.get("/insights/teams", headers=auth("municipality_officer"))).json()
    )
    assert (await client.get("/insights/trends", headers=prof)).status_code == 200
    gp = auth("gp", agb="01234567")
    assert (await client.get("/insights/teams", headers=gp)).status_code == 403
    other = await client.get(
        "/insights/districts", headers=auth("municipality_officer", municipality="GM0599")
    )
    assert {i["key"] for i in other.json()["items"]} == set(ref.districts["GM0599"])
    bad = await client.get(
        "/insights/teams",
        params={"from": "2026-05-01", "to": "2026-01-01"},
        headers=auth("municipality_officer"),
    )
    assert bad.status_code == 400 and bad.json()["invalidParams"][0]["name"] == "from"
    # at most five years of whole months: 2021-01 … 2025-12 is 60, one more month is too long
    five = {"from": "2021-01-20", "to": "2025-12-02"}
    assert (
        await client.get("/insights/teams", params=five, headers=auth("municipality_officer"))
    ).status_code == 200
    long = await client.get(
        "/insights/teams", params={**five, "from": "2020-12-31"}, headers=auth("municipality_officer")
    )
    assert long.status_code == 400 and long.json()["invalidParams"][0]["code"] == "period_too_long"
    garbage = await client.get(
        "/insights/teams", params={"from": "yesterday"}, headers=auth("municipality_officer")
    )
    assert garbage.status_code == 400
