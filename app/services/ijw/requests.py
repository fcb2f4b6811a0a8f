"""Requests for an allocation (JW315): kept as a task for the family's team, answered in time.

Layer 2 within the message: a reference once per message (TR383), a period that ends after it
begins, the same product not twice over overlapping periods (TR386) — ``0001``. Layer 3: the
reference is new for the provider (TR347 ``9347``), and the provider has no open request for the
client already (TR374 ``9374``).

Each accepted product becomes an allocation request, linked when the BSN is a member of a family
of ours (its current plan and a valid referral for the product's support profile), otherwise an
intake task. A product the provider has no contract for is refused at once (JW319, WJ759 ``3``);
every other request awaits the team's answer — a JW301 when an engagement for it is accepted,
or a JW319 — within 5 working days; a linked request still open after that goes to case review.
"""

from datetime import date

from lxml import etree
from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.base import utcnow
from app.models.catalogue import ProfileIntensity, SupportProfile
from app.models.families import FamilyMember
from app.models.geography import Municipality
from app.models.ijw import AllocationRequest
from app.models.plans import Plan
from app.models.referrals import Referral
from app.services.engagements.flags import add_working_days
from app.services.engagements.provider_options import contract_terms
from app.services.ijw import checks, jw319, returns
from app.services.ijw.assessment import TECHNICAL
from app.services.ijw.elements import municipality_number
from app.services.ijw.reading import child, children, day, text
from app.services.ijw.received import Received
from app.services.ijw.store import Parties, add_outbound, next_identification
from app.services.reference.support_profiles import DEFAULT_IJW_CATEGORY

ANSWER_WORKING_DAYS = 5
REFERENCE_USED = "9347"
REQUEST_PENDING = "9374"
OPEN = ("open", "investigating")
PLAN_STATES = ("agreed", "active", "evaluating")
UNUSABLE_REFERRAL = ("withdrawn", "expired")


async def _provider_has_request(received: Received, *conditions: ColumnElement[bool]) -> bool:
    """The sending provider has an allocation request that meets ``conditions``."""
    found = await received.session.scalar(
        select(func.count())
        .select_from(AllocationRequest)
        .where(AllocationRequest.provider_id == received.provider.id, *conditions)
    )
    return bool(found)


async def reference_used(received: Received, request: etree._Element) -> bool:
    """The provider used the request's ``ReferentieAanbieder`` before (JW315 and JW317 alike)."""
    reference = text(request, "ReferentieAanbieder") or ""
    return await _provider_has_request(received, AllocationRequest.provider_reference == reference)


async def request_pending(received: Received, bsn: str) -> bool:
    """The provider has an unanswered request for this client (JW315 and JW317 alike)."""
    return await _provider_has_request(
        received, AllocationRequest.client_bsn == bsn, AllocationRequest.status.in_(OPEN)
    )


async def profile_of_product(
    received: Received, category: str | None, code: str | None
) -> tuple[str, str] | None:
    """The support profile × intensity allocated as this iJw product, if any."""
    if not category or not code:
        return None
    explicit = and_(ProfileIntensity.ijw_category == category, ProfileIntensity.ijw_code == code)
    default = and_(
        ProfileIntensity.ijw_code.is_(None),
        category == DEFAULT_IJW_CATEGORY,
        ProfileIntensity.profile_code + ProfileIntensity.code == code,
    )
    row = (
        await received.session.execute(
            select(ProfileIntensity.profile_code, ProfileIntensity.code)
            .where(or_(explicit, default))
            .limit(1)
        )
    ).first()
    return (row[0], row[1]) if row else None


def _within_message(received: Received, lines: list[etree._Element]) -> None:
    a = received.assessment
    seen: list[str | None] = []
    periods: list[tuple[tuple[str | None, str | None], date, date]] = []
    for line in lines:
        reference = text(line, "ReferentieAanbieder")
        start, end = day(line, "ToewijzingIngangsdatum"), day(line, "ToewijzingEinddatum")
        assert start is not None
        product = (text(line, "Product/Categorie"), text(line, "Product/Code"))
        last = end or date.max
        overlaps = any(p == product and s <= last and start <= e for p, s, e in periods)
        if reference in seen or (end is not None and end < start) or overlaps:
            a.reject(line, TECHNICAL)
        seen.append(reference)
        periods.append((product, start, last))


class RequestMessage:
    """JW315, answered with JW316; refusals at once with JW319."""

    def classes(self, root: etree._Element) -> list[etree._Element]:
        client = child(root, "Client")
        assert client is not None
        return [
            client,
            *[
                p
                for w in children(client, "AangevraagdeProducten")
                for p in children(w, "AangevraagdProduct")
            ],
        ]

    async def handle(self, received: Received) -> None:
        client, *lines = received.assessment.classes
        checks.birth_date(received.assessment, client, received.issued)
        _within_message(received, lines)
        bsn = text(client, "Bsn") or ""
        pending = await request_pending(received, bsn)
        member = await self._member(received, bsn)
        for line in lines:
            if received.assessment.rejected(line):
                continue
            if pending:
                received.assessment.reject(line, REQUEST_PENDING)
                continue
            await self._request(received, line, member)

    async def _member(self, received: Received, bsn: str) -> FamilyMember | None:
        return (
            await received.session.execute(
                select(FamilyMember).where(
                    FamilyMember.municipality_code == received.principal.municipality,
                    FamilyMember.bsn == bsn,
                    FamilyMember.active,
                )
            )
        ).scalar_one_or_none()

    async def _request(self, received: Received, line: etree._Element, member: FamilyMember | None) -> None:
        session, reference = received.session, text(line, "ReferentieAanbieder") or ""
        if await reference_used(received, line):
            received.assessment.reject(line, REFERENCE_USED)
            return
        category, code = text(line, "Product/Categorie"), text(line, "Product/Code")
        product = await profile_of_product(received, category, code)
        start = day(line, "ToewijzingIngangsdatum")
        assert start is not None
        request = AllocationRequest(
            municipality_code=received.principal.municipality,
            message_id=received.row_id,
            provider_id=received.provider.id,
            provider_reference=reference,
            client_bsn=text(line.getparent().getparent(), "Bsn") or "",
            product_category=category,
            product_code=code,
            requested_start=start,
            requested_end=day(line, "ToewijzingEinddatum"),
            referrer_type=text(line, "Verwijzer/Type") or "",
            answer_due=add_working_days(received.today, ANSWER_WORKING_DAYS),
        )
        if member is not None:
            await self._link(received, request, member, product)
        session.add(request)
        await session.flush()
        if not await self._contracted(received, product, start):
            await answer(received, request, jw319.REFUSED, jw319.NO_CONTRACT)

    @staticmethod
    async def _link(
        received: Received, request: AllocationRequest, member: FamilyMember, product: tuple[str, str] | None
    ) -> None:
        session = received.session
        request.family_id, request.member_id = member.family_id, member.id
        request.plan_id = await session.scalar(
            select(Plan.id)
            .where(Plan.family_id == member.family_id, Plan.status.in_(PLAN_STATES))
            .order_by(Plan.created_at.desc())
            .limit(1)
        )
        if product is not None:
            request.referral_id = await session.scalar(
                select(Referral.id)
                .where(
                    Referral.member_id == member.id,
                    Referral.profile_code == product[0],
                    Referral.intensity_code == product[1],
                    Referral.valid_from <= received.today,
                    Referral.valid_to >= received.today,
                    Referral.status.not_in(UNUSABLE_REFERRAL),
                )
                .order_by(Referral.valid_from.desc())
                .limit(1)
            )

    @staticmethod
    async def _contracted(received: Received, product: tuple[str, str] | None, on: date) -> bool:
        if product is None:
            return False
        session = received.session
        segment = await session.scalar(
            select(SupportProfile.segment).where(SupportProfile.code == product[0])
        )
        region = await session.scalar(
            select(Municipality.region_id).where(Municipality.code == received.principal.municipality)
        )
        terms = await contract_terms(
            session,
            region_id=region,
            profile_code=product[0],
            intensity_code=product[1],
            segment=segment or "B",
            on=max(on, received.today),
            provider_id=received.provider.id,
        )
        return bool(terms)

    def answer(self, received: Received, identification: str) -> etree._Element:
        return returns.build(
            received.message, received.root, received.assessment, identification, received.today
        )


async def answer(
    received: Received,
    request: AllocationRequest,
    verdict: str,
    reason: str | None = None,
    responsible: str | None = None,
) -> None:
    """Send the JW319 for ``request`` (see :func:`send_answer`)."""
    await send_answer(
        received.session, request, received.provider.agb_code, verdict, reason, responsible, received.today
    )


async def send_answer(
    session: AsyncSession,
    request: AllocationRequest,
    agb: str,
    verdict: str,
    reason: str | None,
    responsible: str | None,
    today: date,
) -> None:
    """Send the JW319 answering ``request`` and record the answer on it."""
    identification = await next_identification(session)
    reply = jw319.Reply(
        request.municipality_code,
        agb,
        identification,
        today,
        request.provider_reference,
        verdict,
        reason,
        responsible,
    )
    await add_outbound(
        session,
        Parties(request.municipality_code, request.provider_id, None, request.family_id),
        jw319.build(reply),
        message_code="JW319",
        message_id=identification,
        sender=municipality_number(request.municipality_code),
        answers_id=request.message_id,
    )
    request.answer_code, request.refusal_reason = verdict, reason
    request.status = "answered" if verdict == jw319.REFUSED else "investigating"
    request.answered_at = utcnow()
