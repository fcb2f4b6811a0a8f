"""A municipality officer never sees personal data: a walk over every endpoint it can call, with a
data set whose names, BSNs, birth dates and free texts are known, asserting none of them appears."""

import re
from datetime import date

from sqlalchemy import select

from app.models.engagements import Engagement, Handoff
from app.models.money import PaymentLine
from app.models.referrals import Referral
from tests.support.generators import generate_history

MARKER = "Qzx"


def _leaks(text: str, history) -> list[str]:
    found = [s for s in history.names | history.free_texts if s and s in text]
    found += [b for b in history.bsns if b in text]
    found += [d.isoformat() for d in history.birth_dates if d.isoformat() in text]
    if MARKER in text:
        found.append(MARKER)
    return found


async def test_officer_walk_reveals_no_personal_data(client, auth, session, ref, app):
    history = await generate_history(session, ref, families=80, seed=21, marker=MARKER)
    await session.commit()
    officer = auth("municipality_officer")
    team1 = auth("district_professional", team=ref.teams["GM0363"])
    responses: list[tuple[str, str, int, str]] = []

    async def call(method: str, path: str, headers=officer, **kwargs) -> dict | list | str:
        r = await client.request(method, path, headers={**headers, **kwargs.pop("extra", {})}, **kwargs)
        if headers is officer:
            responses.append((method, path, r.status_code, r.text))
        return (
            r.json()
            if r.headers.get("content-type", "").startswith(("application/json", "application/problem"))
            else r.text
        )

    # a decision note by the team that names the child: the officer must not see it
    reviews = (await call("GET", "/case-reviews", headers=team1))["items"]
    assert reviews, "the data set raises case-review flags"
    name = sorted(history.names)[0]
    await call(
        "POST",
        f"/case-reviews/{reviews[0]['id']}/decisions",
        headers=team1,
        json={"decision": "discuss_with_family", "note": f"Gesprek met {name}"},
    )

    period = "2026-10"
    lines = (await call("GET", "/payments", params={"pageSize": 200}))["items"]
    await call("GET", "/payments", params={"status": "scheduled", "period": period})
    await call("GET", f"/payments/{lines[0]['id']}")
    scheduled = [line["id"] for line in lines if line["status"] == "scheduled"]
    await call("POST", "/payments/approve", json={"ids": scheduled[:50]})
    await call(
        "POST", f"/payments/{scheduled[0]}/corrections", json={"amountCents": -1, "reason": "afronding"}
    )
    await call("POST", "/payments/scheduling-runs", json={"period": period})
    batch = await call("POST", "/payment-batches", json={"period": period})
    await call("POST", "/payment-batches", json={"period": period}, extra={"Accept": "text/csv"})
    await call("GET", "/payment-batches")
    await call("GET", f"/payment-batches/{batch['id']}")
    await call("GET", f"/payment-batches/{batch['id']}", extra={"Accept": "text/csv"})
    await call("POST", f"/payment-batches/{batch['id']}/paid")
    await call(
        "PUT", "/budgets/GM0363/2026/specialist", json={"amountCents": 9_000_000, "districtCode": "WK036301"}
    )
    await call("GET", "/budgets", params={"year": 2026})
    allocation = await call(
        "POST",
        "/budget-allocations",
        json={
            "municipality": "GM0363",
            "year": 2026,
            "category": "prevention",
            "totalCents": 1_000_000,
            "weights": {"youthPopulation": 1},
        },
    )
    await call("GET", f"/budget-allocations/{allocation['id']}")
    await call("GET", "/budget-status")
    await call("GET", "/budget-status", params={"municipality": "GM0363", "year": 2025})
    for dimension in ("districts", "teams", "providers", "profiles"):
        await call("GET", f"/insights/{dimension}")
        await call("GET", f"/insights/{dimension}", params={"from": "2025-01-01", "to": "2026-10-31"})
    await call("GET", "/insights/trends")
    await call("GET", "/insights/trends", params={"asOf": "2026-10-31"})
    queue = (await call("GET", "/case-reviews"))["items"]
    for review in queue:
        await call("GET", f"/case-reviews/{review['id']}")
    await call(
        "POST", f"/case-reviews/{queue[0]['id']}/decisions", json={"decision": "escalate", "note": name}
    )

    # every other GET route of the API, with ids of the data set in its path
    ids = {
        "familyId": history.families[0],
        "engagementId": await session.scalar(select(Engagement.id).limit(1)),
        "planId": await session.scalar(select(Engagement.plan_id).limit(1)),
        "referralId": await session.scalar(select(Referral.id).limit(1)),
        "handoffId": await session.scalar(select(Handoff.id).limit(1)),
        "lineId": await session.scalar(select(PaymentLine.id).limit(1)),
        "providerId": ref.providers[0],
        "teamId": ref.teams["GM0363"],
        "code": "WK036301",
        "regionId": ref.region_id,
        "contractId": ref.contracts[ref.providers[0]],
        "version": 1,
    }
    covered = {path for _, path, _, _ in responses}
    swept = 0
    for template, operations in app.openapi()["paths"].items():
        params = re.findall(r"{(\w+)}", template)
        if "get" not in operations or any(p not in ids for p in params):
            continue
        path = template.removeprefix("/api/v1")
        for p in params:
            path = path.replace(f"{{{p}}}", str(ids[p]))
        if path not in covered:
            await call("GET", path)
            swept += 1
    assert swept > 20

    statuses = {(m, p): s for m, p, s, _ in responses}
    assert all(
        s < 300
        for (m, p), s in statuses.items()
        if p.startswith(("/payments", "/payment-batches", "/budget", "/insights", "/case-reviews"))
    )
    assert len(responses) > 50
    leaks = {f"{m} {p}": _leaks(text, history) for m, p, _, text in responses if _leaks(text, history)}
    assert leaks == {}
    assert any(d < date(2000, 1, 1) for d in history.birth_dates)  # the search covered parents' dates too
    # the detector itself works: the team's own view of the queue does show the names
    assert _leaks((await client.get("/case-reviews", headers=team1)).text, history)
