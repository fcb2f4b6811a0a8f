"""Erasure in the iJw messages: the erased persons' data goes, the message and its process stay."""

import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

import httpx
from lxml import etree
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.services.privacy.ijw_documents import Erased, relation_number, scrub_document
from tests.support.builders import nl_today
from tests.support.engagements import actors, request
from tests.support.factories import Reference
from tests.support.families import bsn
from tests.support.ijw import (
    CHILD_BSN,
    XML,
    Allocated,
    Claimed,
    document,
    ijw_case,
    jw305,
    jw323,
    messages,
)
from tests.support.ijw import (
    text as xml_text,
)

Auth = Callable[..., dict[str, str]]
STRANGER_BSN = bsn(8)


def _texts(root: etree._Element, name: str) -> list[str | None]:
    return [e.text for e in root.iter() if isinstance(e.tag, str) and etree.QName(e).localname == name]


async def _withdrawn_allocation(
    client: httpx.AsyncClient, session: AsyncSession, ref: Reference, auth: Auth
) -> tuple[Any, Any, str]:
    """A case whose child was allocated care (JW301, the parent as relation) that was then
    withdrawn (a second JW301): nothing is open, so erasure may go ahead."""
    main = ref.providers[0]
    case = await ijw_case(session, ref, consent_providers=[main])
    a = actors(auth, ref, case)
    eid = (await request(client, a.family, case, main)).json()["id"]
    assert (await client.post(f"/engagements/{eid}/accept", headers=a.provider)).status_code == 200
    assert (await client.post(f"/engagements/{eid}/withdraw", headers=a.family)).status_code == 200
    return case, a, eid


async def _unlinked_start(client: httpx.AsyncClient, a: Any, allocation: Allocated, number: str) -> str:
    """A start (JW305) for an allocation we do not know: rejected, linked to no family."""
    today = nl_today()
    body = jw305(
        Allocated(**{**allocation.__dict__, "bsn": number}),
        today,
        identification=f"LOST{number[-4:]}",
        assignment="99999998",
        issued=today,
    )
    r = await client.post("/ijw-messages", content=body, headers=a.provider | XML)
    assert r.status_code == 201, r.text
    return r.headers["location"].rsplit("/", 1)[1]


async def _erase(client: httpx.AsyncClient, auth: Auth, case: Any, member: uuid.UUID | None = None) -> None:
    body = {"familyId": str(case.family_id), "requestedByMemberId": str(case.parent_id), "reason": "art. 17"}
    if member is not None:
        body["memberId"] = str(member)
    r = await client.post("/erasure-requests", json=body, headers=auth("admin"))
    assert r.status_code == 201, r.text


async def test_the_family_goes_from_its_messages_and_the_process_stays(
    client: httpx.AsyncClient, session: AsyncSession, ref: Reference, auth: Auth
) -> None:
    case, a, eid = await _withdrawn_allocation(client, session, ref, auth)
    sent = [m["id"] for m in await messages(client, a.provider, eid)]
    before = [await document(client, a.provider, m) for m in sent]
    allocation = Allocated.of(before[0])
    ours = await _unlinked_start(client, a, allocation, CHILD_BSN)
    stranger = await _unlinked_start(client, a, allocation, STRANGER_BSN)

    await _erase(client, auth, case)

    for original, message_id in zip(before, sent, strict=True):
        after = await document(client, a.provider, message_id)
        assert _texts(after, "Bsn") == [None]
        assert _texts(after, "Achternaam") == [None, None]  # the child's and the parent's names
        assert _texts(after, "Voornamen") == [None, None] and _texts(after, "Voorvoegsel") == [None, None]
        born = date.fromisoformat(xml_text(original, "Client/Geboortedatum/Datum"))
        assert xml_text(after, "Client/Geboortedatum/Datum") == f"{born.year}-01-01"
        assert xml_text(after, "Client/Geslacht") == "0"
        for kept in (
            "Header/BerichtIdentificatie/Identificatie",
            "ToegewezenProduct/ToewijzingNummer",
            "ToegewezenProduct/Product/Code",
            "ToegewezenProduct/Ingangsdatum",
        ):
            assert xml_text(after, kept) == xml_text(original, kept), kept
        assert _texts(after, "Soort") == _texts(original, "Soort")  # relation and contact codes
    # the start for an allocation we do not know named the child by BSN: it goes too
    assert _texts(await document(client, a.provider, ours), "Bsn") == [None]
    # ...and someone else's stays as it was
    assert _texts(await document(client, a.provider, stranger), "Bsn") == [STRANGER_BSN]


async def test_a_members_erasure_takes_only_that_member_out_of_the_messages(
    client: httpx.AsyncClient, session: AsyncSession, ref: Reference, auth: Auth
) -> None:
    case, a, eid = await _withdrawn_allocation(client, session, ref, auth)
    sent = [m["id"] for m in await messages(client, a.provider, eid)]

    await _erase(client, auth, case, case.parent_id)  # the parent: a relation in the child's JW301

    for message_id in sent:
        after = await document(client, a.provider, message_id)
        assert _texts(after, "Bsn") == [CHILD_BSN]
        assert _texts(after, "Voornamen")[0] is not None  # the child's name stays
        [parent] = [e for e in after.iter() if etree.QName(e).localname == "Relatie"]
        assert xml_text(parent, "Nummer") == relation_number(str(case.parent_id))
        assert _texts(parent, "Achternaam") == [None] and _texts(parent, "Voornamen") == [None]
        assert xml_text(parent, "Soort") == "10"


async def test_requests_lose_the_clients_bsn(
    client: httpx.AsyncClient, session: AsyncSession, ref: Reference, auth: Auth
) -> None:
    case, _, _ = await _withdrawn_allocation(client, session, ref, auth)
    await session.execute(
        text(
            "INSERT INTO ijw_allocation_requests (id, municipality_code, message_id, kind, provider_id,"
            " provider_reference, client_bsn, requested_start, status, answer_due, created_at)"
            " SELECT gen_random_uuid(), 'GM0363', m.id, 'allocation', m.provider_id, r.ref, r.bsn,"
            " current_date, 'answered', current_date, now()"
            " FROM (SELECT id, provider_id FROM ijw_messages WHERE message_code = 'JW301' LIMIT 1) m,"
            " (VALUES ('R-OURS', :ours), ('R-OTHER', :other)) r(ref, bsn)"
        ),
        {"ours": CHILD_BSN, "other": STRANGER_BSN},
    )
    await session.commit()

    await _erase(client, auth, case)

    rows = await session.execute(
        text("SELECT provider_reference, client_bsn FROM ijw_allocation_requests ORDER BY 1")
    )
    assert rows.all() == [("R-OTHER", STRANGER_BSN), ("R-OURS", None)]


def test_in_a_claim_only_the_erased_client_goes() -> None:
    today = nl_today()
    allocation = Allocated("0363", "12345678", CHILD_BSN, "", "", "10000001", "50", "P03I2", "")
    lines = [
        Claimed("REF-A", today, today, 12_300, bsn=CHILD_BSN),
        Claimed("REF-B", today, today, 45_600, bsn=STRANGER_BSN),
    ]
    claim = jw323(
        allocation, lines, number="C1", identification="CLAIM1", issued=today, period=(today, today)
    )

    scrubbed = scrub_document(claim.decode(), Erased(frozenset({CHILD_BSN})))

    assert scrubbed is not None
    root = etree.fromstring(scrubbed.encode())
    assert _texts(root, "Bsn") == [None, STRANGER_BSN]
    assert _texts(root, "ReferentieNummer") == ["REF-A", "REF-B"]
    assert _texts(root, "Bedrag") == ["12300", "45600"]
    assert scrub_document(claim.decode(), Erased(frozenset({bsn(9)}))) is None  # not in it: untouched
