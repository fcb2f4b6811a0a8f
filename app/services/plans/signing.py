"""Signatures and agreement (DESIGN §3).

A signature attests one version of the plan: the caller sends ``If-Match`` with the version it
read and signs exactly that. Signing does not change the plan's content, so it does not bump the
version: both signers can sign the same version. The plan becomes agreed when, on one version,
there is a family signature (a parent or carer, or the young person aged 16+, each for itself)
and a professional signature (for the family's team), and the plan is complete: every catalogue
life domain assessed (a score, or explicitly not relevant) and at least one goal. Agreement
freezes a snapshot. An incomplete plan cannot be signed (409 ``plan_not_complete`` naming what
is missing). A later edit bumps the version, so earlier signatures no longer count.
"""

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import Principal, Role
from app.errors import Conflict, Forbidden
from app.models.base import utcnow
from app.models.catalogue import LifeDomain
from app.models.plans import Goal, Plan, PlanAssessment, PlanSignature
from app.schemas.plans import SignatureCreate
from app.services.families.members import may_decide_for_self, member_of
from app.services.plans.edit import PLAN_EVENT, lock_plan, require_editable
from app.services.plans.snapshot import freeze
from app.services.platform import audit, clock
from app.versioning import Expected

FAMILY = "family"
PROFESSIONAL = "professional"


@dataclass
class SignResult:
    signature: PlanSignature
    plan: Plan


async def missing_parts(session: AsyncSession, plan: Plan) -> tuple[list[str], bool]:
    """The catalogue domains not yet assessed, and whether the plan still lacks a goal."""
    assessed = (PlanAssessment.relevant.is_(False)) | (PlanAssessment.score.is_not(None))
    done = select(PlanAssessment.domain_code).where(PlanAssessment.plan_id == plan.id, assessed)
    domains = await session.execute(
        select(LifeDomain.code).where(LifeDomain.code.not_in(done)).order_by(LifeDomain.position)
    )
    goal = await session.execute(
        select(Goal.id).where(Goal.plan_id == plan.id, Goal.status != "dropped").limit(1)
    )
    return list(domains.scalars()), goal.first() is None


async def _signer(
    session: AsyncSession, principal: Principal, plan: Plan, body: SignatureCreate
) -> PlanSignature:
    """The signature the caller may place: a family member for itself, a professional for its team."""
    if principal.has(Role.FAMILY_MEMBER) and principal.family == plan.family_id:
        if body.member_id not in (None, principal.member):
            raise Forbidden("A family member signs only for itself.")
        member = await member_of(session, plan.family_id, principal.member)
        if member is None or not may_decide_for_self(member, clock.today()):
            raise Forbidden("The plan is signed by a parent, a carer or a young person of 16 or older.")
        return _signature(plan, principal, signer_kind=FAMILY, member_id=member.id)
    if body.member_id is not None:
        raise Forbidden("A professional cannot sign for a family member.")
    return _signature(plan, principal, signer_kind=PROFESSIONAL, team_id=principal.team)


def _signature(plan: Plan, principal: Principal, **signer: Any) -> PlanSignature:
    """The caller's signature on the plan's current version."""
    return PlanSignature(plan_id=plan.id, version=plan.version, subject=principal.sub, **signer)


async def sign(
    session: AsyncSession,
    principal: Principal,
    plan_id: uuid.UUID,
    expected: Expected,
    body: SignatureCreate,
) -> SignResult:
    plan = await lock_plan(session, principal, plan_id, expected)
    require_editable(plan)
    signature = await _signer(session, principal, plan, body)
    on_version = list(
        (
            await session.execute(
                select(PlanSignature).where(
                    PlanSignature.plan_id == plan.id, PlanSignature.version == plan.version
                )
            )
        ).scalars()
    )
    if any(_same_signer(s, signature) for s in on_version):
        raise Conflict("You have already signed this version.", code="already_signed")
    domains, goal_missing = await missing_parts(session, plan)
    if domains or goal_missing:
        raise Conflict(
            "The plan is not complete: every life domain must be assessed and there must be a goal.",
            code="plan_not_complete",
            missing_domains=domains,
            missing_goal=goal_missing,
        )
    await audit.add_created(session, principal, signature, "plan-signature", family_id=plan.family_id)
    kinds = {s.signer_kind for s in on_version} | {signature.signer_kind}
    if kinds == {FAMILY, PROFESSIONAL}:
        await _agree(session, plan)
    return SignResult(signature, plan)


def _same_signer(a: PlanSignature, b: PlanSignature) -> bool:
    if a.signer_kind != b.signer_kind:
        return False
    return a.member_id == b.member_id if a.signer_kind == FAMILY else a.team_id == b.team_id


async def _agree(session: AsyncSession, plan: Plan) -> None:
    """Both kinds signed this version: it is now the agreed version, frozen as a snapshot."""
    now = utcnow()
    if plan.status == "draft":
        plan.status = "agreed"
    plan.agreed_version = plan.version
    plan.agreed_at = now
    plan.revision_open = False
    plan.updated_at = now
    await freeze(session, plan, now)
    PLAN_EVENT.emit(session, "plan.agreed", plan)
