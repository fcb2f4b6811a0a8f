"""Dead letters: visible per subscription, the subscription marked unhealthy, replayed singly or in bulk."""

import uuid
from typing import Any

import httpx

from app.config import get_settings
from tests.integration.conftest import Bus, commit_events, deliveries, run_until, subscribe


async def test_dead_letters_are_listed_and_replayed(
    client: httpx.AsyncClient, integration: dict[str, str], bus: Bus
) -> None:
    answers = {"status": 500}
    async with bus.subscribed(answer=lambda n: (answers["status"], 0.0)) as (receiver, subscription):
        sid = subscription["id"]
        ids = await bus.commit(3, per_subject=1)
        worker = bus.dispatcher(dispatch_retry_window_seconds=0.3)

        async def all_dead() -> bool:
            return {d.status for d in await deliveries(worker.engine)} == {"dead"}

        await run_until([worker], all_dead)

        dead = await client.get(f"/subscriptions/{sid}/deliveries?status=dead", headers=integration)
        assert dead.status_code == 200
        items = dead.json()["items"]
        assert sorted(i["eventId"] for i in items) == sorted(ids)
        assert set(items[0]) == {
            "id",
            "eventId",
            "eventType",
            "eventSequence",
            "subject",
            "status",
            "attempts",
            "lastStatusCode",
            "lastError",
            "nextAttemptAt",
            "deliveredAt",
        }  # fmt: skip — ids and delivery state, never the event's data
        assert all(i["lastStatusCode"] == 500 and i["lastError"] == "http_500" for i in items)
        assert all(i["attempts"] >= 1 and i["nextAttemptAt"] is None for i in items)

        unhealthy = await client.get("/subscriptions?health=unhealthy", headers=integration)
        assert [s["id"] for s in unhealthy.json()["items"]] == [sid]
        assert unhealthy.json()["items"][0]["deadLetters"] == 3
        healthy = await client.get("/subscriptions?health=healthy", headers=integration)
        assert healthy.json()["items"] == []

        # The receiver is fixed: one dead letter retried singly, then the rest replayed in bulk.
        answers["status"] = 200
        one = items[0]
        retried = await client.post(f"/subscriptions/{sid}/deliveries/{one['id']}/retry", headers=integration)
        assert retried.status_code == 200
        assert retried.json()["status"] == "pending" and retried.json()["attempts"] == 0
        await run_until([bus.dispatcher()], lambda: len(receiver.accepted()) == 1)
        assert [r.event_id for r in receiver.accepted()] == [one["eventId"]]

        replay = await client.post(
            f"/subscriptions/{sid}/replay", headers=integration, json={"status": "dead"}
        )
        assert replay.status_code == 200 and replay.json() == {"replayed": 2}
        await run_until([bus.dispatcher()], lambda: len(receiver.accepted()) == 3)
    assert sorted(r.event_id for r in receiver.accepted()) == sorted(ids)
    assert {d.status for d in await deliveries(worker.engine)} == {"delivered"}
    again = await client.post(f"/subscriptions/{sid}/deliveries/{one['id']}/retry", headers=integration)
    assert again.status_code == 409 and again.json()["code"] == "delivery_not_retryable"
    after = await client.get(f"/subscriptions/{sid}", headers=integration)
    assert after.json()["health"] == "healthy" and after.json()["deadLetters"] == 0


async def test_a_subscription_that_keeps_failing_is_unhealthy_before_anything_dies(
    client: httpx.AsyncClient, integration: dict[str, str], bus: Bus
) -> None:
    async with bus.subscribed(answer=lambda n: (503, 0.0)) as (receiver, subscription):
        await bus.commit(1, per_subject=1)
        worker = bus.dispatcher()
        threshold = get_settings().dispatch_unhealthy_after_failures  # failures in a row
        await run_until([worker], lambda: receiver.requests >= threshold)
    listed = (await client.get("/subscriptions?health=unhealthy", headers=integration)).json()["items"]
    assert [s["id"] for s in listed] == [subscription["id"]]
    assert listed[0]["consecutiveFailures"] >= threshold and listed[0]["deadLetters"] == 0
    assert listed[0]["lastFailureAt"] is not None and listed[0]["lastSuccessAt"] is None
    pending = await client.get(
        f"/subscriptions/{subscription['id']}/deliveries?status=failed", headers=integration
    )
    assert pending.json()["items"][0]["nextAttemptAt"] is not None

    metrics = (await client.get("/metrics")).text
    assert 'perspectief_event_deliveries_owed{status="failed"} 1.0' in metrics
    assert "perspectief_event_subscriptions_unhealthy 1.0" in metrics
    age = next(
        line
        for line in metrics.splitlines()
        if line.startswith("perspectief_event_backlog_oldest_age_seconds ")
    )
    assert float(age.split()[1]) > 0


async def test_deliveries_page_in_event_order_and_stay_in_their_subscription(
    client: httpx.AsyncClient,
    integration: dict[str, str],
    auth: Any,
    sessionmaker: Any,
) -> None:
    mine = await subscribe(client, integration, "http://127.0.0.1:9/a")
    theirs = await subscribe(client, auth("integration", municipality="GM0599"), "http://127.0.0.1:9/b")
    ids = await commit_events(sessionmaker, [uuid.uuid4() for _ in range(5)], per_subject=1)
    base = f"/subscriptions/{mine['id']}/deliveries"
    first = (await client.get(f"{base}?pageSize=3", headers=integration)).json()
    rest = (await client.get(f"{base}?pageSize=3&cursor={first['nextCursor']}", headers=integration)).json()
    listed = first["items"] + rest["items"]
    assert [d["eventId"] for d in listed] == ids and rest["nextCursor"] is None
    assert {d["status"] for d in listed} == {"pending"} and {d["attempts"] for d in listed} == {0}
    one = listed[0]["id"]
    assert (
        await client.get(f"/subscriptions/{theirs['id']}/deliveries", headers=integration)
    ).status_code == 404
    foreign = await client.post(f"/subscriptions/{theirs['id']}/deliveries/{one}/retry", headers=integration)
    assert foreign.status_code == 404
    wrong = await client.post(
        f"/subscriptions/{mine['id']}/deliveries/{uuid.uuid4()}/retry", headers=integration
    )
    assert wrong.status_code == 404
    assert (await client.get(f"{base}?status=lost", headers=integration)).status_code == 400
