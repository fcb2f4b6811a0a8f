"""Response bodies of the public care marketplace (no personal data, no auth)."""

import uuid

from pydantic import Field

from app.models.base import PublicModel
from app.schemas.reference_providers import ProductPublic


class MarketplaceProvider(PublicModel):
    """A provider contracted today in the municipality's region."""

    provider_id: uuid.UUID
    agb_code: str
    name: str
    products: list[ProductPublic] = Field(description="The products its contracts cover today.")
    waiting_days: int | None = Field(
        description="Median days from request to start over engagements started in the last 90 days "
        "(for the asked product, when one is asked); null without such engagements."
    )
