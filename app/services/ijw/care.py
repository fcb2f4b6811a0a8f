"""Start and end of care (JW305, JW307): layer 3 (rules across messages) and applying them.

A line must be linked to an allocation we sent (TR019, ``9019``): its ``ToewijzingNummer``
names an engagement of the sending provider in our municipality, for the client's BSN, with
the allocated product, not removed, and the date lies within the allocation. Then:

* start (JW305): no current start (TR326, ``9326``); the same start again is ``9074`` (TR074);
  applied as ``POST /engagements/{id}/start`` would.
* end (JW307): a current start with the same begin date (TR382, ``9069``); no earlier stop
  (TR415 ``9415``, TR413 ``9413`` for a second temporary end, TR414 ``9414`` for an earlier end
  date; the same stop again ``9074``); applied as an end of care whose closure report (final GAS
  per goal) follows.

Only ``StatusAanlevering`` 1 (a new delivery) is handled; corrections and removals (2, 3) are
answered ``0001`` and change nothing.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date

from lxml import etree
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import AppError
from app.models.engagements import Engagement
from app.models.families import FamilyMember
from app.schemas.engagements import EngagementStart
from app.services.engagements import closure
from app.services.engagements import service as engagements
from app.services.ijw import checks, returns
from app.services.ijw.allocations import allocated_from, allocated_to, product_of
from app.services.ijw.assessment import TECHNICAL, Assessment
from app.services.ijw.reading import child, children, day, text
from app.services.ijw.received import Received

NOT_LINKED = "9019"
SAME_KEY = "9074"
STILL_STARTED = "9326"
NO_CURRENT_START = "9069"
ALREADY_STOPPED = "9415"
TEMPORARY_TWICE = "9413"
EARLIER_THAN_STOP = "9414"
NEW_DELIVERY = "1"
TEMPORARILY_ENDED = "20"
MAX_ASSIGNMENT_NUMBER = 99_999_999
ALLOCATED = ("accepted", "started", "closed")


@dataclass
class Care:
    """One start or end message being handled, for the client it names."""

    received: Received
    bsn: str

    @property
    def session(self) -> AsyncSession:
        return self.received.session

    @property
    def assessment(self) -> Assessment:
        return self.received.assessment


async def linked_allocation(care: Care, line: etree._Element) -> Engagement | None:
    """The engagement whose allocation ``line`` names, locked; ``None`` when it cannot be linked."""
    number = text(line, "ToewijzingNummer")
    if number is None or int(number) > MAX_ASSIGNMENT_NUMBER:
        return None
    engagement = (
        await care.session.execute(
            select(Engagement)
            .where(
                Engagement.assignment_number == f"{int(number):08d}",
                Engagement.provider_id == care.received.provider.id,
                Engagement.municipality_code == care.received.principal.municipality,
            )
            .with_for_update()
        )
    ).scalar_one_or_none()
    if engagement is None or engagement.status not in ALLOCATED:
        return None
    bsn = await care.session.scalar(select(FamilyMember.bsn).where(FamilyMember.id == engagement.member_id))
    if bsn != care.bsn:
        return None
    product = await product_of(care.session, engagement)
    category, code = text(line, "Product/Categorie"), text(line, "Product/Code")
    if category is not None and (category, code or product.code) != (product.category, product.code):
        return None
    care.received.link(engagement)
    return engagement


def _within(engagement: Engagement, day_: date) -> bool:
    """``day_`` lies within the allocation's validity (from the request date, open-ended)."""
    end = allocated_to(engagement)
    return allocated_from(engagement) <= day_ and (end is None or day_ <= end)


async def _apply(care: Care, line: etree._Element, action: Callable[[], Awaitable[object]]) -> None:
    """Run an engagement service in a savepoint; a refusal is a finding and changes nothing."""
    try:
        async with care.session.begin_nested():
            await action()
    except AppError:
        care.assessment.reject(line, TECHNICAL)


async def start_line(care: Care, line: etree._Element) -> None:
    if text(line, "StatusAanlevering") != NEW_DELIVERY:
        care.assessment.reject(line, TECHNICAL)
        return
    begin = day(line, "Begindatum")
    assert begin is not None
    engagement = await linked_allocation(care, line)
    if engagement is None:
        care.assessment.reject(line, NOT_LINKED)
    elif engagement.status == "started":
        care.assessment.reject(line, SAME_KEY if engagement.start_date == begin else STILL_STARTED)
    elif engagement.status == "closed":
        care.assessment.reject(line, SAME_KEY if engagement.start_date == begin else NOT_LINKED)
    elif not _within(engagement, begin):
        care.assessment.reject(line, NOT_LINKED)
    else:
        body = EngagementStart(start_date=begin)
        engagement_id = engagement.id
        await _apply(
            care, line, lambda: engagements.start(care.session, care.received.principal, engagement_id, body)
        )


def _second_stop(engagement: Engagement, end: date, reason: str) -> str:
    if (engagement.end_date, engagement.end_reason) == (end, reason):
        return SAME_KEY
    if engagement.end_reason == TEMPORARILY_ENDED and reason == TEMPORARILY_ENDED:
        return TEMPORARY_TWICE
    if engagement.end_reason == TEMPORARILY_ENDED and engagement.end_date and end < engagement.end_date:
        return EARLIER_THAN_STOP
    return ALREADY_STOPPED


async def stop_line(care: Care, line: etree._Element) -> None:
    if text(line, "StatusAanlevering") != NEW_DELIVERY:
        care.assessment.reject(line, TECHNICAL)
        return
    begin, end, reason = day(line, "Begindatum"), day(line, "Einddatum"), text(line, "RedenBeeindiging")
    assert begin is not None and end is not None and reason is not None
    engagement = await linked_allocation(care, line)
    if engagement is None:
        care.assessment.reject(line, NOT_LINKED)
    elif engagement.status == "accepted" or engagement.start_date != begin:
        care.assessment.reject(line, NO_CURRENT_START)
    elif engagement.status == "closed":
        care.assessment.reject(line, _second_stop(engagement, end, reason))
    else:
        engagement_id = engagement.id
        await _apply(
            care,
            line,
            lambda: closure.end_of_care(care.session, care.received.principal, engagement_id, end, reason),
        )


LineHandler = Callable[[Care, etree._Element], Awaitable[None]]


class CareMessage:
    """JW305 (``StartProducten/StartProduct``) or JW307 (``StopProducten/StopProduct``)."""

    def __init__(self, wrapper: str, line: str, handle: LineHandler) -> None:
        self.wrapper, self.line, self.handle_line = wrapper, line, handle

    def _lines(self, client: etree._Element) -> list[etree._Element]:
        return [line for w in children(client, self.wrapper) for line in children(w, self.line)]

    def classes(self, root: etree._Element) -> list[etree._Element]:
        client = child(root, "Client")
        assert client is not None  # required by the schema
        return [client, *self._lines(client)]

    async def handle(self, received: Received) -> None:
        client, *lines = received.assessment.classes
        checks.check_client_lines(received.message, received.assessment, client, lines, received.issued)
        care = Care(received, text(client, "Bsn") or "")
        for line in lines:
            if not received.assessment.rejected(line):
                await self.handle_line(care, line)

    def answer(self, received: Received, identification: str) -> etree._Element:
        return returns.build(
            received.message, received.root, received.assessment, identification, received.today
        )


START = CareMessage("StartProducten", "StartProduct", start_line)
STOP = CareMessage("StopProducten", "StopProduct", stop_line)
