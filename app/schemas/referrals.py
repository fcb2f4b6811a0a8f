"""Request and response bodies of referrals (verwijzingen)."""

import uuid
from datetime import date, datetime

from pydantic import Field

from app.identifiers import DistrictCodeInput
from app.models.base import ApiModel, PublicModel, value_enum
from app.schemas.family_fields import Agb, BsnInput, IntensityCode, ProfileCode, Text

# iJw COD327: 01 municipality, 02 GP, 03 youth doctor, 04 certified institution,
# 05 medical specialist, 06 self-referral, 08 court / public prosecutor
ReferrerType = value_enum("ReferrerType", "01", "02", "03", "04", "05", "06", "08")
ReferralStatus = value_enum("ReferralStatus", "intake", "open", "in_use", "expired", "withdrawn")


class ReferralCreate(ApiModel):
    """The child is named by ``childMemberId`` (district team) or by ``bsn`` + ``birthDate`` (GP)."""

    child_member_id: uuid.UUID | None = None
    bsn: BsnInput | None = None
    birth_date: date | None = None
    district_code: DistrictCodeInput | None = Field(
        default=None,
        description="The child's district: when no family matches, its team gets the intake task.",
    )
    referrer_type: ReferrerType
    referrer_agb: Agb | None = Field(default=None, description="Required for 02, 03 and 05.")
    profile_code: ProfileCode
    intensity_code: IntensityCode
    reason: Text
    valid_to: date | None = Field(default=None, description="Defaults to 12 months after today.")


class ReferralPublic(PublicModel):
    id: uuid.UUID
    municipality_code: str
    family_id: uuid.UUID | None
    member_id: uuid.UUID | None
    matched: bool = Field(description="False while the referral waits as an intake task.")
    child_bsn: str | None = Field(description="Only on an unmatched (intake) referral.")
    child_birth_date: date | None
    district_code: str | None
    team_id: uuid.UUID | None
    referrer_type: str
    referrer_agb: str | None
    profile_code: str
    intensity_code: str
    reason: str
    valid_from: date
    valid_to: date
    status: ReferralStatus
    created_at: datetime
