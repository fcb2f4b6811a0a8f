"""Response bodies of the iJw message resources (the messages themselves are XML)."""

import uuid
from datetime import date, datetime
from enum import StrEnum

from pydantic import Field

from app.identifiers import MunicipalityCode
from app.ijw.standard import MESSAGES, REFUSAL_REASONS, enumeration
from app.models.base import ApiModel, PublicModel, value_enum

IjwMessageCode = value_enum("IjwMessageCode", *MESSAGES)
IjwMessageDirection = value_enum("IjwMessageDirection", "inbound", "outbound")
AllocationAnswer = value_enum("AllocationAnswer", "refused", "investigating")
AllocationRequestKind = value_enum("AllocationRequestKind", "allocation", "change")
AllocationRequestStatus = value_enum(
    "AllocationRequestStatus", "open", "investigating", "answered", "allocated"
)


class IjwMessagePublic(PublicModel):
    id: uuid.UUID
    message_code: IjwMessageCode = Field(examples=["JW301"])
    direction: IjwMessageDirection
    message_id: str = Field(description="The BerichtIdentificatie of the message.")
    answers_id: uuid.UUID | None = Field(
        default=None, description="For a return or answer message: the message it answers."
    )
    created_at: datetime
    return_codes: list[str] = Field(
        description="Inbound messages and return messages: every WJ001 return code given (0200: accepted)."
    )


class IjwMessageList(PublicModel):
    """All iJw messages of an engagement (a handful), oldest first."""

    items: list[IjwMessagePublic]


# WJ759 reasons for refusing a request, read from the iJw 3.2 basisschema.
RefusalReason = StrEnum(  # type: ignore[misc]
    "RefusalReason", {f"R{value}": value for value in sorted(enumeration(REFUSAL_REASONS))}
)


class AllocationRequestAnswer(ApiModel):
    """The team's answer to a provider's request (JW315), sent as JW319."""

    answer: AllocationAnswer
    refusal_reason: RefusalReason | None = Field(
        default=None,
        description="WJ759; required when refused (8: residence principle, names the municipality).",
    )
    responsible_municipality: MunicipalityCode | None = Field(
        default=None, description="With reason 8: the municipality responsible under the residence principle."
    )


class AllocationRequestPublic(PublicModel):
    id: uuid.UUID
    kind: AllocationRequestKind = Field(description="allocation (JW315) or change (JW317)")
    provider_id: uuid.UUID
    engagement_id: uuid.UUID | None = Field(description="The engagement whose allocation a change concerns.")
    provider_reference: str
    family_id: uuid.UUID | None
    member_id: uuid.UUID | None
    plan_id: uuid.UUID | None
    referral_id: uuid.UUID | None
    product_category: str | None
    product_code: str | None
    requested_start: date
    requested_end: date | None
    referrer_type: str | None = Field(description="COD327, of a request for an allocation.")
    change_reason: str | None = Field(description="WJ758, of a change request.")
    status: AllocationRequestStatus = Field(
        description="open (an intake task when no family is linked), investigating, answered, allocated"
    )
    answer_due: date
    answered_at: datetime | None
    answer_code: str | None
    refusal_reason: str | None
    message_id: uuid.UUID = Field(description="The JW315 it came in.")
    created_at: datetime


class AllocationRequestList(PublicModel):
    items: list[AllocationRequestPublic]
