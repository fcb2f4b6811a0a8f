"""Shared arrangements of the insight tests: the data set with its budgets, and the cells of an item."""

from typing import Any

from app.models.money import Budget
from tests.support.generators import History, generate_history

DIMENSIONS = ["districts", "teams", "providers", "profiles"]


def cells(item: dict) -> dict[str, dict]:
    """The item's cells by metric name (referrer types as ``type:NN``, a team's z as ``z``)."""
    found = {k: v for k, v in item.items() if isinstance(v, dict) and "suppressed" in v}
    for t, cell in item.get("referralsByReferrerType", {}).items():
        found[f"type:{t}"] = cell
    if "referralRateVsMean" in item:
        found["z"] = item["referralRateVsMean"]["z"]
    return found


async def officer_items(
    client: Any, auth: Any, dimension: str, period: tuple[str, str]
) -> dict[str, dict[str, Any]]:
    """The officer's insight items of ``dimension`` over ``period`` (from, to: ISO dates), by key."""
    response = await client.get(
        f"/insights/{dimension}",
        params={"from": period[0], "to": period[1]},
        headers=auth("municipality_officer"),
    )
    assert response.status_code == 200, response.text
    return {item["key"]: item for item in response.json()["items"]}


async def arrange(session: Any, ref: Any, *, families: int, seed: int) -> History:
    """A generated history for GM0363 (and a little for GM0599), with specialist budgets for
    two districts in 2025 and 2026."""
    history = await generate_history(session, ref, families=families, seed=seed)
    await generate_history(session, ref, families=15, seed=seed + 1, municipality="GM0599")
    for code, amount in zip(ref.districts["GM0363"], [4_000_000, 9_000_000], strict=True):
        for year in (2025, 2026):
            session.add(
                Budget(
                    municipality_code="GM0363",
                    district_code=code,
                    year=year,
                    category="specialist",
                    amount_cents=amount,
                )
            )
    await session.commit()
    return history
