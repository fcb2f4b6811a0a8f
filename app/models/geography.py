"""Regions, municipalities (CBS ``GM`` codes), districts (CBS ``WK`` codes), indicators, teams."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import id_field, jsonb, timestamp


class Region(SQLModel, table=True):
    __tablename__ = "regions"

    id: uuid.UUID = id_field()
    name: str = Field(max_length=200, unique=True)
    created_at: datetime = timestamp()


class Municipality(SQLModel, table=True):
    __tablename__ = "municipalities"

    code: str = Field(primary_key=True, max_length=6)  # GM0363
    name: str = Field(max_length=200)
    region_id: uuid.UUID = Field(foreign_key="regions.id", index=True)


class District(SQLModel, table=True):
    __tablename__ = "districts"

    code: str = Field(primary_key=True, max_length=8)  # WK036301
    name: str = Field(max_length=200)
    municipality_code: str = Field(foreign_key="municipalities.code", index=True, max_length=6)


class DistrictIndicator(SQLModel, table=True):
    """Objective indicators of a district for a year, used for allocation and per-1000 rates."""

    __tablename__ = "district_indicators"

    district_code: str = Field(foreign_key="districts.code", primary_key=True, max_length=8)
    year: int = Field(primary_key=True)
    municipality_code: str = Field(foreign_key="municipalities.code", index=True, max_length=6)
    youth_population: int | None = None
    values: dict[str, Any] = jsonb()  # {"youthPopulation": 4210, "lowIncomeShare": 0.12, ...}
    updated_at: datetime = timestamp()


class Team(SQLModel, table=True):
    __tablename__ = "teams"

    id: uuid.UUID = id_field()
    name: str = Field(max_length=200)
    kind: str = Field(max_length=20)  # parent_child / samen_doen / neighbourhood / intake
    municipality_code: str = Field(foreign_key="municipalities.code", index=True, max_length=6)
    created_at: datetime = timestamp()


class TeamDistrict(SQLModel, table=True):
    __tablename__ = "team_districts"
    __table_args__ = (UniqueConstraint("district_code", "team_id"),)

    team_id: uuid.UUID = Field(foreign_key="teams.id", primary_key=True, ondelete="CASCADE")
    district_code: str = Field(foreign_key="districts.code", primary_key=True, max_length=8)
