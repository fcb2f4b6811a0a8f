"""All tables, imported so that ``SQLModel.metadata`` knows them (Alembic, tests)."""

from sqlmodel import SQLModel

from app.models import (  # noqa: F401
    catalogue,
    core,
    engagements,
    families,
    geography,
    ijw,
    integration,
    money,
    plans,
    privacy,
    providers,
    referrals,
)

metadata = SQLModel.metadata
