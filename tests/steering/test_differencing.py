"""Suppression that survives differencing: no two published figures over nested sets of cases
(two periods, two filters, a key and the municipality) can be subtracted to pin a cell of 1 to 4.

The attacker knows every published count of both responses and how the service publishes a count
(it inverts the service's own publication of a count cell, whatever that is), and — stronger than
any real attacker — which withheld counts are truly below 5. Hypothesis draws pairs of requests with
arbitrary days (widened by the service to whole months) over a small data set full of small cells.
"""

import asyncio
from datetime import date, timedelta
from functools import cache
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.services.steering.suppression import MIN_CELL, consistent_range, count_cell
from tests.support import insight_reference as reference
from tests.support.insights import DIMENSIONS
from tests.support.insights import arrange as _arrange
from tests.support.insights import cells as _cells

FIRST, LAST = date(2025, 1, 1), date(2026, 10, 31)
DAYS = (LAST - FIRST).days


@cache
def inverse(published: int) -> tuple[int, int]:
    """The true counts the service publishes as ``published``: (lowest, highest)."""
    counts = [n for n in range(published + 50) if count_cell(n).shown == published]
    assert counts, f"{published} is not a count the service publishes"
    return min(counts), max(counts)


def attacker_range(published: int | None, truth: int) -> tuple[int, int | None]:
    """What the attacker can tell of the true count from its published form."""
    if published is None:
        # withheld: any count, as it may protect another cell; below 5 when the truth is
        return (0, MIN_CELL - 1) if truth < MIN_CELL else (0, None)
    low, high = inverse(published)
    assert low <= truth <= high
    return low, high


def reveals(bigger: tuple[int, int | None], smaller: tuple[int, int | None]) -> bool:
    """Whether the difference of two nested counts is pinned between 1 and MIN_CELL − 1."""
    low = bigger[0] - (smaller[1] if smaller[1] is not None else 10**9)
    high = None if bigger[1] is None else bigger[1] - smaller[0]
    return low >= 1 and high is not None and high < MIN_CELL


@given(st.integers(0, 400), st.integers(0, 400))
def test_the_publication_rule_never_pins_a_small_difference(a, b):
    """Pure rule: for any true counts b ≤ a, the published pair never reveals a − b in 1…4."""
    b, a = sorted((a, b))
    shown = [count_cell(n).shown for n in (a, b)]
    assert not reveals(attacker_range(shown[0], a), attacker_range(shown[1], b))
    for n, value in zip((a, b), shown, strict=True):  # the documented rule agrees
        assert value is None or consistent_range(value)[0] <= n <= consistent_range(value)[1]
    # the exact counts of old did reveal it
    assert reveals((a, a), (b, b)) == (1 <= a - b < MIN_CELL)


requests = st.tuples(st.sampled_from(DIMENSIONS), st.integers(0, DAYS), st.integers(0, DAYS)).map(
    lambda r: (r[0], *sorted((FIRST + timedelta(days=r[1]), FIRST + timedelta(days=r[2]))))
)


async def test_no_pair_of_requests_reveals_a_cell_below_five(client, auth, session, ref):
    await _arrange(session, ref, families=40, seed=5)
    raw = await reference.load(session, "GM0363")
    officer = auth("municipality_officer")
    loop = asyncio.get_running_loop()
    responses: dict[tuple[str, date, date], list[tuple[Any, frozenset, int | None]]] = {}
    searched = {"pairs": 0, "small": 0}

    async def published(dimension: str, start: date, end: date) -> list[tuple[Any, frozenset, int | None]]:
        params = {"from": start.isoformat(), "to": end.isoformat()}
        r = await client.get(f"/insights/{dimension}", params=params, headers=officer)
        assert r.status_code == 200, r.text
        body = r.json()
        used = date.fromisoformat(body["fromDate"]), date.fromisoformat(body["toDate"])
        assert used[0].day == 1 and (used[1] + timedelta(days=1)).day == 1
        rows = reference.members(raw, dimension, *used)
        figures = []
        for item in body["items"]:
            for metric, cell in _cells(item).items():
                if metric in reference.COUNTS:
                    figures.append((metric, rows.get((item["key"], metric), frozenset()), cell["value"]))
        if body["municipality"]:
            total = rows.get(("__municipality__", "referrals"), frozenset())
            figures.append(("referrals", total, body["municipality"]["referrals"]["value"]))
        return figures

    def fetch(request: tuple[str, date, date]) -> list[tuple[Any, frozenset, int | None]]:
        if request not in responses:
            responses[request] = asyncio.run_coroutine_threadsafe(published(*request), loop).result()
        return responses[request]

    @settings(
        max_examples=40,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(requests, requests)
    def search(first: tuple[str, date, date], second: tuple[str, date, date]) -> None:
        figures = fetch(first) + fetch(second)
        by_metric: dict[str, list[tuple[frozenset, int | None]]] = {}
        for metric, rows, value in figures:
            by_metric.setdefault(metric, []).append((rows, value))
        for entries in by_metric.values():
            for big_rows, big_value in entries:
                for small_rows, small_value in entries:
                    if not small_rows < big_rows:
                        continue
                    searched["pairs"] += 1
                    difference = len(big_rows) - len(small_rows)
                    searched["small"] += difference < MIN_CELL
                    big = attacker_range(big_value, len(big_rows))
                    small = attacker_range(small_value, len(small_rows))
                    assert not reveals(big, small), (first, second, difference, big_value, small_value)

    await asyncio.to_thread(search)
    # the search met many nested pairs whose true difference is a small cell
    assert searched["pairs"] > 1000 and searched["small"] > 100, searched
