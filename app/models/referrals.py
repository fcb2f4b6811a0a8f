"""Referrals (verwijzingen) and consents to share the plan with a provider."""

import uuid
from datetime import date, datetime

from sqlalchemy import Index
from sqlmodel import Field

from app.models.base import MunicipalTable, day, text, timestamp


class Referral(MunicipalTable, table=True):
    """A referral for a child (COD327 referrer type), valid for a period.

    A GP refers by BSN + birth date; when no family matches, the referral is an intake task
    for the named district's team (``family_id`` empty, ``status`` ``intake``).
    """

    __tablename__ = "referrals"
    # insights: referrals made in a period
    __table_args__ = (Index("ix_referrals_municipality_created", "municipality_code", "created_at"),)

    family_id: uuid.UUID | None = Field(default=None, foreign_key="families.id", index=True)
    member_id: uuid.UUID | None = Field(default=None, foreign_key="family_members.id", index=True)
    child_bsn: str | None = Field(default=None, max_length=9)  # only while unmatched
    child_birth_date: date | None = day(nullable=True)
    district_code: str | None = Field(default=None, foreign_key="districts.code", max_length=8)
    team_id: uuid.UUID | None = Field(default=None, foreign_key="teams.id", index=True)
    referrer_type: str = Field(max_length=2)
    referrer_agb: str | None = Field(default=None, max_length=8, index=True)
    referrer_subject: str = Field(max_length=200)
    profile_code: str = Field(foreign_key="support_profiles.code", max_length=3)
    intensity_code: str = Field(max_length=2)
    reason: str = text()
    valid_from: date = day()
    valid_to: date = day()
    status: str = Field(default="open", max_length=10)  # intake / open / in_use / expired / withdrawn
    created_at: datetime = timestamp()


class Consent(MunicipalTable, table=True):
    __tablename__ = "consents"

    family_id: uuid.UUID = Field(foreign_key="families.id", index=True)
    scope: str = Field(max_length=40)  # share_plan_with_provider
    provider_id: uuid.UUID = Field(foreign_key="providers.id", index=True)
    granted_by_member_id: uuid.UUID = Field(foreign_key="family_members.id")
    valid_to: date | None = day(nullable=True)
    granted_at: datetime = timestamp()
    withdrawn_at: datetime | None = timestamp(nullable=True)
