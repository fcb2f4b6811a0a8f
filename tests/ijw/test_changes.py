"""Change requests (JW317): checked against the provider's current allocations for the client,
answered with JW318, kept as a task the team answers with JW319."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from lxml import etree
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.ijw import AllocationRequest
from tests.support.builders import nl_today
from tests.support.engagements import engagement_at
from tests.support.factories import Reference
from tests.support.families import bsn
from tests.support.ijw import (
    Allocated,
    Change,
    all_codes,
    allocation,
    answer,
    codes,
    ijw_case,
    jw317,
    messages,
)

Auth = Callable[..., dict[str, str]]
TODAY = nl_today()
LATER = TODAY + timedelta(days=90)


async def running(
    client: httpx.AsyncClient, session: AsyncSession, ref: Reference, auth: Auth, child_bsn: str
) -> tuple[Any, str, Allocated]:
    _, a, eid = await engagement_at(
        "started", client, session, ref, auth, build=ijw_case, child_bsn=child_bsn
    )
    return a, eid, await allocation(client, a.provider, eid)


async def send(client: httpx.AsyncClient, staff: dict[str, str], body: bytes) -> etree._Element:
    return await answer(client, staff, body, "JW318")


async def tasks(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(AllocationRequest)) or 0)


async def test_a_change_request_becomes_a_task_the_team_answers(
    client: httpx.AsyncClient, session: AsyncSession, ref: Reference, auth: Auth
) -> None:
    a, eid, allocation = await running(client, session, ref, auth, bsn(50))
    change = Change("TeWijzigenProduct", allocation.assignment_number, TODAY, LATER)
    reply = await send(
        client, a.provider, jw317(allocation, "VOW-1", [change], identification="VOW1", issued=TODAY)
    )
    assert set(all_codes(reply)) == {"0200"}
    [task] = (await client.get("/ijw-allocation-requests", headers=a.team)).json()["items"]
    assert (task["kind"], task["engagementId"], task["changeReason"], task["status"]) == (
        "change",
        eid,
        "2",
        "open",
    )
    answered = await client.post(
        f"/ijw-allocation-requests/{task['id']}/answer", json={"answer": "investigating"}, headers=a.team
    )
    assert answered.status_code == 200 and answered.json()["status"] == "investigating"
    listed = [m["messageCode"] for m in await messages(client, a.provider, eid)]
    assert listed == ["JW301", "JW317", "JW318"]


def _changes(allocation: Allocated, case: str) -> list[Change]:
    number = allocation.assignment_number
    return {
        "unknown_changed": [Change("TeWijzigenProduct", "99999998", TODAY)],
        "unknown_unchanged": [Change("OngewijzigdProduct", "99999998"), Change("NieuwProduct", None, LATER)],
        "wished_start_moved": [Change("TeWijzigenProduct", number, TODAY - timedelta(days=3))],
        "no_volume": [Change("TeWijzigenProduct", number, TODAY, volume=None)],
        "nothing_to_change": [Change("OngewijzigdProduct", number)],
    }[case]


@pytest.mark.parametrize(
    ("case", "where", "expected"),
    [
        ("unknown_changed", "TeWijzigenProduct", ["9351"]),  # TR351
        ("unknown_changed", "Verzoek", ["9349"]),  # TR349: the current allocation is not named
        ("unknown_unchanged", "OngewijzigdProduct", ["9350"]),  # TR350
        ("wished_start_moved", "TeWijzigenProduct", ["9357"]),  # TR357
        ("no_volume", "TeWijzigenProduct", ["9411"]),  # TR411
        ("nothing_to_change", "Verzoek", ["0001"]),  # TR353
    ],
)
async def test_a_change_breaking_a_rule_is_answered_and_kept_as_nothing(
    client: httpx.AsyncClient,
    session: AsyncSession,
    ref: Reference,
    auth: Auth,
    case: str,
    where: str,
    expected: list[str],
) -> None:
    a, _, allocation = await running(client, session, ref, auth, bsn(51))
    body = jw317(allocation, "VOW-2", _changes(allocation, case), identification="VOW2", issued=TODAY)
    assert codes(await send(client, a.provider, body), where) == expected
    assert await tasks(session) == 0


async def test_another_clients_allocation_and_a_pending_request(
    client: httpx.AsyncClient, session: AsyncSession, ref: Reference, auth: Auth
) -> None:
    a, _, mine = await running(client, session, ref, auth, bsn(52))
    _, _, theirs = await running(client, session, ref, auth, bsn(53))
    other = Change("TeWijzigenProduct", theirs.assignment_number, TODAY)
    own = Change("TeWijzigenProduct", mine.assignment_number, TODAY, LATER)
    reply = await send(
        client, a.provider, jw317(mine, "VOW-3", [own, other], identification="VOW3", issued=TODAY)
    )
    assert codes(reply, "Client") == ["8187"]  # TR304
    first = await send(client, a.provider, jw317(mine, "VOW-4", [own], identification="VOW4", issued=TODAY))
    assert set(all_codes(first)) == {"0200"}
    second = await send(client, a.provider, jw317(mine, "VOW-5", [own], identification="VOW5", issued=TODAY))
    assert codes(second, "Verzoek") == ["9374"]  # TR374
    assert await tasks(session) == 1
