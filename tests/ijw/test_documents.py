"""Malformed and hostile documents: 400 problem+json listing the problems (413 over the body
cap, 415 not XML, 403 from another provider), never a 500, and nothing kept or changed."""

from collections.abc import Callable

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import get_settings
from app.models.core import AuditEvent
from app.models.ijw import IjwMessage
from tests.support.builders import nl_today
from tests.support.factories import Reference
from tests.support.ijw import XML, allocated, jw305

Auth = Callable[..., dict[str, str]]
JW305_NS = b"http://www.istandaarden.nl/ijw/3_2/jw305/schema"

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<Bericht xmlns="http://www.istandaarden.nl/ijw/3_2/jw305/schema">&lol3;</Bericht>"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE b [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Bericht xmlns="http://www.istandaarden.nl/ijw/3_2/jw305/schema">&xxe;</Bericht>"""
DEEP = b'<Bericht xmlns="' + JW305_NS + b'">' + b"<a>" * 3000 + b"</a>" * 3000 + b"</Bericht>"

HOSTILE = {
    "not_xml": (b'{"not": "xml"}', "not_well_formed"),
    "truncated": (b'<Bericht xmlns="' + JW305_NS + b'"><Header>', "not_well_formed"),
    "wrong_namespace": (b'<Bericht xmlns="urn:example:other"/>', "unknown_message"),
    "a_return_message": (
        b'<Bericht xmlns="http://www.istandaarden.nl/ijw/3_2/jw306/schema"/>',
        "unknown_message",
    ),
    "billion_laughs": (BILLION_LAUGHS, "doctype_not_allowed"),
    "xxe": (XXE, "doctype_not_allowed"),
    "deep_nesting": (DEEP, "not_well_formed"),
    "schema_invalid": (b'<Bericht xmlns="' + JW305_NS + b'"><Header/></Bericht>', "schema_invalid"),
}


async def count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(IjwMessage)) or 0)


@pytest.mark.parametrize("name", sorted(HOSTILE))
async def test_hostile_documents_are_400_and_change_nothing(
    client: httpx.AsyncClient, session: AsyncSession, ref: Reference, auth: Auth, name: str
) -> None:
    body, code = HOSTILE[name]
    staff = auth("provider_staff", provider=ref.providers[0])
    response = await client.post("/ijw-messages", content=body, headers=staff | XML)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["invalidParams"] and {p["code"] for p in problem["invalidParams"]} == {code}
    assert "passwd" not in response.text and "root:" not in response.text
    assert await count(session) == 0


async def test_schema_errors_are_listed_each(
    client: httpx.AsyncClient, session: AsyncSession, ref: Reference, auth: Auth
) -> None:
    (_, a, eid), allocation = await allocated(client, session, ref, auth)
    body = jw305(allocation, nl_today(), issued=nl_today())
    broken = body.replace(b"<Bsn>", b"<Bsn>x").replace(b"<StatusAanlevering>1", b"<StatusAanlevering>7")
    response = await client.post("/ijw-messages", content=broken, headers=a.provider | XML)
    assert response.status_code == 400
    reasons = [p["reason"] for p in response.json()["invalidParams"]]
    assert len(reasons) >= 2  # each facet the value breaks is its own error
    assert any("Bsn" in r for r in reasons) and any("StatusAanlevering" in r for r in reasons)
    assert all(r.startswith("line ") for r in reasons)
    assert (await client.get(f"/engagements/{eid}", headers=a.provider)).json()["status"] == "accepted"
    assert await count(session) == 1  # the JW301 only


async def test_over_the_body_cap_is_413(client: httpx.AsyncClient, ref: Reference, auth: Auth) -> None:
    staff = auth("provider_staff", provider=ref.providers[0])
    body = b"<a>" + b" " * (get_settings().max_body_bytes + 1) + b"</a>"
    response = await client.post("/ijw-messages", content=body, headers=staff | XML)
    assert response.status_code == 413


async def test_not_xml_media_type_is_415(client: httpx.AsyncClient, ref: Reference, auth: Auth) -> None:
    staff = auth("provider_staff", provider=ref.providers[0])
    response = await client.post("/ijw-messages", json={"a": 1}, headers=staff)
    assert response.status_code == 415


async def test_only_the_sending_providers_staff(
    client: httpx.AsyncClient, session: AsyncSession, ref: Reference, auth: Auth
) -> None:
    (_, a, _), allocation = await allocated(client, session, ref, auth)
    body = jw305(allocation, nl_today(), issued=nl_today())
    for outsider in (a.third, a.team, a.family):
        response = await client.post("/ijw-messages", content=body, headers=outsider | XML)
        assert response.status_code == 403
    assert await count(session) == 1
    denied = await session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.outcome == "denied")
    )
    assert denied == 3
