"""Receiving a provider's iJw message: three layers of checks, applied once, always answered.

1. the document: a hardened parse and the message's XSD — a failure is 400 and nothing is kept;
2. the technical rules within the message (:mod:`app.services.ijw.checks`);
3. the rules across messages, per message (:mod:`app.services.ijw.care`, …), which also apply it.

The message and its return message are stored; the same message identification (per sender
and message type, TR056) with the same document is answered with the stored return message and
applied once; with another document it is answered ``9056`` and nothing is kept.
"""

import uuid
from collections.abc import Awaitable, Callable
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
from app.services.ijw import care, checks, returns
from app.services.ijw.assessment import Assessment
from app.services.ijw.elements import municipality_number, serialise
from app.services.ijw.reading import child, children, text
from app.services.ijw.store import Parties, add_message, add_outbound, next_identification, sha256
from app.services.platform import audit
from app.services.platform.audit import Action
from app.services.platform.clock import today

XML_MEDIA_TYPES = ("application/xml", "text/xml")
NOT_UNIQUE = "9056"
UNKNOWN_MUNICIPALITY = "S300"

Handler = Callable[[care.Care, etree._Element], Awaitable[None]]
# message → (path of its lines under Client, what handles one line)
LINES: dict[str, tuple[str, Handler]] = {
    "JW305": ("StartProducten/StartProduct", care.start_line),
    "JW307": ("StopProducten/StopProduct", care.stop_line),
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
        message = documents.message_code(root, tuple(LINES))
        documents.check_valid(message, root)
    except documents.DocumentRejected as rejected:
        raise InvalidInput(
            [InvalidParam("body", rejected.code, f"{p.where}: {p.reason}") for p in rejected.problems],
            "The document is not a valid iJw 3.2 message.",
        ) from None
    return message, root


def _lines(message: str, client: etree._Element) -> list[etree._Element]:
    wrapper, name = LINES[message][0].split("/")
    return [line for w in children(client, wrapper) for line in children(w, name)]


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
    header, client = child(root, "Header"), child(root, "Client")
    assert header is not None and client is not None  # the schema requires both
    sender, identification = text(header, "Afzender"), text(header, "BerichtIdentificatie/Identificatie")
    assert sender is not None and identification is not None
    provider = await _sending_provider(session, principal, sender)
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
    lines = _lines(message, client)
    assessment = Assessment(header, [client, *lines])
    ours = municipality_number(principal.municipality)
    if earlier is not None:
        if earlier.body_sha256 == sha256(body):
            return Answer(await _stored_answer(session, earlier), earlier.id, created=False)
        assessment.reject(header, NOT_UNIQUE)
        reply = returns.build(message, root, assessment, await next_identification(session), today())
        return Answer(serialise(reply), None, created=False)
    if text(header, "Ontvanger") != ours:
        assessment.reject(header, UNKNOWN_MUNICIPALITY)
    checks.check(message, assessment, client, lines, today())
    bsn = text(client, "Bsn") or ""
    work = care.Care(session, principal, provider.id, principal.municipality, bsn, assessment)
    handle = LINES[message][1]
    for line in lines:
        if not assessment.rejected(line):
            await handle(work, line)
    linked = work.linked[0] if work.linked else None
    parties = Parties(
        principal.municipality,
        provider.id,
        linked.id if linked else None,
        linked.family_id if linked else None,
    )
    codes = assessment.all_codes()
    inbound = add_message(
        session,
        parties,
        message_code=message,
        direction="inbound",
        message_id=identification,
        sender=sender,
        document=serialise(root),
        return_codes=codes,
    )
    inbound.body_sha256 = sha256(body)
    await session.flush()
    reply_id = await next_identification(session)
    reply = returns.build(message, root, assessment, reply_id, today())
    stored = await add_outbound(
        session,
        parties,
        reply,
        message_code=RETURN_OF[message],
        message_id=reply_id,
        sender=ours,
        return_codes=codes,
        answers_id=inbound.id,
    )
    audit.record(session, principal, Action.CREATE, "ijw_message", inbound.id, family_id=parties.family_id)
    return Answer(stored.document.encode("utf-8"), inbound.id, created=True)
