"""The pull feed: in sequence order, confined to the municipality, and gap-free."""

import json
import uuid
from typing import Any

import httpx
import pytest
from cloudevents.core.bindings.http import HTTPMessage, from_http_event

from app.services.platform import events
from tests.integration.conftest import commit_events


async def read_all(
    client: httpx.AsyncClient, headers: dict[str, str], after: str = "0", size: int = 200
) -> list[Any]:
    items: list[Any] = []
    for _ in range(100):
        page = await client.get(f"/events?afterSequence={after}&pageSize={size}", headers=headers)
        assert page.status_code == 200, page.text
        items += page.json()["items"]
        if page.json()["nextCursor"] is None:
            return items
        after = page.json()["nextCursor"]
    raise AssertionError("the feed did not end")


async def test_a_transaction_that_commits_late_is_not_skipped(
    client: httpx.AsyncClient, integration: dict[str, str], sessionmaker: Any
) -> None:
    """The early transaction writes its event first but commits after a later one was served."""
    early_subject, late_subject = uuid.uuid4(), uuid.uuid4()
    async with sessionmaker() as early:
        events.emit(
            early, "plan.agreed", early_subject, f"/plans/{early_subject}", municipality_code="GM0363"
        )
        await early.flush()  # written, not committed: the transaction stays open across the read
        async with sessionmaker() as late:
            events.emit(
                late, "plan.agreed", late_subject, f"/plans/{late_subject}", municipality_code="GM0363"
            )
            await late.commit()

        first = (await client.get("/events?afterSequence=0", headers=integration)).json()["items"]
        assert [e["subject"] for e in first] == [str(late_subject)]
        seen = first[-1]["sequence"]
        await early.commit()

    following = (await client.get(f"/events?afterSequence={seen}", headers=integration)).json()["items"]
    assert [e["subject"] for e in following] == [str(early_subject)]
    assert following[0]["sequence"] > seen
    every = await read_all(client, integration)
    assert [e["subject"] for e in every] == [str(late_subject), str(early_subject)]


async def test_pages_follow_sequence_and_filters(
    client: httpx.AsyncClient, integration: dict[str, str], auth: Any, sessionmaker: Any
) -> None:
    ids = await commit_events(sessionmaker, [uuid.uuid4() for _ in range(5)], per_subject=3)
    created = await commit_events(sessionmaker, [uuid.uuid4()], per_subject=1, event="plan.created")
    await commit_events(sessionmaker, [uuid.uuid4()], per_subject=2, municipality="GM0599")

    every = await read_all(client, integration, size=4)
    assert [e["id"] for e in every] == ids + created
    sequences = [e["sequence"] for e in every]
    assert sequences == sorted(sequences) and len(set(sequences)) == len(sequences)
    for event in every:  # each item is a CloudEvent a consumer's SDK reads
        body = json.dumps(event).encode()
        parsed = from_http_event(
            HTTPMessage(headers={"content-type": "application/cloudevents+json"}, body=body)
        )
        assert parsed.get_id() == event["id"] and parsed.get_type() == event["type"]

    only = await client.get("/events?types=nl.perspectief.plan.created", headers=integration)
    assert [e["id"] for e in only.json()["items"]] == created
    both = await client.get(
        "/events?types=nl.perspectief.plan.created,nl.perspectief.plan.agreed&pageSize=200",
        headers=integration,
    )
    assert len(both.json()["items"]) == 16

    other = await read_all(client, auth("integration", municipality="GM0599"))
    assert len(other) == 2 and not set(e["id"] for e in other) & set(ids)


@pytest.mark.parametrize(
    ("query", "name"),
    [("afterSequence=-1", "afterSequence"), ("afterSequence=abc", "afterSequence"),
     ("types=nl.perspectief.plan.eaten", "types"), ("pageSize=0", "pageSize"), ("pageSize=201", "pageSize")],
)  # fmt: skip
async def test_bad_queries_are_400(
    client: httpx.AsyncClient, integration: dict[str, str], query: str, name: str
) -> None:
    response = await client.get(f"/events?{query}", headers=integration)
    assert response.status_code == 400
    assert [p["name"] for p in response.json()["invalidParams"]] == [name]
