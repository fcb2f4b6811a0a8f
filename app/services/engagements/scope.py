"""Who may see which engagement, decided in the query (DESIGN §2) — the one scoping function.

* ``family_member``: its own family's engagements (full view);
* ``district_professional``: the engagements of its team's families (full view);
* ``provider_staff``: engagements where its provider is main contractor — the full case view
  only while the family's consent to share the plan with that provider is active, otherwise a
  restricted view (ids, codes, states, dates) — or subcontractor (``subcontracts.provider_id``),
  which shows that engagement's goals and activities and nothing else of the family; the
  subcontractor works under the main contractor's mandate, so it sees the engagement only while
  that consent is active;
* ``integration``: the restricted view of every engagement of its municipality (dataref reads).

Everything is confined to the token's municipality. Other roles may not use engagement
functions (403); a row outside the scope is a 404.
"""

import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, false, literal, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import Principal, Role
from app.errors import Conflict, Forbidden, NotFound
from app.models.engagements import Engagement, Subcontract
from app.models.families import Family
from app.models.plans import Plan
from app.services.families.scope import active_consent

READER_ROLES = (Role.FAMILY_MEMBER, Role.DISTRICT_PROFESSIONAL, Role.PROVIDER_STAFF, Role.INTEGRATION)


class Access(StrEnum):
    FULL = "full"
    RESTRICTED = "restricted"
    SUBCONTRACTOR = "subcontractor"


@dataclass
class ScopedEngagement:
    engagement: Engagement
    access: Access


def team_families(principal: Principal) -> Any:
    """The ids of the families of the professional's team (its current team)."""
    return select(Family.id).where(
        Family.team_id == principal.team, Family.municipality_code == principal.municipality
    )


def _subcontractor_clause(provider_id: uuid.UUID) -> ColumnElement[bool]:
    is_sub = exists().where(
        Subcontract.engagement_id == Engagement.id, Subcontract.provider_id == provider_id
    )
    return and_(is_sub, active_consent(Engagement.family_id, Engagement.provider_id))


def _access_whens(principal: Principal) -> list[tuple[ColumnElement[bool], str]]:
    """(condition, access) pairs, most generous first."""
    whens: list[tuple[ColumnElement[bool], str]] = []
    if principal.has(Role.FAMILY_MEMBER) and principal.family:
        whens.append((Engagement.family_id == principal.family, Access.FULL.value))
    if principal.has(Role.DISTRICT_PROFESSIONAL) and principal.team:
        whens.append((Engagement.family_id.in_(team_families(principal)), Access.FULL.value))
    if principal.has(Role.PROVIDER_STAFF) and principal.provider:
        main = Engagement.provider_id == principal.provider
        consent = active_consent(Engagement.family_id, principal.provider)
        whens.append((and_(main, consent), Access.FULL.value))
        whens.append((main, Access.RESTRICTED.value))
        whens.append((_subcontractor_clause(principal.provider), Access.SUBCONTRACTOR.value))
    if principal.has(Role.INTEGRATION):
        whens.append((true(), Access.RESTRICTED.value))
    return whens


def engagement_scope(principal: Principal) -> ColumnElement[bool]:
    """The WHERE clause: the engagements ``principal`` may see at all."""
    whens = _access_whens(principal)
    if not whens:
        return false()
    return and_(Engagement.municipality_code == principal.municipality, or_(*[w for w, _ in whens]))


def scope_branches(principal: Principal) -> list[ColumnElement[bool]]:
    """The scope as separate conditions whose union is :func:`engagement_scope`, one per way of
    seeing an engagement. A list runs each as its own ordered, limited branch of a UNION, so one
    index serves each branch, where their OR would make the database filter row by row."""
    branches: list[ColumnElement[bool]] = []
    if principal.has(Role.FAMILY_MEMBER) and principal.family:
        branches.append(Engagement.family_id == principal.family)
    if principal.has(Role.DISTRICT_PROFESSIONAL) and principal.team:
        branches.append(Engagement.family_id.in_(team_families(principal)))
    if principal.has(Role.PROVIDER_STAFF) and principal.provider:
        branches.append(Engagement.provider_id == principal.provider)  # main contractor, any view
        branches.append(_subcontractor_clause(principal.provider))
    if principal.has(Role.INTEGRATION):
        branches.append(true())
    return [and_(Engagement.municipality_code == principal.municipality, b) for b in branches]


def access_level(principal: Principal) -> ColumnElement[str]:
    """A column holding the caller's access to each row of the scope."""
    whens = _access_whens(principal)
    if not whens:
        return literal(None)
    return case(*whens, else_=None)


def require_reader(principal: Principal) -> None:
    if not principal.has(*READER_ROLES):
        raise Forbidden("Your role may not use engagement functions.")


async def load_engagement(
    session: AsyncSession, principal: Principal, engagement_id: uuid.UUID, *, lock: bool = False
) -> ScopedEngagement:
    """The engagement with the caller's access level; 404 when outside the caller's scope."""
    require_reader(principal)
    query = select(Engagement, access_level(principal)).where(
        Engagement.id == engagement_id, engagement_scope(principal)
    )
    if lock:
        query = query.with_for_update(of=Engagement)
    row = (await session.execute(query)).first()
    if row is None:
        raise NotFound("engagement")
    return ScopedEngagement(row[0], Access(row[1]))


async def load_for_main_contractor(
    session: AsyncSession,
    principal: Principal,
    engagement_id: uuid.UUID,
    *,
    needs_consent: bool = True,
) -> Engagement:
    """The engagement, locked, for an action only its main contractor may take.

    Invisible → 404; visible but not as main contractor (a subcontractor) → 403; main
    contractor without an active consent, when the action touches the case → 409.
    """
    if not principal.has(Role.PROVIDER_STAFF):
        raise Forbidden("Only the main contractor's staff may do this.")
    scoped = await load_engagement(session, principal, engagement_id, lock=True)
    if scoped.engagement.provider_id != principal.provider:
        raise Forbidden("Only the main contractor's staff may do this.")
    if needs_consent and scoped.access is not Access.FULL:
        raise Conflict(
            "The family has no active consent to share its plan with your organisation.",
            code="consent_required",
        )
    return scoped.engagement


async def load_for_requester(
    session: AsyncSession, principal: Principal, engagement_id: uuid.UUID
) -> Engagement:
    """The engagement, locked, for the requesting side (the family or its team)."""
    if not principal.has(Role.FAMILY_MEMBER, Role.DISTRICT_PROFESSIONAL):
        raise Forbidden("Only the family or its district team may do this.")
    scoped = await load_engagement(session, principal, engagement_id, lock=True)
    return scoped.engagement


def require_status(
    engagement: Engagement, allowed: tuple[str, ...], action: str, *, transition: bool
) -> None:
    """409 naming the current state when ``action`` is not possible in it."""
    if engagement.status in allowed:
        return
    raise Conflict(
        f"The engagement is '{engagement.status}'; it cannot be {action}.",
        code="invalid_transition" if transition else "invalid_state",
        currentStatus=engagement.status,
    )


def plan_scope_for_requesters(principal: Principal) -> ColumnElement[bool]:
    """Plans the requesting side may act on: the own family's, or the team's families'."""
    clauses: list[ColumnElement[bool]] = []
    if principal.has(Role.FAMILY_MEMBER) and principal.family:
        clauses.append(Plan.family_id == principal.family)
    if principal.has(Role.DISTRICT_PROFESSIONAL) and principal.team:
        clauses.append(Plan.family_id.in_(team_families(principal)))
    if not clauses:
        return false()
    return and_(Plan.municipality_code == principal.municipality, or_(*clauses))


def require_case_view(scoped: ScopedEngagement, principal: Principal, what: str) -> None:
    """Reading case content (texts about the family) needs the full view.

    A subcontractor sees only goals and activities (403); the main contractor without an
    active consent gets 409 ``consent_required``; the integration bus never reads free text (403).
    """
    if scoped.access is Access.FULL:
        return
    if scoped.access is Access.RESTRICTED and scoped.engagement.provider_id == principal.provider:
        raise Conflict(
            "The family has no active consent to share its plan with your organisation.",
            code="consent_required",
        )
    raise Forbidden(f"You may not read the {what} of this engagement.")
