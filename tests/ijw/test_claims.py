"""Claims (JW323): approved line by line against the engagement's ledger; a line above the
frozen tariff, or breaking another rule, is rejected with its code in the JW325."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from lxml import etree
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.ijw import ClaimLine
from app.models.money import PaymentLine
from tests.support.builders import nl_today
from tests.support.factories import Reference
from tests.support.families import bsn
from tests.support.ijw import (
    Allocated,
    Claimed,
    all_codes,
    allocated,
    answer,
    codes,
    jw305,
    jw307,
    jw323,
    messages,
    post_message,
    text,
)

Auth = Callable[..., dict[str, str]]
TODAY = nl_today()
MONTH = (TODAY.replace(day=1), (TODAY.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1))


async def ended_care(
    client: httpx.AsyncClient, session: AsyncSession, ref: Reference, auth: Auth, child_bsn: str
) -> tuple[Any, str, Allocated, int]:
    """An engagement started and ended today by JW305/JW307; its ledger total for this month."""
    (_, a, eid), allocation = await allocated(client, session, ref, auth, child_bsn)
    tag = child_bsn[-4:]
    for body in (
        jw305(allocation, TODAY, identification=f"S{tag}", issued=TODAY),
        jw307(allocation, TODAY, TODAY, "31", identification=f"E{tag}", issued=TODAY),
    ):
        await post_message(client, a.provider, body)
    due = await session.scalar(
        select(func.sum(PaymentLine.amount_cents)).where(PaymentLine.engagement_id == eid)
    )
    assert due and due > 0
    return a, eid, allocation, int(due)


async def post_claim(client: httpx.AsyncClient, a: Any, body: bytes) -> etree._Element:
    return await answer(client, a.provider, body, "JW325")


async def approved(session: AsyncSession) -> list[ClaimLine]:
    session.expire_all()
    return list((await session.scalars(select(ClaimLine).where(ClaimLine.approved))).all())


async def test_a_claim_for_the_ledger_is_approved_line_by_line(
    client: httpx.AsyncClient, session: AsyncSession, ref: Reference, auth: Auth
) -> None:
    a, eid, allocation, due = await ended_care(client, session, ref, auth, bsn(11))
    line = Claimed("REF-1", TODAY, TODAY, due)
    claim = jw323(allocation, [line], number="D1", identification="CLAIM1", issued=TODAY, period=MONTH)
    reply = await post_claim(client, a, claim)
    assert codes(reply, "Header") == ["0200"]
    assert codes(reply, "DeclaratieAntwoord") == ["8001"]  # approved in full: no lines listed
    assert reply.xpath("//*[local-name()='Prestatie']") == []
    assert int(text(reply, "TotaalToegekendBedrag/TotaalBedrag")) == due
    assert text(reply, "DeclaratieIdentificatie/Identificatie") == "CLAIM1"
    [kept] = await approved(session)
    ledger = (await session.scalars(select(PaymentLine.id).where(PaymentLine.engagement_id == eid))).all()
    assert sorted(kept.payment_line_ids) == sorted(str(i) for i in ledger)
    listed = await messages(client, a.provider, eid)
    assert [m["messageCode"] for m in listed][-2:] == ["JW323", "JW325"]
    assert listed[-1]["returnCodes"] == ["0200", "8001"]


async def test_a_line_above_the_frozen_tariff_is_rejected_the_other_approved(
    client: httpx.AsyncClient, session: AsyncSession, ref: Reference, auth: Auth
) -> None:
    a, _, first, due_first = await ended_care(client, session, ref, auth, bsn(12))
    _, _, second, due_second = await ended_care(client, session, ref, auth, bsn(13))
    lines = [
        Claimed("REF-A", TODAY, TODAY, due_first, assignment=first.assignment_number, bsn=first.bsn),
        Claimed("REF-B", TODAY, TODAY, due_second + 1, assignment=second.assignment_number, bsn=second.bsn),
    ]
    claim = jw323(first, lines, number="D2", identification="CLAIM2", issued=TODAY, period=MONTH)
    reply = await post_claim(client, a, claim)
    rejected = reply.xpath("//*[local-name()='Prestatie']")
    assert [text(p, "ProductReferentie/ReferentieNummer") for p in rejected] == ["REF-B"]
    assert codes(rejected[0]) == ["0611"]
    assert codes(reply, "DeclaratieAntwoord") == ["0200"]
    assert int(text(reply, "TotaalToegekendBedrag/TotaalBedrag")) == due_first
    assert [c.reference for c in await approved(session)] == ["REF-A"]


def line(**kw: Any) -> Claimed:
    return Claimed(kw.pop("reference", "NEG-1"), kw.pop("start", TODAY), kw.pop("end", TODAY), 0, **kw)


CORPUS = [
    # (line, expected code) — the amount is the month's ledger total unless ``cents`` is given
    (dict(assignment="99999998"), "9338"),  # TR338: no such allocation
    (dict(bsn=bsn(99)), "8187"),  # TR304: another client
    (dict(category="45"), "9339"),  # TR339
    (dict(code="X1"), "9340"),  # TR340
    (dict(unit="82"), "9341"),  # TR341
    (dict(start=TODAY - timedelta(days=1)), "9307"),  # TR307: before the allocation
    (dict(extra_cents=1), "0611"),  # TR418: above the frozen tariff
    (dict(debit=False, previous="NONE"), "8017"),  # TR323: a credit without its debit
]


@pytest.mark.parametrize(("changes", "code"), CORPUS)
async def test_a_line_breaking_a_rule_is_rejected_and_nothing_approved(
    client: httpx.AsyncClient,
    session: AsyncSession,
    ref: Reference,
    auth: Auth,
    changes: dict[str, Any],
    code: str,
) -> None:
    a, _, allocation, due = await ended_care(client, session, ref, auth, bsn(14))
    changes = dict(changes)
    cents = due + changes.pop("extra_cents", 0)
    claimed = line(**changes)
    claimed.cents = cents
    reply = await post_claim(
        client,
        a,
        jw323(allocation, [claimed], number="N1", identification="NEG1", issued=TODAY, period=MONTH),
    )
    [rejected] = reply.xpath("//*[local-name()='Prestatie']")
    assert code in codes(rejected)
    assert int(text(reply, "TotaalToegekendBedrag/TotaalBedrag")) == 0
    assert await approved(session) == []


async def test_claims_across_messages(
    client: httpx.AsyncClient, session: AsyncSession, ref: Reference, auth: Auth
) -> None:
    a, _, allocation, due = await ended_care(client, session, ref, auth, bsn(15))

    def claim(number: str, ident: str, *lines: Claimed, total: int | None = None) -> bytes:
        return jw323(
            allocation,
            list(lines),
            number=number,
            identification=ident,
            issued=TODAY,
            period=MONTH,
            total=total,
        )

    first = await post_claim(client, a, claim("C1", "C1", Claimed("R1", TODAY, TODAY, due)))
    assert codes(first, "DeclaratieAntwoord") == ["8001"]
    # the same reference again (TR314), a second debit for the period (TR389)
    again = await post_claim(client, a, claim("C2", "C2", Claimed("R1", TODAY, TODAY, due)))
    assert codes(again.xpath("//*[local-name()='Prestatie']")[0]) == ["8021"]
    twice = await post_claim(client, a, claim("C3", "C3", Claimed("R2", TODAY, TODAY, due)))
    assert "9389" in all_codes(twice)
    # the claim number again (TR333): the whole claim is rejected, nothing approved
    reused = await post_claim(client, a, claim("C1", "C4", Claimed("R3", TODAY, TODAY, due)))
    assert codes(reused, "DeclaratieAntwoord") == ["9333"]
    # a total that is not the sum of the lines (TR358)
    wrong_total = await post_claim(client, a, claim("C5", "C5", Claimed("R4", TODAY, TODAY, due), total=1))
    assert codes(wrong_total, "DeclaratieAntwoord") == ["0001"]
    assert [c.reference for c in await approved(session)] == ["R1"]
    # a credit of the approved debit is approved; then the period may be claimed again
    credit = await post_claim(
        client, a, claim("C6", "C6", Claimed("R5", TODAY, TODAY, due, debit=False, previous="R1"))
    )
    assert codes(credit, "DeclaratieAntwoord") == ["8001"]
    assert text(credit, "TotaalToegekendBedrag/DebetCredit") == "C"
    rebilled = await post_claim(client, a, claim("C7", "C7", Claimed("R6", TODAY, TODAY, due)))
    assert codes(rebilled, "DeclaratieAntwoord") == ["8001"]
    credited_twice = await post_claim(
        client, a, claim("C8", "C8", Claimed("R7", TODAY, TODAY, due, debit=False, previous="R1"))
    )
    assert "9390" in all_codes(credited_twice)
    assert sorted(c.reference for c in await approved(session)) == ["R1", "R5", "R6"]


async def test_a_claim_reads_what_it_is_checked_against_once_not_per_line(
    client: httpx.AsyncClient, session: AsyncSession, ref: Reference, auth: Auth, count_statements: Any
) -> None:
    ended = [await ended_care(client, session, ref, auth, bsn(60 + n)) for n in range(3)]
    a = ended[0][0]

    def claim(number: str, cases: list[Any]) -> bytes:
        lines = [
            Claimed(f"{number}-{n}", TODAY, TODAY, due, assignment=alloc.assignment_number, bsn=alloc.bsn)
            for n, (_, _, alloc, due) in enumerate(cases)
        ]
        return jw323(ended[0][2], lines, number=number, identification=number, issued=TODAY, period=MONTH)

    with count_statements() as one:
        assert codes(await post_claim(client, a, claim("ONE", ended[:1])), "DeclaratieAntwoord") == ["8001"]
    with count_statements() as three:
        assert codes(await post_claim(client, a, claim("THREE", ended[1:])), "DeclaratieAntwoord") == ["8001"]
    assert three.count == one.count
