"""Change requests (JW317): a provider asks to change its client's allocations.

Layer 2 within the message: something to keep or change (TR352) and something to change or add
(TR353) — ``0001`` on the request; an end before the wished start, or a new product twice over
overlapping periods (TR410) — ``0001`` on the product.

Layer 3 against our allocations (the current ones: accepted or started engagements of this
provider for this client): each unchanged and each changed product names one (TR350 ``9350``,
TR351 ``9351``); together they name them all (TR349 ``9349``); they are this client's (TR304
``8187``); a wished start on or before the message date is the allocation's own start (TR357
``9357``); a changed product carries its volume (TR411 ``9411``); the reference is new (TR347
``9347``) and no request of the provider for this client is pending (TR374 ``9374``).

An accepted change request becomes a task for the family's team, answered within 5 working days
with JW319 (``POST /ijw-allocation-requests/{id}/answer``); our engagements have no operation
that changes an allocation's period or volume, so an agreed change is carried out by closing the
engagement and requesting a new one.
"""

from datetime import date

from lxml import etree
from sqlalchemy import func, select

from app.models.engagements import Engagement
from app.models.families import FamilyMember
from app.models.ijw import AllocationRequest
from app.services.engagements.flags import add_working_days
from app.services.ijw import returns
from app.services.ijw.allocations import allocated_from
from app.services.ijw.assessment import TECHNICAL
from app.services.ijw.reading import child, children, day, text
from app.services.ijw.received import Received
from app.services.ijw.requests import (
    ANSWER_WORKING_DAYS,
    REFERENCE_USED,
    REQUEST_PENDING,
    reference_used,
    request_pending,
)

NOT_ALL_CURRENT = "9349"
UNCHANGED_NOT_CURRENT = "9350"
CHANGED_NOT_CURRENT = "9351"
WISHED_START = "9357"
VOLUME_MISSING = "9411"
OTHER_CLIENT = "8187"
CURRENT = ("accepted", "started")
MAX_ASSIGNMENT_NUMBER = 99_999_999


def _number(line: etree._Element) -> str | None:
    value = text(line, "ToewijzingNummer")
    return f"{int(value):08d}" if value is not None and int(value) <= MAX_ASSIGNMENT_NUMBER else None


class ChangeMessage:
    """JW317, answered with JW318."""

    def classes(self, root: etree._Element) -> list[etree._Element]:
        client = child(root, "Client")
        request = child(client, "Verzoek") if client is not None else None
        assert client is not None and request is not None
        products = [
            p
            for wrapper, name in (
                ("OngewijzigdeProducten", "OngewijzigdProduct"),
                ("TeWijzigenProducten", "TeWijzigenProduct"),
                ("NieuweProducten", "NieuwProduct"),
            )
            for w in children(request, wrapper)
            for p in children(w, name)
        ]
        return [client, request, *products]

    async def handle(self, received: Received) -> None:
        client, request, *products = received.assessment.classes
        kinds = {etree.QName(p).localname for p in products}
        a = received.assessment
        if not kinds & {"OngewijzigdProduct", "TeWijzigenProduct"} or not kinds & {
            "TeWijzigenProduct",
            "NieuwProduct",
        }:
            a.reject(request, TECHNICAL)
        self._within(received, products)
        current = await self._current(received, text(client, "Bsn") or "")
        await self._request(received, request, current)
        if a.rejected(request):
            return
        named: set[str] = set()
        for product in products:
            kind = etree.QName(product).localname
            if kind == "NieuwProduct" or a.rejected(product):
                continue
            number = _number(product)
            engagement = current.get(number or "")
            if engagement is None:
                a.reject(
                    product, UNCHANGED_NOT_CURRENT if kind == "OngewijzigdProduct" else CHANGED_NOT_CURRENT
                )
                continue
            named.add(number or "")
            received.link(engagement)
            if kind == "TeWijzigenProduct":
                self._changed(received, product, engagement)
        if not a.rejected(request) and set(current) - named:
            a.reject(request, NOT_ALL_CURRENT)
        if not any(a.rejected(e) for e in a.classes):
            await self._keep(received, request, products)

    @staticmethod
    def _within(received: Received, products: list[etree._Element]) -> None:
        seen: list[tuple[tuple[str | None, str | None], date, date]] = []
        for product in products:
            start, end = day(product, "GewensteIngangsdatum"), day(product, "Einddatum")
            if start is not None and end is not None and end < start:
                received.assessment.reject(product, TECHNICAL)
            if etree.QName(product).localname == "NieuwProduct" and start is not None:
                key = (text(product, "Product/Categorie"), text(product, "Product/Code"))
                last = end or date.max
                if any(k == key and s <= last and start <= e for k, s, e in seen):
                    received.assessment.reject(product, TECHNICAL)
                seen.append((key, start, last))

    @staticmethod
    async def _current(received: Received, bsn: str) -> dict[str, Engagement]:
        """The provider's current allocations for the client with ``bsn``, by assignment number."""
        rows = await received.session.scalars(
            select(Engagement)
            .join(FamilyMember, FamilyMember.id == Engagement.member_id)
            .where(
                Engagement.provider_id == received.provider.id,
                Engagement.municipality_code == received.principal.municipality,
                Engagement.status.in_(CURRENT),
                FamilyMember.bsn == bsn,
            )
        )
        return {e.assignment_number: e for e in rows.all() if e.assignment_number}

    async def _request(
        self, received: Received, request: etree._Element, current: dict[str, Engagement]
    ) -> None:
        a = received.assessment
        if await reference_used(received, request):
            a.reject(request, REFERENCE_USED)
        client = request.getparent()
        if await request_pending(received, text(client, "Bsn") or ""):
            a.reject(request, REQUEST_PENDING)
        for product in a.classes[2:]:
            number = _number(product) if etree.QName(product).localname != "NieuwProduct" else None
            if number and number not in current and await self._someone_elses(received, number):
                a.reject(client, OTHER_CLIENT)

    @staticmethod
    async def _someone_elses(received: Received, number: str) -> bool:
        found = await received.session.scalar(
            select(func.count())
            .select_from(Engagement)
            .where(
                Engagement.assignment_number == number,
                Engagement.provider_id == received.provider.id,
                Engagement.status.in_(CURRENT),
            )
        )
        return bool(found)

    @staticmethod
    def _changed(received: Received, product: etree._Element, engagement: Engagement) -> None:
        wished = day(product, "GewensteIngangsdatum")
        if wished is not None and wished <= received.issued and wished != allocated_from(engagement):
            received.assessment.reject(product, WISHED_START)
        if child(product, "Omvang") is None:
            received.assessment.reject(product, VOLUME_MISSING)

    @staticmethod
    async def _keep(received: Received, request: etree._Element, products: list[etree._Element]) -> None:
        engagement = received.linked[0] if received.linked else None
        wished = [d for p in products if (d := day(p, "GewensteIngangsdatum")) is not None]
        first_new = next((p for p in products if etree.QName(p).localname == "NieuwProduct"), None)
        received.session.add(
            AllocationRequest(
                municipality_code=received.principal.municipality,
                message_id=received.row_id,
                kind="change",
                provider_id=received.provider.id,
                engagement_id=engagement.id if engagement else None,
                family_id=engagement.family_id if engagement else None,
                member_id=engagement.member_id if engagement else None,
                plan_id=engagement.plan_id if engagement else None,
                provider_reference=text(request, "ReferentieAanbieder") or "",
                client_bsn=text(request.getparent(), "Bsn") or "",
                product_category=text(first_new, "Product/Categorie") if first_new is not None else None,
                product_code=text(first_new, "Product/Code") if first_new is not None else None,
                requested_start=min(wished) if wished else received.today,
                change_reason=text(request, "RedenVerzoek"),
                answer_due=add_working_days(received.today, ANSWER_WORKING_DAYS),
            )
        )
        await received.session.flush()

    def answer(self, received: Received, identification: str) -> etree._Element:
        return returns.build(
            received.message, received.root, received.assessment, identification, received.today
        )
