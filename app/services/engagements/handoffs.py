"""Handoffs (signalen): the main contractor or the team asks the municipality to act on another
life domain — debts, housing, work, addiction, psychiatry (DESIGN §5).

* raised by the main contractor's staff (about its engagement, under the family's consent) or by
  a professional of the family's team (about the plan or one of its engagements);
* routed to the family's district team (``routeTo: team``) or a named municipal service
  (``routeTo: debt_counselling`` …); the family's team is the service's point of contact here and
  records its progress;
* ``dueAt`` = raised + 1 (crisis), 5 (urgent) or 20 (routine) days to acknowledge; an open
  handoff past its ``dueAt`` is ``overdue`` (and goes to case review);
* ``open → acknowledged → in_progress → resolved``; ``open | acknowledged | in_progress →
  declined`` (with a reason).

Scope: the family sees its own, the team its families', the main contractor those on its
engagements while the consent is active; the integration bus reads single handoffs without texts.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, select, true, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import Principal, Role
from app.errors import Conflict, Forbidden, InvalidInput, InvalidParam, NotFound
from app.models.base import utcnow
from app.models.catalogue import LifeDomain
from app.models.engagements import Engagement, Handoff
from app.models.families import Family
from app.models.plans import Plan
from app.pagination import TIME_AND_ID, PageRequest, cursor_key, encode_cursor
from app.schemas.handoffs import HandoffCreate
from app.services.engagements.scope import (
    active_consent,
    load_engagement,
    load_for_main_contractor,
    plan_scope_for_requesters,
    require_status,
    team_families,
)
from app.services.platform import audit, events
from app.services.platform.audit import Action
from app.services.platform.rows import one_or_not_found, where_given

DUE_DAYS = {"crisis": 1, "urgent": 5, "routine": 20}
OPEN_PLAN = ("draft", "agreed", "active", "evaluating")
LIST_ROLES = (Role.FAMILY_MEMBER, Role.DISTRICT_PROFESSIONAL, Role.PROVIDER_STAFF)


@dataclass(frozen=True)
class Transition:
    allowed: tuple[str, ...]
    target: str
    stamp: str
    event: str
    verb: str


TRANSITIONS = {
    "acknowledge": Transition(
        ("open",), "acknowledged", "acknowledged_at", "handoff.acknowledged", "acknowledged"
    ),
    "start": Transition(("acknowledged",), "in_progress", "started_at", "handoff.started", "started"),
    "resolve": Transition(("in_progress",), "resolved", "resolved_at", "handoff.resolved", "resolved"),
    "decline": Transition(
        ("open", "acknowledged", "in_progress"), "declined", "declined_at", "handoff.declined", "declined"
    ),
}


def is_overdue(status: str, due_at: datetime, now: datetime) -> bool:
    return status == "open" and due_at < now


def overdue_clause(now: datetime) -> ColumnElement[bool]:
    return and_(Handoff.status == "open", Handoff.due_at < now)


def _full_clauses(principal: Principal) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    if principal.has(Role.FAMILY_MEMBER) and principal.family:
        clauses.append(Handoff.family_id == principal.family)
    if principal.has(Role.DISTRICT_PROFESSIONAL) and principal.team:
        clauses.append(Handoff.family_id.in_(team_families(principal)))
    if principal.has(Role.PROVIDER_STAFF) and principal.provider:
        own = select(Engagement.id).where(Engagement.provider_id == principal.provider)
        clauses.append(
            and_(Handoff.engagement_id.in_(own), active_consent(Handoff.family_id, principal.provider))
        )
    return clauses


def handoff_scope(principal: Principal, *, with_integration: bool = False) -> ColumnElement[bool]:
    """The WHERE clause of the handoffs ``principal`` may see."""
    clauses = _full_clauses(principal)
    if with_integration and principal.has(Role.INTEGRATION):
        clauses.append(true())
    if not clauses:
        return false()
    return and_(Handoff.municipality_code == principal.municipality, or_(*clauses))


def view(handoff: Handoff, *, full: bool, now: datetime) -> dict[str, Any]:
    data = {
        name: getattr(handoff, name)
        for name in (
            "id",
            "family_id",
            "plan_id",
            "engagement_id",
            "domain_code",
            "urgency",
            "route_to",
            "team_id",
            "status",
            "raised_by_role",
            "raised_by_provider_id",
            "due_at",
            "created_at",
            "acknowledged_at",
            "started_at",
            "resolved_at",
            "declined_at",
        )
    }
    data.update(
        view="full" if full else "restricted",
        overdue=is_overdue(handoff.status, handoff.due_at, now),
        need=handoff.need if full else None,
        resolution=handoff.resolution if full else None,
        decline_reason=handoff.decline_reason if full else None,
    )
    return data


HANDOFF_EVENT = events.EventSpec(
    "/handoffs/{id}", ("status", "plan_id", "engagement_id", "domain_code", "urgency", "route_to")
)


async def _subject(
    session: AsyncSession, principal: Principal, body: HandoffCreate
) -> tuple[Plan, Engagement | None]:
    """The plan (and engagement) the handoff is about, within the caller's scope."""
    engagement: Engagement | None = None
    if principal.has(Role.PROVIDER_STAFF) and not principal.has(Role.DISTRICT_PROFESSIONAL):
        if body.engagement_id is None:
            raise InvalidInput(
                [
                    InvalidParam(
                        "engagementId", "required", "Provider staff raise handoffs about their engagement."
                    )
                ]
            )
        engagement = await load_for_main_contractor(session, principal, body.engagement_id)
        require_status(engagement, ("accepted", "started"), "the subject of a handoff", transition=False)
    elif body.engagement_id is not None:
        engagement = (await load_engagement(session, principal, body.engagement_id)).engagement
    plan_id = engagement.plan_id if engagement else body.plan_id
    if body.plan_id is not None and plan_id != body.plan_id:
        raise InvalidInput([InvalidParam("planId", "mismatch", "The engagement belongs to another plan.")])
    query = select(Plan).where(Plan.id == plan_id)
    if engagement is None:
        query = query.where(plan_scope_for_requesters(principal))
    plan = await one_or_not_found(session, query, "plan")
    return plan, engagement


async def raise_handoff(session: AsyncSession, principal: Principal, body: HandoffCreate) -> dict[str, Any]:
    if not principal.has(Role.DISTRICT_PROFESSIONAL, Role.PROVIDER_STAFF):
        raise Forbidden("Handoffs are raised by the main contractor or the district team.")
    plan, engagement = await _subject(session, principal, body)
    if await session.get(LifeDomain, body.domain_code) is None:
        raise InvalidInput(
            [InvalidParam("domainCode", "unknown_domain", "Not a life domain of the catalogue.")]
        )
    if plan.status not in OPEN_PLAN:
        raise Conflict(
            f"The plan is '{plan.status}'; handoffs are raised on open plans.",
            code="plan_not_open",
            currentStatus=plan.status,
        )
    team_id = await session.scalar(select(Family.team_id).where(Family.id == plan.family_id))
    now = utcnow()
    handoff = Handoff(
        municipality_code=plan.municipality_code,
        family_id=plan.family_id,
        plan_id=plan.id,
        engagement_id=engagement.id if engagement else None,
        domain_code=body.domain_code,
        need=body.need,
        urgency=body.urgency.value,
        route_to=body.route_to,
        team_id=team_id,
        status="open",
        raised_by=principal.sub,
        raised_by_role=principal.role.value,
        raised_by_provider_id=principal.provider if principal.has(Role.PROVIDER_STAFF) else None,
        due_at=now + timedelta(days=DUE_DAYS[body.urgency.value]),
        created_at=now,
    )
    session.add(handoff)
    await session.flush()
    HANDOFF_EVENT.emit(session, "handoff.raised", handoff)
    audit.record(session, principal, Action.CREATE, "handoff", handoff.id, family_id=handoff.family_id)
    return view(handoff, full=True, now=now)


async def transition(
    session: AsyncSession, principal: Principal, handoff_id: uuid.UUID, action: str, text: str | None = None
) -> dict[str, Any]:
    """Acknowledge, start, resolve or decline — by a professional of the family's team."""
    if not principal.has(Role.DISTRICT_PROFESSIONAL):
        raise Forbidden("Handoffs are handled by the family's district team.")
    step = TRANSITIONS[action]
    handoff = await one_or_not_found(
        session,
        select(Handoff)
        .where(
            Handoff.id == handoff_id,
            Handoff.municipality_code == principal.municipality,
            Handoff.family_id.in_(team_families(principal)),
        )
        .with_for_update(),
        "handoff",
    )
    if handoff.status not in step.allowed:
        raise Conflict(
            f"The handoff is '{handoff.status}'; it cannot be {step.verb}.",
            code="invalid_transition",
            currentStatus=handoff.status,
        )
    now = utcnow()
    handoff.status = step.target
    setattr(handoff, step.stamp, now)
    if action == "resolve":
        handoff.resolution = text
    elif action == "decline":
        handoff.decline_reason = text
    await session.flush()
    HANDOFF_EVENT.emit(session, step.event, handoff)
    audit.record(session, principal, Action.UPDATE, "handoff", handoff.id, family_id=handoff.family_id)
    return view(handoff, full=True, now=now)


async def get_handoff(session: AsyncSession, principal: Principal, handoff_id: uuid.UUID) -> dict[str, Any]:
    if not principal.has(*LIST_ROLES, Role.INTEGRATION):
        raise Forbidden("Your role may not read handoffs.")
    full_clauses = _full_clauses(principal)
    full = or_(*full_clauses) if full_clauses else false()
    row = (
        await session.execute(
            select(Handoff, full).where(
                Handoff.id == handoff_id, handoff_scope(principal, with_integration=True)
            )
        )
    ).first()
    if row is None:
        raise NotFound("handoff")
    handoff, is_full = row
    audit.record(session, principal, Action.READ, "handoff", handoff.id, family_id=handoff.family_id)
    return view(handoff, full=bool(is_full), now=utcnow())


@dataclass(frozen=True)
class HandoffFilter:
    """Narrows the handoff list: by status, overdue or not, plan, engagement."""

    status: str | None = None
    overdue: bool | None = None
    plan_id: uuid.UUID | None = None
    engagement_id: uuid.UUID | None = None


async def list_handoffs(
    session: AsyncSession, principal: Principal, page: PageRequest, only: HandoffFilter
) -> tuple[list[dict[str, Any]], str | None]:
    """The caller's handoffs, most urgent (earliest due) first."""
    if not principal.has(*LIST_ROLES):
        raise Forbidden("Your role may not list handoffs.")
    now = utcnow()
    query = where_given(
        select(Handoff)
        .where(handoff_scope(principal))
        .order_by(Handoff.due_at, Handoff.id)
        .limit(page.size + 1),
        (Handoff.status, only.status),
        (Handoff.plan_id, only.plan_id),
        (Handoff.engagement_id, only.engagement_id),
    )
    if only.overdue is not None:
        query = query.where(overdue_clause(now) if only.overdue else ~overdue_clause(now))
    if key := cursor_key(page, *TIME_AND_ID):
        query = query.where(tuple_(Handoff.due_at, Handoff.id) > tuple_(*key))
    rows = list((await session.scalars(query)).all())
    more = len(rows) > page.size
    rows = rows[: page.size]
    audit.record_many(session, principal, Action.READ, "handoff", [(h.id, h.family_id) for h in rows])
    cursor = encode_cursor([rows[-1].due_at.isoformat(), rows[-1].id]) if more and rows else None
    return [view(h, full=True, now=now) for h in rows], cursor


async def plan_handoffs(session: AsyncSession, plan_ids: list[uuid.UUID]) -> list[dict[str, Any]]:
    """The handoffs of plans the caller may already see, for the plan view (one query)."""
    if not plan_ids:
        return []
    now = utcnow()
    rows = (
        await session.scalars(
            select(Handoff).where(Handoff.plan_id.in_(plan_ids)).order_by(Handoff.due_at, Handoff.id)
        )
    ).all()
    return [view(h, full=True, now=now) for h in rows]
