"""Provider options for a child's support profile × intensity, and the contract terms that apply.

A provider is an option when one of its contracts in the region of the plan's municipality is
valid on the date and covers the product, and a tariff is in force then: the regional tariff for
segments A/B, the provider's own tariff for segment C. Free capacity is the contract's capacity
minus its running (accepted or started) engagements. All providers come from one query; their
waiting days from one more (:mod:`app.services.reference.waiting_times`).
"""

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import Principal, Role
from app.errors import Forbidden, NotFound
from app.models.catalogue import SupportProfile
from app.models.engagements import Engagement
from app.models.geography import Municipality
from app.models.plans import Plan, PlanSupportProfile
from app.models.providers import Contract, ContractProduct, Provider, Tariff
from app.services.engagements.scope import plan_scope_for_requesters
from app.services.platform import audit
from app.services.platform.audit import Action
from app.services.platform.clock import today
from app.services.reference.waiting_times import median_waiting_days

RUNNING = ("accepted", "started")


@dataclass
class ContractTerms:
    provider_id: uuid.UUID
    name: str
    agb_code: str
    contract_id: uuid.UUID
    profile_code: str
    intensity_code: str
    tariff_cents: int
    payment_model: str
    start_share_percent: int
    result_share_percent: int | None
    capacity: int | None
    running: int

    @property
    def free_capacity(self) -> int | None:
        return None if self.capacity is None else self.capacity - self.running


@dataclass
class ProviderOptionRow(ContractTerms):
    waiting_days: int | None = None


async def contract_terms(
    session: AsyncSession,
    *,
    region_id: uuid.UUID,
    profile_code: str,
    intensity_code: str,
    segment: str,
    on: date,
    provider_id: uuid.UUID | None = None,
) -> list[ContractTerms]:
    """Every contract covering the product on ``on`` in the region, with the tariff in force."""
    valid_contract = and_(
        Contract.region_id == region_id,
        Contract.valid_from <= on,
        or_(Contract.valid_to.is_(None), Contract.valid_to >= on),
    )
    tariff_owner = (
        Tariff.provider_id == Contract.provider_id if segment == "C" else Tariff.provider_id.is_(None)
    )
    running = (
        select(func.count())
        .where(Engagement.contract_id == Contract.id, Engagement.status.in_(RUNNING))
        .correlate(Contract)
        .scalar_subquery()
    )
    query = (
        select(
            Provider.id,
            Provider.name,
            Provider.agb_code,
            Contract.id,
            Tariff.amount_cents,
            Contract.payment_model,
            Contract.start_share_percent,
            Contract.result_share_percent,
            Contract.capacity,
            running,
        )
        .join(Contract, Contract.provider_id == Provider.id)
        .join(
            ContractProduct,
            and_(
                ContractProduct.contract_id == Contract.id,
                ContractProduct.profile_code == profile_code,
                ContractProduct.intensity_code == intensity_code,
            ),
        )
        .join(
            Tariff,
            and_(
                Tariff.region_id == region_id,
                Tariff.profile_code == profile_code,
                Tariff.intensity_code == intensity_code,
                Tariff.valid_from <= on,
                or_(Tariff.valid_to.is_(None), Tariff.valid_to >= on),
                tariff_owner,
            ),
        )
        .where(valid_contract)
        .order_by(Provider.name, Contract.valid_from.desc(), Contract.id)
    )
    if provider_id is not None:
        query = query.where(Provider.id == provider_id)
    rows = (await session.execute(query)).all()
    return [
        ContractTerms(
            provider_id=r[0],
            name=r[1],
            agb_code=r[2],
            contract_id=r[3],
            profile_code=profile_code,
            intensity_code=intensity_code,
            tariff_cents=r[4],
            payment_model=r[5],
            start_share_percent=r[6],
            result_share_percent=r[7],
            capacity=r[8],
            running=r[9],
        )
        for r in rows
    ]


async def provider_options(
    session: AsyncSession,
    principal: Principal,
    plan_id: uuid.UUID,
    member_id: uuid.UUID,
    *,
    on: date | None = None,
) -> list[ProviderOptionRow]:
    """The options for the child's support profile on the plan, sorted by waiting days (unknown last)."""
    if not principal.has(Role.FAMILY_MEMBER, Role.DISTRICT_PROFESSIONAL):
        raise Forbidden("Only the family or its district team choose a provider.")
    day = on or today()
    row = (
        await session.execute(
            select(
                Plan.family_id,
                PlanSupportProfile.profile_code,
                PlanSupportProfile.intensity_code,
                SupportProfile.segment,
                Municipality.region_id,
            )
            .join(PlanSupportProfile, PlanSupportProfile.plan_id == Plan.id)
            .join(SupportProfile, SupportProfile.code == PlanSupportProfile.profile_code)
            .join(Municipality, Municipality.code == Plan.municipality_code)
            .where(
                Plan.id == plan_id,
                PlanSupportProfile.member_id == member_id,
                plan_scope_for_requesters(principal),
            )
            .order_by(PlanSupportProfile.created_at.desc())
            .limit(1)
        )
    ).first()
    if row is None:
        raise NotFound("plan or the child's support profile on it")
    family_id, profile_code, intensity_code, segment, region_id = row
    terms = await contract_terms(
        session,
        region_id=region_id,
        profile_code=profile_code,
        intensity_code=intensity_code,
        segment=segment,
        on=day,
    )
    waiting = await median_waiting_days(
        session,
        [t.provider_id for t in terms],
        as_of=day,
        profile_code=profile_code,
        intensity_code=intensity_code,
    )
    options = [ProviderOptionRow(**vars(t), waiting_days=waiting.get(t.provider_id)) for t in terms]
    options.sort(key=lambda o: (o.waiting_days is None, o.waiting_days or 0, o.name))
    audit.record(session, principal, Action.READ, "provider-options", plan_id, family_id=family_id)
    return options
