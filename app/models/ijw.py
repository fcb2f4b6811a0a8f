"""iJw messages exchanged with provider systems, and the allocation requests (JW315) they carry.

``document`` holds the message as sent or received. It is personal data (the client's BSN,
name, birth date and gender; in JW301 also the names of the parents): the family export and
erasure cover it through ``family_id``, the engagement, the allocation requests and claim lines,
and — for a client not yet linked to a family — the client's BSN (privacy/family_tables.py).
"""

import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, Index, Sequence
from sqlalchemy import text as sql_text
from sqlmodel import Field, SQLModel

from app.models.base import MunicipalTable, day, jsonb, text, timestamp

# BerichtIdentificatie of the messages we send: unique per message type (TR056), 12 characters.
IJW_MESSAGE_NUMBER_SEQUENCE = Sequence("ijw_message_number_seq", metadata=SQLModel.metadata)


class IjwMessage(MunicipalTable, table=True):
    """One iJw message, inbound (from a provider) or outbound (ours, return messages included)."""

    __tablename__ = "ijw_messages"
    __table_args__ = (
        # TR056: the identification is unique per sender and message type.
        Index("uq_ijw_messages_identification", "sender", "message_code", "message_id", unique=True),
    )

    engagement_id: uuid.UUID | None = Field(default=None, foreign_key="engagements.id", index=True)
    family_id: uuid.UUID | None = Field(default=None, foreign_key="families.id", index=True)
    provider_id: uuid.UUID = Field(foreign_key="providers.id", index=True)
    message_code: str = Field(max_length=5)  # JW301 … JW325
    direction: str = Field(max_length=8)  # inbound / outbound
    message_id: str = Field(max_length=12)  # BerichtIdentificatie/Identificatie
    sender: str = Field(max_length=8)  # AGB code or 4-digit municipality code
    body_sha256: str = Field(max_length=64)
    document: str = text()
    return_codes: list[str] = jsonb(default_factory=list)
    # A return message names the message it answers (a JW306 its JW305, a JW319 its JW315).
    answers_id: uuid.UUID | None = Field(default=None, foreign_key="ijw_messages.id", index=True)
    created_at: datetime = timestamp()


class AllocationRequest(MunicipalTable, table=True):
    """A provider's request for an allocation (JW315) or for a change of its allocations (JW317),
    answered within 5 working days: by an allocation (JW301) or an answer message (JW319)."""

    __tablename__ = "ijw_allocation_requests"
    __table_args__ = (
        # TR347: ReferentieAanbieder is unique per provider.
        Index("uq_ijw_allocation_requests_reference", "provider_id", "provider_reference", unique=True),
    )

    message_id: uuid.UUID = Field(foreign_key="ijw_messages.id", index=True)
    kind: str = Field(default="allocation", max_length=10)  # allocation (JW315) / change (JW317)
    provider_id: uuid.UUID = Field(foreign_key="providers.id", index=True)
    engagement_id: uuid.UUID | None = Field(default=None, foreign_key="engagements.id")  # a change's
    family_id: uuid.UUID | None = Field(default=None, foreign_key="families.id", index=True)
    member_id: uuid.UUID | None = Field(default=None, foreign_key="family_members.id")
    plan_id: uuid.UUID | None = Field(default=None, foreign_key="plans.id")
    referral_id: uuid.UUID | None = Field(default=None, foreign_key="referrals.id")
    provider_reference: str = Field(max_length=36)
    # personal data: who the request is for (TR374); NULL once erased
    client_bsn: str | None = Field(default=None, max_length=9)
    product_category: str | None = Field(default=None, max_length=2)
    product_code: str | None = Field(default=None, max_length=5)
    requested_start: date = day()
    requested_end: date | None = day(nullable=True)
    referrer_type: str | None = Field(default=None, max_length=2)  # COD327, of a request
    change_reason: str | None = Field(default=None, max_length=1)  # WJ758, of a change
    # open / investigating / answered / allocated
    status: str = Field(default="open", max_length=13, index=True)
    answer_due: date = day()
    answered_at: datetime | None = timestamp(nullable=True)
    answer_code: str | None = Field(default=None, max_length=1)  # WJ760
    refusal_reason: str | None = Field(default=None, max_length=2)  # WJ759
    created_at: datetime = timestamp()


class ClaimLine(MunicipalTable, table=True):
    """One Prestatie of a claim (JW323), approved or rejected against the engagement's ledger."""

    __tablename__ = "ijw_claim_lines"
    __table_args__ = (
        # TR314: ReferentieNummer is unique per provider; a reused one is rejected (8021) and kept
        # as rejected, so only approved lines are unique here.
        Index(
            "uq_ijw_claim_lines_reference",
            "provider_id",
            "reference",
            unique=True,
            postgresql_where=sql_text("approved"),
        ),
    )

    message_id: uuid.UUID = Field(foreign_key="ijw_messages.id", index=True)
    provider_id: uuid.UUID = Field(foreign_key="providers.id", index=True)
    engagement_id: uuid.UUID | None = Field(default=None, foreign_key="engagements.id", index=True)
    claim_number: str = Field(max_length=12)  # DeclaratieNummer
    reference: str = Field(max_length=20)  # ProductReferentie/ReferentieNummer
    previous_reference: str | None = Field(default=None, max_length=20)
    period_start: date = day()
    period_end: date = day()
    volume: int
    amount_cents: int = Field(sa_type=BigInteger)
    debit_credit: str = Field(max_length=1)  # D / C
    approved: bool
    return_codes: list[str] = jsonb(default_factory=list)
    payment_line_ids: list[str] = jsonb(default_factory=list)  # the ledger lines it was matched to
    created_at: datetime = timestamp()
