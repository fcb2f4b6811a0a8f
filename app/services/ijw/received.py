"""What the handlers of one inbound message share, and what each kind of message provides."""

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from lxml import etree
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import Principal
from app.models.engagements import Engagement
from app.models.providers import Provider
from app.services.ijw.assessment import Assessment


@dataclass
class Received:
    session: AsyncSession
    principal: Principal
    provider: Provider
    message: str
    root: etree._Element
    assessment: Assessment
    issued: date  # the message's Dagtekening
    today: date
    row_id: uuid.UUID  # the id the inbound message is stored under
    linked: list[Engagement] = field(default_factory=list)

    def link(self, engagement: Engagement) -> None:
        if engagement not in self.linked:
            self.linked.append(engagement)


class MessageKind(Protocol):
    """One kind of inbound message: its classes, its checks (layers 2 and 3) and its answer."""

    def classes(self, root: etree._Element) -> list[etree._Element]:
        """The message classes below the header, parents before children."""
        ...

    async def handle(self, received: Received) -> None:
        """Check within and across messages; apply what passes."""
        ...

    def answer(self, received: Received, identification: str) -> etree._Element:
        """The return message."""
        ...
