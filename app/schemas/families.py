"""Request and response bodies of families, members, consents and the family's audit trail."""

import uuid
from datetime import date, datetime

from pydantic import Field

from app.auth import Role
from app.identifiers import DistrictCodeInput
from app.models.base import ApiModel, PublicModel, value_enum
from app.schemas.family_fields import BsnInput, Name

MemberRole = value_enum("MemberRole", "child", "parent", "carer", "other")
FamilyStatus = value_enum("FamilyStatus", "active", "closed", "anonymised")
ConsentScope = value_enum("ConsentScope", "share_plan_with_provider")
AuditOutcome = value_enum("AuditOutcome", "success", "denied")


class MemberCreate(ApiModel):
    role: MemberRole
    given_name: Name
    family_name: Name
    birth_date: date
    bsn: BsnInput | None = None
    extended_care: bool = Field(
        default=False, description="A child aged 18–22 still in youth care (verlengde jeugdhulp)."
    )


class MemberUpdate(ApiModel):
    """Only the properties sent are changed; ``bsn: null`` removes the BSN."""

    role: MemberRole | None = None
    given_name: Name | None = None
    family_name: Name | None = None
    birth_date: date | None = None
    bsn: BsnInput | None = None
    extended_care: bool | None = None


class FamilyCreate(ApiModel):
    district_code: DistrictCodeInput
    team_id: uuid.UUID | None = Field(default=None, description="Defaults to the caller's team.")
    members: list[MemberCreate] = Field(min_length=1, max_length=30)


class MemberPublic(PublicModel):
    id: uuid.UUID
    role: MemberRole
    given_name: str
    family_name: str
    birth_date: date
    bsn: str | None
    extended_care: bool
    active: bool


class FamilyPublic(PublicModel):
    id: uuid.UUID
    municipality_code: str
    district_code: str
    team_id: uuid.UUID
    status: FamilyStatus
    created_at: datetime
    updated_at: datetime
    members: list[MemberPublic]


class ConsentCreate(ApiModel):
    scope: ConsentScope
    provider_id: uuid.UUID
    granted_by_member_id: uuid.UUID
    valid_to: date | None = None


class ConsentPublic(PublicModel):
    id: uuid.UUID
    family_id: uuid.UUID
    scope: str
    provider_id: uuid.UUID
    granted_by_member_id: uuid.UUID
    valid_to: date | None
    granted_at: datetime
    withdrawn_at: datetime | None
    active: bool


class FamilyAuditEventPublic(PublicModel):
    """One access to the family's data: who, acting for which organisation, did what, when."""

    id: uuid.UUID
    occurred_at: datetime
    subject: str
    role: Role
    organisation: str
    action: str
    resource_type: str
    resource_id: str | None
    outcome: AuditOutcome
