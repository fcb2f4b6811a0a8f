"""The representations the integration bus gets when it follows an event's ``dataref``: ids, codes,
states, amounts and process dates; never a name, BSN, birth date or free text. Each carries
``view: "integration"`` so that a client can tell it from the full representation."""

import uuid
from datetime import date, datetime
from typing import Literal

from app.models.base import PublicModel
from app.schemas.families import ConsentScope, FamilyStatus
from app.schemas.payments import PaymentLinePublic
from app.schemas.plans import PlanStatus
from app.schemas.referrals import ReferralStatus, ReferrerType


class BusView(PublicModel):
    view: Literal["integration"] = "integration"
    id: uuid.UUID


class FamilyBusView(BusView):
    status: FamilyStatus
    district_code: str
    team_id: uuid.UUID
    created_at: datetime
    care_ended_at: datetime | None


class PlanBusView(BusView):
    family_id: uuid.UUID
    status: PlanStatus
    version: int
    agreed_version: int | None
    created_at: datetime
    agreed_at: datetime | None
    activated_at: datetime | None
    evaluating_at: datetime | None
    evaluated_at: datetime | None
    closed_at: datetime | None
    withdrawn_at: datetime | None


class ReferralBusView(BusView):
    status: ReferralStatus
    family_id: uuid.UUID | None
    member_id: uuid.UUID | None
    team_id: uuid.UUID | None
    district_code: str | None
    referrer_type: ReferrerType
    profile_code: str
    intensity_code: str
    valid_from: date
    valid_to: date
    created_at: datetime


class ConsentBusView(BusView):
    family_id: uuid.UUID
    scope: ConsentScope
    provider_id: uuid.UUID
    granted_by_member_id: uuid.UUID
    valid_to: date | None
    granted_at: datetime
    withdrawn_at: datetime | None


class PaymentBusView(PaymentLinePublic):
    """A payment line holds no personal data: the bus gets its public form, marked as its view."""

    view: Literal["integration"] = "integration"


class BatchBusView(BusView):
    period: str
    line_count: int
    total_cents: int
    created_at: datetime
