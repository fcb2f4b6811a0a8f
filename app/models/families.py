"""Families (gezinnen) and their members."""

import uuid
from datetime import date, datetime

from sqlalchemy import Index, column, func
from sqlalchemy import text as sql_text
from sqlmodel import Field

from app.models.base import MunicipalTable, day, timestamp


class Family(MunicipalTable, table=True):
    __tablename__ = "families"
    # a team's families, newest first (keyset)
    __table_args__ = (Index("ix_families_team_created", "team_id", "created_at", "id"),)

    district_code: str = Field(foreign_key="districts.code", index=True, max_length=8)
    team_id: uuid.UUID = Field(foreign_key="teams.id", index=True)
    status: str = Field(default="active", max_length=12)  # active / closed / anonymised
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()
    care_ended_at: datetime | None = timestamp(nullable=True)


class FamilyMember(MunicipalTable, table=True):
    __tablename__ = "family_members"
    __table_args__ = (
        # one active family per BSN in a municipality (the service answers 409 with a link)
        Index(
            "uq_family_members_active_bsn",
            "municipality_code",
            "bsn",
            unique=True,
            postgresql_where=sql_text("bsn IS NOT NULL AND active"),
        ),
        Index("ix_family_members_names", "family_id", "family_name", "given_name"),
        # name search (``%q%``, accents and case ignored): trigrams of person_search_text (migration 0010)
        Index(
            "ix_family_members_search",
            func.person_search_text(column("given_name"), column("family_name")).label("search"),
            postgresql_using="gin",
            postgresql_ops={"search": "gin_trgm_ops"},
        ),
    )

    family_id: uuid.UUID = Field(foreign_key="families.id", index=True, ondelete="CASCADE")
    role: str = Field(max_length=10)  # child / parent / carer / other
    given_name: str = Field(max_length=200)
    family_name: str = Field(max_length=200)
    birth_date: date = day()
    bsn: str | None = Field(default=None, max_length=9)
    extended_care: bool = False
    active: bool = True  # false when the family is closed or anonymised
    created_at: datetime = timestamp()
