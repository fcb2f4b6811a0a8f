"""Response bodies of the iJw message resources (the messages themselves are XML)."""

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from app.models.base import PublicModel


class IjwMessagePublic(PublicModel):
    id: uuid.UUID
    message_code: str = Field(examples=["JW301"])
    direction: Literal["inbound", "outbound"]
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
