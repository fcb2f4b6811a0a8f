"""Experience surveys (cliëntervaring): family members rate the help 1–10.

Only family members submit, for a member of their own family; a child answers as ``youth``,
a parent, carer or other member as ``parent`` (DESIGN §6 reports them apart). One survey per
respondent per engagement, once the care has started.
"""

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import Principal, Role
from app.errors import Conflict, Forbidden, InvalidInput, InvalidParam
from app.models.engagements import ExperienceSurvey
from app.models.families import FamilyMember
from app.schemas.engagements import ExperienceSurveyCreate
from app.services.engagements.scope import load_engagement, require_status
from app.services.platform import audit


def respondent_kind(member_role: str) -> str:
    return "youth" if member_role == "child" else "parent"


async def submit_survey(
    session: AsyncSession, principal: Principal, engagement_id: uuid.UUID, body: ExperienceSurveyCreate
) -> ExperienceSurvey:
    if not principal.has(Role.FAMILY_MEMBER):
        raise Forbidden("Only family members rate the help they received.")
    engagement = (await load_engagement(session, principal, engagement_id, lock=True)).engagement
    require_status(engagement, ("started", "closed"), "rated", transition=False)
    role = await session.scalar(
        select(FamilyMember.role).where(
            FamilyMember.id == body.respondent_member_id, FamilyMember.family_id == engagement.family_id
        )
    )
    if role is None:
        raise InvalidInput(
            [
                InvalidParam(
                    "respondentMemberId", "not_in_family", "The respondent is not a member of the family."
                )
            ]
        )
    existing = await session.scalar(
        select(ExperienceSurvey.id).where(
            ExperienceSurvey.engagement_id == engagement.id,
            ExperienceSurvey.respondent_member_id == body.respondent_member_id,
        )
    )
    if existing is not None:
        raise Conflict("This family member has already rated this engagement.", code="survey_exists")
    survey = ExperienceSurvey(
        engagement_id=engagement.id,
        municipality_code=engagement.municipality_code,
        respondent_member_id=body.respondent_member_id,
        respondent_kind=respondent_kind(role),
        score=body.score,
        answers=dict(body.answers or {}),
    )
    await audit.add_created(session, principal, survey, "experience-survey", family_id=engagement.family_id)
    return survey
