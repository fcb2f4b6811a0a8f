"""Storing iJw messages and reading them back (scoped to the engagement's provider and team).

Every message we produce is checked against its XSD before it is stored: a message that does
not validate is a defect in a builder, never something to send. Each stored message tells the
bus (``ijw-message.available``: ids and codes only, the document stays behind the API).
"""

import hashlib
import uuid
from dataclasses import dataclass

from lxml import etree
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import Principal, Role
from app.errors import Forbidden, NotFound
from app.ijw.documents import schema_errors
from app.models.families import Family
from app.models.ijw import IJW_MESSAGE_NUMBER_SEQUENCE, IjwMessage
from app.services.engagements.scope import load_engagement
from app.services.ijw.elements import serialise
from app.services.platform import audit, events
from app.services.platform.audit import Action

MESSAGE_EVENT = events.EventSpec(
    "/ijw-messages/{id}", ("message_code", "direction", "engagement_id", "provider_id")
)


class InvalidOutboundMessage(RuntimeError):
    """A message we built does not validate against its schema (a defect, never sent)."""


@dataclass(frozen=True)
class Parties:
    municipality_code: str
    provider_id: uuid.UUID
    engagement_id: uuid.UUID | None
    family_id: uuid.UUID | None


async def next_identification(session: AsyncSession) -> str:
    """A fresh BerichtIdentificatie (12 digits, unique for every message we send)."""
    number = await session.scalar(select(IJW_MESSAGE_NUMBER_SEQUENCE.next_value()))
    return f"{number:012d}"


def sha256(document: bytes) -> str:
    return hashlib.sha256(document).hexdigest()


def add_message(
    session: AsyncSession,
    parties: Parties,
    *,
    message_code: str,
    direction: str,
    message_id: str,
    sender: str,
    document: bytes,
    return_codes: list[str] | None = None,
    answers_id: uuid.UUID | None = None,
) -> IjwMessage:
    row = IjwMessage(
        municipality_code=parties.municipality_code,
        engagement_id=parties.engagement_id,
        family_id=parties.family_id,
        provider_id=parties.provider_id,
        message_code=message_code,
        direction=direction,
        message_id=message_id,
        sender=sender,
        body_sha256=sha256(document),
        document=document.decode("utf-8"),
        return_codes=return_codes or [],
        answers_id=answers_id,
    )
    session.add(row)
    return row


async def add_outbound(
    session: AsyncSession,
    parties: Parties,
    root: etree._Element,
    *,
    message_code: str,
    message_id: str,
    sender: str,
    return_codes: list[str] | None = None,
    answers_id: uuid.UUID | None = None,
) -> IjwMessage:
    """Validate, store and announce a message we send."""
    problems = schema_errors(message_code, root)
    if problems:
        raise InvalidOutboundMessage(f"{message_code} does not validate: {problems[0].reason}")
    row = add_message(
        session,
        parties,
        message_code=message_code,
        direction="outbound",
        message_id=message_id,
        sender=sender,
        document=serialise(root),
        return_codes=return_codes,
        answers_id=answers_id,
    )
    await session.flush()
    MESSAGE_EVENT.emit(session, "ijw-message.available", row)
    return row


def _may_read(principal: Principal, provider_id: uuid.UUID) -> bool:
    """The engagement's main contractor and the family's team (the scope query checks the team)."""
    if principal.has(Role.PROVIDER_STAFF):
        return principal.provider == provider_id
    return principal.has(Role.DISTRICT_PROFESSIONAL)


REQUEST_MESSAGES = ("JW315", "JW316", "JW317", "JW318", "JW319")


def _intake_for_teams(principal: Principal, row: IjwMessage) -> bool:
    return (
        principal.has(Role.DISTRICT_PROFESSIONAL)
        and row.municipality_code == principal.municipality
        and row.message_code in REQUEST_MESSAGES
    )


async def _team_of_family(session: AsyncSession, principal: Principal, family_id: uuid.UUID | None) -> bool:
    if family_id is None or not principal.has(Role.DISTRICT_PROFESSIONAL):
        return False
    team = await session.scalar(select(Family.team_id).where(Family.id == family_id))
    return team is not None and team == principal.team


async def list_for_engagement(
    session: AsyncSession, principal: Principal, engagement_id: uuid.UUID
) -> list[IjwMessage]:
    scoped = await load_engagement(session, principal, engagement_id)
    if not _may_read(principal, scoped.engagement.provider_id):
        raise NotFound("engagement")
    rows = await session.scalars(
        select(IjwMessage)
        .where(IjwMessage.engagement_id == engagement_id)
        .order_by(IjwMessage.created_at, IjwMessage.id)
    )
    audit.record(
        session, principal, Action.READ, "ijw_message", engagement_id, family_id=scoped.engagement.family_id
    )
    return list(rows)


async def get_message(session: AsyncSession, principal: Principal, message_id: uuid.UUID) -> IjwMessage:
    """The message, for the engagement's provider and the family's team; others get 404.

    A message without an engagement (a request, an unlinked claim) is visible to its provider and,
    when it concerns a family, to that family's team; a request for a client we do not know (an
    intake task) and its answers to every district team of the municipality.
    """
    row = await session.get(IjwMessage, message_id)
    if row is None:
        raise NotFound("iJw message")
    if row.engagement_id is not None:
        try:
            scoped = await load_engagement(session, principal, row.engagement_id)
        except (NotFound, Forbidden):
            raise NotFound("iJw message") from None
        visible = _may_read(principal, scoped.engagement.provider_id)
    elif principal.has(Role.PROVIDER_STAFF):
        visible = principal.provider == row.provider_id
    elif row.family_id is None:
        visible = _intake_for_teams(principal, row)
    else:
        visible = await _team_of_family(session, principal, row.family_id)
    if not visible:
        raise NotFound("iJw message")
    audit.record(session, principal, Action.READ, "ijw_message", row.id, family_id=row.family_id)
    return row
