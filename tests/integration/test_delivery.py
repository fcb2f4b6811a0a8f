"""Webhook delivery to a real receiver on 127.0.0.1: signed, retried, ordered per subject, once."""

import asyncio
from collections import Counter, defaultdict
from typing import Any

from tests.integration.conftest import (
    SECRET,
    Bus,
    claimed_count,
    deliveries,
    run_until,
    subscribe,
)
from tests.support.receiver import Receiver, free_port


def assert_in_subject_order(receiver: Receiver) -> None:
    by_subject: dict[str, list[int]] = defaultdict(list)
    for item in receiver.accepted():
        by_subject[item.subject].append(item.sequence)
    for sequences in by_subject.values():
        assert sequences == sorted(sequences)


async def test_receiver_down_then_up_gets_every_event_exactly_once_in_subject_order(bus: Bus) -> None:
    receiver = Receiver(SECRET, port=free_port())
    await subscribe(bus.client, bus.integration, receiver.url)
    subjects = 4
    ids = await bus.commit(subjects, per_subject=5)
    worker = bus.dispatcher()
    engine = worker.engine

    # Down: the head of every subject is tried and refused; nothing behind it is tried.
    async def each_head_tried_twice() -> bool:
        return len([d for d in await deliveries(engine) if d.attempts >= 2]) >= subjects

    await run_until([worker], each_head_tried_twice)
    rows = await deliveries(engine)
    failed = [d for d in rows if d.status == "failed"]
    assert len(failed) == subjects  # only the head of each subject was tried
    assert {d.last_error for d in failed} == {"connection_failed"}
    assert all(d.status == "pending" and d.attempts == 0 for d in rows if d not in failed)
    assert await claimed_count(engine) == 0

    # Up: everything arrives, once, each subject in sequence order.
    receiver.start()
    try:
        await run_until([bus.dispatcher()], lambda: len(receiver.accepted()) >= len(ids))
    finally:
        receiver.stop()
    got = [r.event_id for r in receiver.accepted()]
    assert sorted(got) == sorted(ids)
    assert Counter(got).most_common(1)[0][1] == 1
    assert all(r.header_event_id == r.event_id for r in receiver.accepted())
    assert receiver.bad_signatures == 0
    assert_in_subject_order(receiver)
    rows = await deliveries(engine)
    assert {d.status for d in rows} == {"delivered"}
    assert all(d.last_status_code == 200 and d.delivered_at for d in rows)


async def test_a_receiver_answering_500_then_200(bus: Bus) -> None:
    async with bus.subscribed(answer=lambda n: (500, 0.0) if n < 3 else (200, 0.0)) as (receiver, _):
        ids = await bus.commit(1, per_subject=3)
        worker = bus.dispatcher()
        await run_until([worker], lambda: len(receiver.accepted()) >= 3)
    assert [r.event_id for r in receiver.accepted()] == ids  # the subject's order, each once
    assert [r.status for r in receiver.received[:3]] == [500, 500, 500]
    assert all(r.event_id == ids[0] for r in receiver.received[:3])  # later ones waited
    rows = await deliveries(worker.engine)
    assert [d.attempts for d in rows] == [4, 1, 1]
    assert {d.status for d in rows} == {"delivered"}


async def test_a_slow_receiver_times_out_and_is_retried_with_the_same_event_id(bus: Bus) -> None:
    async with bus.subscribed(answer=lambda n: (200, 1.0) if n == 0 else (200, 0.0)) as (receiver, _):
        ids = await bus.commit(1, per_subject=2)
        worker = bus.dispatcher(
            dispatch_timeout_seconds=0.3, dispatch_backoff_base_seconds=0.5, dispatch_backoff_max_seconds=1.0
        )
        first_failure: dict[str, Any] = {}

        async def both_arrived() -> bool:
            for d in await deliveries(worker.engine):
                if d.last_error and not first_failure:
                    first_failure.update(error=d.last_error, attempts=d.attempts)
            return len({r.event_id for r in receiver.accepted()}) == 2 and bool(first_failure)

        await run_until([worker], both_arrived)
    assert first_failure == {"error": "timeout", "attempts": 1}
    # At least once: the timed-out request may have reached the receiver; it deduplicates by id.
    assert sorted({r.header_event_id for r in receiver.accepted()}) == sorted(ids)
    rows = await deliveries(worker.engine)
    assert [d.status for d in rows] == ["delivered", "delivered"]
    assert rows[0].attempts >= 2  # more when a loaded machine slows the retry past 0.3 s too


async def test_two_dispatchers_never_deliver_the_same_attempt_twice(bus: Bus) -> None:
    async with bus.subscribed(answer=lambda n: (200, 0.002)) as (receiver, _):
        ids = await bus.commit(60, per_subject=4)
        workers = [bus.dispatcher(dispatch_batch_size=20), bus.dispatcher(dispatch_batch_size=20)]
        await run_until(workers, lambda: len(receiver.requests_seen()) >= len(ids))
    got = [r.event_id for r in receiver.received]
    assert len(got) == len(ids) == 240
    assert set(got) == set(ids)  # every event once: no attempt was sent by both
    assert_in_subject_order(receiver)
    rows = await deliveries(workers[0].engine)
    assert {d.status for d in rows} == {"delivered"} and {d.attempts for d in rows} == {1}


async def test_an_idle_dispatcher_is_woken_by_the_commit_not_by_polling(bus: Bus) -> None:
    """It would look again only after 10 minutes; the event arrives long before that."""
    async with bus.subscribed() as (receiver, _):
        worker = bus.dispatcher(dispatch_idle_wake_seconds=600.0)

        async def commit_once_idle() -> bool:
            if not state["committed"] and await claimed_count(worker.engine) == 0:
                await asyncio.sleep(0.3)  # the dispatcher found nothing and sleeps
                state["ids"] = await bus.commit(1, per_subject=1)
                state["committed"] = True
            return bool(receiver.accepted())

        state: dict[str, Any] = {"committed": False}
        await run_until([worker], commit_once_idle, limit=60.0)
    assert [r.event_id for r in receiver.accepted()] == state["ids"]
