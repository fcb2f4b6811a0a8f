"""The negative corpus: every cross-message rule (and the within-message ones) broken once —
the right return code, a valid return message, and nothing changed."""

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

import httpx
import pytest
from lxml import etree
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.core import OutboxEvent
from app.models.engagements import Engagement
from app.models.money import PaymentLine
from tests.support.builders import nl_today
from tests.support.factories import Reference
from tests.support.ijw import (
    XML,
    Allocated,
    allocated,
    codes,
    jw305,
    jw307,
    post_message,
    valid,
)

Auth = Callable[..., dict[str, str]]
TODAY = nl_today()
YESTERDAY = TODAY - timedelta(days=1)


async def arrange(
    client: httpx.AsyncClient, session: AsyncSession, ref: Reference, auth: Auth, state: str
) -> tuple[Any, str, Allocated]:
    """An engagement accepted, started (by JW305), stopped (by JW307) or withdrawn."""
    (_, a, eid), allocation = await allocated(client, session, ref, auth)
    if state in ("started", "stopped"):
        body = jw305(allocation, TODAY, identification="ARRANGE1", issued=TODAY)
        await post_message(client, a.provider, body)
    if state == "stopped":
        body = jw307(allocation, TODAY, TODAY, "31", identification="ARRANGE2", issued=TODAY)
        await post_message(client, a.provider, body)
    if state == "withdrawn":
        assert (await client.post(f"/engagements/{eid}/withdraw", headers=a.family)).status_code == 200
    return a, eid, allocation


async def snapshot(session: AsyncSession, eid: str) -> tuple[Any, ...]:
    session.expire_all()
    engagement = await session.get(Engagement, eid)
    assert engagement is not None
    lines = await session.scalar(
        select(func.count()).select_from(PaymentLine).where(PaymentLine.engagement_id == eid)
    )
    events = await session.scalar(
        select(func.count()).select_from(OutboxEvent).where(OutboxEvent.type.like("%engagement%"))
    )
    return (
        engagement.status,
        engagement.start_date,
        engagement.end_date,
        engagement.end_reason,
        lines,
        events,
    )


def start(**kw: Any) -> Callable[[Allocated], bytes]:
    return lambda a: jw305(a, kw.pop("begin", TODAY), issued=kw.pop("issued", TODAY), **kw)


def stop(**kw: Any) -> Callable[[Allocated], bytes]:
    def make(a: Allocated) -> bytes:
        return jw307(
            a,
            kw.get("begin", TODAY),
            kw.get("end", TODAY),
            kw.get("reason", "31"),
            issued=kw.get("issued", TODAY),
            **{k: v for k, v in kw.items() if k in ("assignment", "identification")},
        )

    return make


CORPUS = [
    # (state, message, class answered, expected code)
    ("accepted", start(assignment="99999998"), "StartProduct", "9019"),  # TR019: no such allocation
    ("withdrawn", start(), "StartProduct", "9019"),  # TR019: the allocation was removed
    ("accepted", start(begin=YESTERDAY), "StartProduct", "9019"),  # before the allocation
    ("started", start(begin=YESTERDAY), "StartProduct", "9326"),  # TR326: still started
    ("started", start(), "StartProduct", "9074"),  # TR074: this start was received
    ("accepted", stop(), "StopProduct", "9069"),  # TR382: no current start
    ("started", stop(begin=YESTERDAY), "StopProduct", "9069"),  # TR382: not the start's key
    ("stopped", stop(reason="33"), "StopProduct", "9415"),  # TR415: stopped already
    ("stopped", stop(), "StopProduct", "9074"),  # TR074: this stop was received
    ("started", stop(assignment="99999998"), "StopProduct", "9019"),  # TR019
    ("started", stop(end=YESTERDAY), "StopProduct", "0001"),  # TR018: end before begin
    ("accepted", start(begin=TODAY + timedelta(days=1), issued=TODAY), "StartProduct", "0001"),  # TR134
    ("accepted", start(issued=TODAY + timedelta(days=1)), "Header", "8848"),  # TR135: dated ahead
]


@pytest.mark.parametrize(("state", "make", "where", "code"), CORPUS)
async def test_a_broken_rule_gets_its_code_and_changes_nothing(
    client: httpx.AsyncClient,
    session: AsyncSession,
    ref: Reference,
    auth: Auth,
    state: str,
    make: Callable[[Allocated], bytes],
    where: str,
    code: str,
) -> None:
    a, eid, allocation = await arrange(client, session, ref, auth, state)
    before = await snapshot(session, eid)
    response = await post_message(client, a.provider, make(allocation))
    reply = etree.fromstring(response.content)
    answer = "JW306" if b"StartProduct" in response.content else "JW308"
    assert valid(answer, reply)
    assert codes(reply, where) == [code]
    assert await snapshot(session, eid) == before


# A start naming what is not this municipality's or this client's: (changed field, codes by class).
FOREIGN = {
    "another_municipality": (
        {"municipality": "0599"},
        {"Header": ["S300"], "Client": ["0233"], "StartProduct": ["0233"]},
    ),
    "another_clients_bsn": ({"bsn": "111222333"}, {"StartProduct": ["9019"]}),  # cannot be linked
}


@pytest.mark.parametrize("name", list(FOREIGN))
async def test_a_start_for_another_municipality_or_client_changes_nothing(
    client: httpx.AsyncClient, session: AsyncSession, ref: Reference, auth: Auth, name: str
) -> None:
    changed, expected = FOREIGN[name]
    a, eid, allocation = await arrange(client, session, ref, auth, "accepted")
    before = await snapshot(session, eid)
    foreign = replace(allocation, **changed)
    response = await client.post(
        "/ijw-messages", content=jw305(foreign, TODAY, issued=TODAY), headers=a.provider | XML
    )
    reply = etree.fromstring(response.content)
    assert {where: codes(reply, where) for where in expected} == expected
    assert await snapshot(session, eid) == before
