"""Receiving a provider's iJw message: three layers of checks, applied once, always answered.

1. the document: a hardened parse and the message's XSD — a failure is 400 and nothing is kept;
2. the technical rules within the message (:mod:`app.services.ijw.checks`);
3. the rules across messages, per message (:mod:`app.services.ijw.care`, …), which also apply it.

The message and its return message are stored; the same message identification (per sender
and message type, TR056) with the same document is answered with the stored return message and
applied once; with another document it is answered ``9056`` and nothing is kept.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import Principal, Role
from app.errors import AppError, Forbidden, InvalidInput, InvalidParam
from app.ijw import documents
from app.ijw.standard import RETURN_OF
from app.models.ijw import IjwMessage
from app.models.providers import Provider
from app.services.ijw import care, changes, checks, claims, requests
from app.services.ijw.assessment import Assessment
from app.services.ijw.elements import municipality_number, serialise
from app.services.ijw.reading import child, descendants, text
from app.services.ijw.received import MessageKind, Received
from app.services.ijw.store import Parties, add_message, add_outbound, next_identification, sha256
from app.services.platform import audit
from app.services.platform.audit import Action
from app.services.platform.clock import today

XML_MEDIA_TYPES = ("application/xml", "text/xml")
NOT_UNIQUE = "9056"
UNKNOWN_MUNICIPALITY = "S300"

# A fresh handler per message (a claim gathers its verdict as it goes).
KINDS: dict[str, Callable[[], MessageKind]] = {
    "JW305": lambda: care.START,
    "JW307": lambda: care.STOP,
    "JW315": requests.RequestMessage,
    "JW317": changes.ChangeMessage,
    "JW323": claims.ClaimMessage,
}


class NotXml(AppError):
    status = 415
    code = "unsupported_media_type"


@dataclass(frozen=True)
class Answer:
    """The return message, and the stored inbound message it answers (``None``: not kept)."""

    document: bytes
    inbound_id: uuid.UUID | None
    created: bool


def _read(body: bytes) -> tuple[str, etree._Element]:
    try:
        root = documents.parse(body)
        message = documents.message_code(root, tuple(KINDS))
        documents.check_valid(message, root)
    except documents.DocumentRejected as rejected:
        raise InvalidInput(
            [InvalidParam("body", rejected.code, f"{p.where}: {p.reason}") for p in rejected.problems],
            "The document is not a valid iJw 3.2 message.",
        ) from None
    return message, root


async def _sending_provider(session: AsyncSession, principal: Principal, sender: str) -> Provider:
    if not principal.has(Role.PROVIDER_STAFF) or principal.provider is None:
        raise Forbidden("Only provider staff send iJw messages.")
    provider = await session.get(Provider, principal.provider)
    if provider is None or provider.agb_code != sender:
        raise Forbidden("Only staff of the sending provider (its AGB code) may send its messages.")
    return provider


async def _stored_answer(session: AsyncSession, inbound: IjwMessage) -> bytes:
    document = await session.scalar(select(IjwMessage.document).where(IjwMessage.answers_id == inbound.id))
    assert document is not None
    return document.encode("utf-8")


async def receive(session: AsyncSession, principal: Principal, media_type: str, body: bytes) -> Answer:
    if not principal.has(Role.PROVIDER_STAFF):
        raise Forbidden("Only provider staff send iJw messages.")
    if media_type.split(";")[0].strip().lower() not in XML_MEDIA_TYPES:
        raise NotXml("Send the message as application/xml.")
    message, root = _read(body)
    header = child(root, "Header")
    assert header is not None  # the schema requires it
    sender, identification = text(header, "Afzender"), text(header, "BerichtIdentificatie/Identificatie")
    assert sender is not None and identification is not None
    provider = await _sending_provider(session, principal, sender)
    kind = KINDS[message]()
    key = f"ijw:{sender}:{message}:{identification}"
    await session.execute(select(func.pg_advisory_xact_lock(func.hashtext(key))))
    earlier = (
        await session.execute(
            select(IjwMessage).where(
                IjwMessage.sender == sender,
                IjwMessage.message_code == message,
                IjwMessage.message_id == identification,
            )
        )
    ).scalar_one_or_none()
    assessment = Assessment(header, kind.classes(root))
    day = today()
    received = Received(
        session,
        principal,
        provider,
        message,
        root,
        assessment,
        checks.message_date(header),
        day,
        uuid.uuid4(),
    )
    if earlier is not None:
        if earlier.body_sha256 == sha256(body):
            return Answer(await _stored_answer(session, earlier), earlier.id, created=False)
        assessment.reject(header, NOT_UNIQUE)
        return Answer(
            serialise(kind.answer(received, await next_identification(session))), None, created=False
        )
    ours = municipality_number(principal.municipality)
    if text(header, "Ontvanger") != ours:
        assessment.reject(header, UNKNOWN_MUNICIPALITY)
    checks.check_header(assessment, day)
    inbound = add_message(
        session,
        Parties(principal.municipality, provider.id, None, None),
        message_code=message,
        direction="inbound",
        message_id=identification,
        sender=sender,
        document=serialise(root),
    )
    inbound.id = received.row_id
    inbound.body_sha256 = sha256(body)
    await session.flush()  # the lines of a claim refer to it
    await kind.handle(received)
    return await _answer(received, inbound, kind)


async def _answer(received: Received, inbound: IjwMessage, kind: MessageKind) -> Answer:
    """Link the inbound message to what it concerns, store its answer; announce and audit them."""
    session, principal = received.session, received.principal
    linked = received.linked[0] if received.linked else None
    parties = Parties(
        principal.municipality,
        received.provider.id,
        linked.id if linked else None,
        linked.family_id if linked else None,
    )
    reply_id = await next_identification(session)
    reply = kind.answer(received, reply_id)
    codes = list(dict.fromkeys(str(e.text) for e in descendants(reply, "RetourCode")))
    inbound.engagement_id, inbound.family_id, inbound.return_codes = (
        parties.engagement_id,
        parties.family_id,
        codes,
    )
    await session.flush()
    stored = await add_outbound(
        session,
        parties,
        reply,
        message_code=RETURN_OF[received.message],
        message_id=reply_id,
        sender=municipality_number(principal.municipality),
        return_codes=codes,
        answers_id=inbound.id,
    )
    audit.record(session, principal, Action.CREATE, "ijw_message", inbound.id, family_id=parties.family_id)
    return Answer(stored.document.encode("utf-8"), inbound.id, created=True)
