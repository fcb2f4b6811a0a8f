"""JW301: an allocation on acceptance, a removal on withdrawal, an end on closure — each one
valid against the iJw 3.2 schema, listed on the engagement and announced on the bus."""

from collections.abc import Callable

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.core import OutboxEvent
from app.schemas.engagements import EndReason
from tests.support.builders import nl_today
from tests.support.engagements import closure_body, engagement_at
from tests.support.factories import Reference
from tests.support.ijw import CHILD_BSN, document, ijw_case, messages, text, valid

Auth = Callable[..., dict[str, str]]


async def test_acceptance_sends_a_valid_allocation(
    client: httpx.AsyncClient, session: AsyncSession, ref: Reference, auth: Auth
) -> None:
    case, a, eid = await engagement_at("requested", client, session, ref, auth, build=ijw_case)
    assert await messages(client, a.provider, eid) == []
    accepted = await client.post(f"/engagements/{eid}/accept", headers=a.provider)
    assert accepted.status_code == 200

    [sent] = await messages(client, a.provider, eid)
    assert (sent["messageCode"], sent["direction"], sent["returnCodes"]) == ("JW301", "outbound", [])
    assert await messages(client, a.team, eid) == [sent]
    jw301 = await document(client, a.provider, sent["id"])
    assert valid("JW301", jw301)
    assert text(jw301, "Client/Bsn") == CHILD_BSN
    assert text(jw301, "Header/Afzender") == "0363"
    assert text(jw301, "Header/Ontvanger") == ref.provider_agbs[0]
    assert text(jw301, "Header/BerichtIdentificatie/Identificatie") == sent["messageId"]
    assert int(text(jw301, "ToegewezenProduct/ToewijzingNummer")) == int(accepted.json()["assignmentNumber"])
    assert text(jw301, "ToegewezenProduct/Product/Categorie") == "50"
    assert text(jw301, "ToegewezenProduct/Product/Code") == f"{case.profile_code}{case.intensity_code}"
    assert text(jw301, "ToegewezenProduct/Ingangsdatum") == nl_today().isoformat()
    assert text(jw301, "Relaties/Relatie/Soort") == "10"  # the parent
    assert jw301.xpath(".//*[local-name()='Einddatum']") == []
    available = await session.scalar(
        select(func.count())
        .select_from(OutboxEvent)
        .where(OutboxEvent.type == "nl.perspectief.ijw-message.available", OutboxEvent.subject == sent["id"])
    )
    assert available == 1


async def test_messages_are_for_the_provider_and_the_team_only(
    client: httpx.AsyncClient, session: AsyncSession, ref: Reference, auth: Auth
) -> None:
    _, a, eid = await engagement_at("accepted", client, session, ref, auth, build=ijw_case)
    [sent] = await messages(client, a.provider, eid)
    for outsider in (a.third, a.other_team, a.other_municipality_team):
        assert (await client.get(f"/ijw-messages/{sent['id']}", headers=outsider)).status_code == 404
        listed = await client.get(f"/engagements/{eid}/ijw-messages", headers=outsider)
        assert listed.status_code == 404


async def test_withdrawal_of_an_accepted_engagement_removes_the_allocation(
    client: httpx.AsyncClient, session: AsyncSession, ref: Reference, auth: Auth
) -> None:
    _, a, eid = await engagement_at("accepted", client, session, ref, auth, build=ijw_case)
    assert (await client.post(f"/engagements/{eid}/withdraw", headers=a.family)).status_code == 200
    first, removal = await messages(client, a.provider, eid)
    jw301 = await document(client, a.provider, removal["id"])
    assert valid("JW301", jw301)
    assert text(jw301, "ToegewezenProduct/RedenWijziging") == "13"
    begin = text(jw301, "ToegewezenProduct/Ingangsdatum")
    assert text(jw301, "ToegewezenProduct/Einddatum") == begin
    assert removal["messageId"] != first["messageId"]


async def test_withdrawal_before_acceptance_sends_nothing(
    client: httpx.AsyncClient, session: AsyncSession, ref: Reference, auth: Auth
) -> None:
    _, a, eid = await engagement_at("requested", client, session, ref, auth, build=ijw_case)
    assert (await client.post(f"/engagements/{eid}/withdraw", headers=a.family)).status_code == 200
    assert await messages(client, a.team, eid) == []


async def test_no_allocation_without_a_bsn(
    client: httpx.AsyncClient, session: AsyncSession, ref: Reference, auth: Auth
) -> None:
    _, a, eid = await engagement_at("started", client, session, ref, auth)
    assert await messages(client, a.provider, eid) == []


EXPECTED_CHANGE_REASON = {"02": "02", "36": "05", "37": "12", "38": "09", "39": "06"}


@pytest.mark.parametrize("reason", [r.value for r in EndReason])
async def test_closure_ends_the_allocation_with_each_end_reason(
    client: httpx.AsyncClient, session: AsyncSession, ref: Reference, auth: Auth, reason: str
) -> None:
    case, a, eid = await engagement_at("started", client, session, ref, auth, build=ijw_case)
    closed = await client.post(
        f"/engagements/{eid}/close", json=closure_body(case.goal_ids[1:], [0, 1], reason), headers=a.provider
    )
    assert closed.status_code == 200, closed.text
    issued, ended = await messages(client, a.provider, eid)
    for sent in (issued, ended):
        assert valid("JW301", await document(client, a.provider, sent["id"]))
    jw301 = await document(client, a.provider, ended["id"])
    assert text(jw301, "ToegewezenProduct/Einddatum") == nl_today().isoformat()
    assert text(jw301, "ToegewezenProduct/RedenWijziging") == EXPECTED_CHANGE_REASON.get(reason, "14")
