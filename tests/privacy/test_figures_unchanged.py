"""Anonymisation keeps ids, codes, states, process dates and money: the ledger, every insight and
the outcome figures are exactly the same before and after erasures and a retention run."""

from typing import Any

from sqlalchemy import text

from tests.support.generators import generate_history
from tests.support.privacy import query

MARKER = "Qzx"
PERIOD = {"from": "2025-01-01", "to": "2026-10-31"}


async def _figures(client: Any, auth: Any) -> dict[str, Any]:
    officer = auth("municipality_officer")
    out: dict[str, Any] = {}
    for dimension in ("districts", "teams", "providers", "profiles"):
        r = await client.get(f"/insights/{dimension}", params=PERIOD, headers=officer)
        assert r.status_code == 200, r.text
        out[dimension] = r.json()
    out["trends"] = (await client.get("/insights/trends", headers=officer)).json()
    out["budget"] = (
        await client.get("/budget-status", params={"municipality": "GM0363", "year": 2026}, headers=officer)
    ).json()
    ledger, cursor = [], None
    while True:
        params = {"pageSize": 200, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/payments", params=params, headers=officer)).json()
        ledger += page["items"]
        if not (cursor := page["nextCursor"]):
            break
    out["ledger"] = ledger
    return out


async def test_insights_and_ledger_survive_erasure_and_retention(client, auth, ref, session, app) -> None:
    history = await generate_history(session, ref, families=60, seed=11, marker=MARKER)
    await session.commit()
    finished = (
        await session.execute(
            text(
                "SELECT f.id, (SELECT m.id FROM family_members m"
                " WHERE m.family_id = f.id AND m.role = 'parent')"
                " FROM families f WHERE EXISTS (SELECT 1 FROM engagements e WHERE e.family_id = f.id)"
                " AND NOT EXISTS (SELECT 1 FROM engagements e WHERE e.family_id = f.id"
                " AND e.status IN ('requested','accepted','started')) ORDER BY f.id"
            )
        )
    ).all()
    assert len(finished) >= 10, "the data set has families whose care has finished"
    to_erase, to_retire = finished[:5], finished[5:10]
    # arrange what the process would have done: payments settled, plans closed long ago
    ids = [f for f, _ in finished[:10]]
    await session.execute(
        text(
            "UPDATE payment_lines SET status = 'paid' WHERE engagement_id IN"
            " (SELECT id FROM engagements WHERE family_id = ANY(:ids))"
        ),
        {"ids": ids},
    )
    await session.execute(
        text(
            "UPDATE plans SET status = 'closed', closed_at = now() - interval '21 years'"
            " WHERE family_id = ANY(:ids)"
        ),
        {"ids": [f for f, _ in to_retire]},
    )
    await session.execute(
        text("UPDATE families SET care_ended_at = now() - interval '21 years' WHERE id = ANY(:ids)"),
        {"ids": [f for f, _ in to_retire]},
    )
    await session.commit()
    before = await _figures(client, auth)
    assert before["ledger"] and before["districts"]

    admin = auth("admin")
    for family_id, parent_id in to_erase:
        body = {"familyId": str(family_id), "requestedByMemberId": str(parent_id), "reason": "art. 17"}
        r = await client.post("/erasure-requests", json=body, headers=admin)
        assert r.status_code == 201, r.text
    assert await _figures(client, auth) == before

    run = await client.post("/retention-runs", json={"dryRun": False}, headers=admin)
    assert run.status_code == 201, run.text
    assert run.json()["familiesAnonymised"] == 5
    assert await _figures(client, auth) == before

    left = (
        await query(
            app,
            "SELECT count(*) FROM family_members WHERE family_id = ANY(:ids)"
            " AND (given_name LIKE '%Qzx%' OR bsn IS NOT NULL)",
            ids=ids,
        )
    ).scalar()
    assert left == 0
    assert history.names  # the other families keep theirs
