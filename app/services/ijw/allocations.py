"""Producing JW301 when an engagement's allocation is issued, withdrawn or ended.

Registered with the engagement services at app creation (:func:`install`); runs in the
transaction of the change. An engagement whose child has no BSN cannot be allocated in iJw
(the BSN is mandatory in JW301): no message is produced for it.
"""

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.catalogue import ProfileIntensity
from app.models.engagements import Engagement
from app.models.families import FamilyMember
from app.models.providers import Provider
from app.services.engagements import allocation_hooks
from app.services.ijw import jw301
from app.services.ijw.elements import municipality_number
from app.services.ijw.request_answers import answered_reference
from app.services.ijw.store import Parties, add_outbound, next_identification
from app.services.money import ledger_rules
from app.services.money.payments import terms_of
from app.services.platform.clock import local_date, today
from app.services.reference.support_profiles import IjwProduct, ijw_product

RELATION_ROLES = ("parent", "carer")


def install() -> None:
    allocation_hooks.listen(on_allocation_changed)


def _person(member: FamilyMember) -> jw301.Person:
    return jw301.Person(
        member_id=str(member.id),
        given_name=member.given_name,
        family_name=member.family_name,
        birth_date=member.birth_date,
        role=member.role,
        bsn=member.bsn,
    )


async def product_of(session: AsyncSession, engagement: Engagement) -> IjwProduct:
    row = (
        await session.execute(
            select(ProfileIntensity.ijw_category, ProfileIntensity.ijw_code).where(
                ProfileIntensity.profile_code == engagement.profile_code,
                ProfileIntensity.code == engagement.intensity_code,
            )
        )
    ).first()
    category, code = row if row else (None, None)
    return ijw_product(engagement.profile_code, engagement.intensity_code, category, code)


def allocated_from(engagement: Engagement) -> date:
    """The allocation is valid from the request date (a start may lie on any day since)."""
    return local_date(engagement.requested_at)


def allocated_to(engagement: Engagement) -> date | None:
    if engagement.status == "withdrawn":
        return allocated_from(engagement)
    if engagement.status == "closed":
        return engagement.end_date
    return None


def ceiling_cents(engagement: Engagement) -> int:
    terms = terms_of(engagement)
    return ledger_rules.ceiling(terms) if terms else 0


async def on_allocation_changed(session: AsyncSession, engagement: Engagement) -> None:
    if engagement.assignment_number is None or engagement.answered_at is None:
        return
    members = list(
        (
            await session.scalars(
                select(FamilyMember)
                .where(FamilyMember.family_id == engagement.family_id, FamilyMember.active)
                .order_by(FamilyMember.created_at, FamilyMember.id)
            )
        ).all()
    )
    child = next((m for m in members if m.id == engagement.member_id), None)
    if child is None or child.bsn is None:
        return
    agb = await session.scalar(select(Provider.agb_code).where(Provider.id == engagement.provider_id))
    product = await product_of(session, engagement)
    identification = await next_identification(session)
    allocation = jw301.Allocation(
        municipality_code=engagement.municipality_code,
        provider_agb=str(agb),
        identification=identification,
        issued=today(),
        client=_person(child),
        relations=[_person(m) for m in members if m.role in RELATION_ROLES],
        assignment_number=engagement.assignment_number,
        category=product.category,
        code=product.code,
        allocated_at=engagement.answered_at,
        valid_from=allocated_from(engagement),
        valid_to=allocated_to(engagement),
        change_reason=jw301.change_reason(engagement.status, engagement.end_reason),
        volume_euros=jw301.volume_euros(ceiling_cents(engagement)),
        provider_reference=await answered_reference(session, engagement, product.category, product.code),
    )
    await add_outbound(
        session,
        Parties(engagement.municipality_code, engagement.provider_id, engagement.id, engagement.family_id),
        jw301.build(allocation),
        message_code="JW301",
        message_id=identification,
        sender=municipality_number(engagement.municipality_code),
    )
