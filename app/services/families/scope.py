"""Who may see which family, plan and referral: WHERE clauses, one per aggregate.

Every query that reads or changes family data puts one of these clauses in its WHERE, so a
row the caller may not see is simply not found (404) — never fetched first and checked after.
Everything is confined to the token's municipality.

* district_professional: the families of its own team;
* family_member: its own family only;
* provider_staff: reads a plan only while its provider is main contractor of an engagement of
  that plan (accepted, started or closed) **and** the family has an active consent to share the
  plan with that provider — withdrawing the consent hides the plan at once;
* gp: the referrals it made (by its AGB code).
"""

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from app.auth import Principal, Role
from app.errors import NotFound
from app.models.engagements import Engagement
from app.models.families import Family
from app.models.plans import Plan
from app.models.referrals import Consent, Referral
from app.pagination import PageRequest
from app.services.platform import clock, paging
from app.services.platform.rows import one_or_not_found

SHARE_PLAN_WITH_PROVIDER = "share_plan_with_provider"
# engagement states in which the provider is (or was) the plan's main contractor
MAIN_CONTRACTOR_STATES = ("accepted", "started", "closed")


def family_clause(principal: Principal) -> ColumnElement[bool]:
    """The families ``principal`` may see and (within the rules) change."""
    conditions: list[ColumnElement[bool]] = []
    if principal.has(Role.DISTRICT_PROFESSIONAL) and principal.team is not None:
        conditions.append(Family.team_id == principal.team)
    if principal.has(Role.FAMILY_MEMBER) and principal.family is not None:
        conditions.append(Family.id == principal.family)
    if not conditions:
        return false()
    return and_(Family.municipality_code == principal.municipality, or_(*conditions))


def visible_family_ids(principal: Principal) -> Select[tuple[object]]:
    """``SELECT families.id`` of the families ``principal`` may see (for ``IN`` clauses)."""
    return select(Family.id).where(family_clause(principal))


async def require_visible_family(session: AsyncSession, principal: Principal, family_id: uuid.UUID) -> None:
    """404 unless ``principal`` may see the family (one indexed lookup, scoped in the query)."""
    query = select(Family.id).where(Family.id == family_id, family_clause(principal))
    if (await session.execute(query)).scalar_one_or_none() is None:
        raise NotFound("family")


async def family_page(
    session: AsyncSession,
    principal: Principal,
    model: Any,
    family_id: uuid.UUID,
    page: PageRequest,
    at: InstrumentedAttribute[datetime],
) -> tuple[list[Any], str | None]:
    """A page of the family's rows of ``model``, newest ``at`` first, when ``principal`` may see it (404)."""
    await require_visible_family(session, principal, family_id)
    query = select(model).where(model.family_id == family_id)
    return await paging.newest_page(session, query, page, at, model.id)


async def lock_family(session: AsyncSession, principal: Principal, family_id: uuid.UUID) -> Family:
    """The family, locked for a change, when ``principal`` may see it (404 otherwise)."""
    query = select(Family).where(Family.id == family_id, family_clause(principal)).with_for_update()
    return await one_or_not_found(session, query, "family")


def active_consent(
    family_id: ColumnElement[object], provider_id: object, on: date | None = None
) -> ColumnElement[bool]:
    """EXISTS an active consent of the family to share its plan with the provider.

    Active: not withdrawn and ``validTo`` empty or not yet passed. Reused by every query that
    lets a provider see family data, so a withdrawal takes effect on the very next request.
    """
    day = on or clock.today()
    return exists().where(
        Consent.family_id == family_id,
        Consent.provider_id == provider_id,
        Consent.scope == SHARE_PLAN_WITH_PROVIDER,
        Consent.withdrawn_at.is_(None),
        or_(Consent.valid_to.is_(None), Consent.valid_to >= day),
    )


def plan_read_clause(principal: Principal) -> ColumnElement[bool]:
    """The plans ``principal`` may read (``GET /plans/{id}`` and its versions)."""
    conditions: list[ColumnElement[bool]] = []
    if principal.has(Role.DISTRICT_PROFESSIONAL, Role.FAMILY_MEMBER):
        conditions.append(Plan.family_id.in_(visible_family_ids(principal)))
    if principal.has(Role.PROVIDER_STAFF) and principal.provider is not None:
        main_contractor = exists().where(
            Engagement.plan_id == Plan.id,
            Engagement.provider_id == principal.provider,
            Engagement.status.in_(MAIN_CONTRACTOR_STATES),
        )
        conditions.append(and_(main_contractor, active_consent(Plan.family_id, principal.provider)))
    if not conditions:
        return false()
    return and_(Plan.municipality_code == principal.municipality, or_(*conditions))


def plan_write_clause(principal: Principal) -> ColumnElement[bool]:
    """The plans ``principal`` may change: those of the families it may see (never a provider's)."""
    return and_(
        Plan.municipality_code == principal.municipality,
        Plan.family_id.in_(visible_family_ids(principal)),
    )


def referral_clause(principal: Principal) -> ColumnElement[bool]:
    """The referrals ``principal`` may see.

    A team sees the referrals routed to it (intake tasks included) and those of its families;
    a GP only the referrals made under its AGB code; a family member those of its own family.
    """
    conditions: list[ColumnElement[bool]] = []
    if principal.has(Role.GP) and principal.agb:
        conditions.append(Referral.referrer_agb == principal.agb)
    if principal.has(Role.DISTRICT_PROFESSIONAL) and principal.team is not None:
        team_families = select(Family.id).where(
            Family.team_id == principal.team, Family.municipality_code == principal.municipality
        )
        conditions.append(or_(Referral.team_id == principal.team, Referral.family_id.in_(team_families)))
    if principal.has(Role.FAMILY_MEMBER) and principal.family is not None:
        conditions.append(Referral.family_id == principal.family)
    if not conditions:
        return false()
    return and_(Referral.municipality_code == principal.municipality, or_(*conditions))
