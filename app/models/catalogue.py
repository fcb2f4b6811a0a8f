"""The life-domain catalogue and the support profiles with their intensities."""

from sqlmodel import Field, SQLModel

from app.models.base import text


class LifeDomain(SQLModel, table=True):
    """A life domain (levensgebied): the 13 ZRM domains plus the child domains."""

    __tablename__ = "life_domains"

    code: str = Field(primary_key=True, max_length=40)
    name: str = Field(max_length=120)
    group: str = Field(max_length=20)  # zrm / child
    position: int = 0


class SupportProfile(SQLModel, table=True):
    """One of the 11 support profiles (ondersteuningsprofielen); segment A, B or C."""

    __tablename__ = "support_profiles"

    code: str = Field(primary_key=True, max_length=3)  # P01..P11
    name: str = Field(max_length=200)
    segment: str = Field(max_length=1)  # A / B / C
    description: str | None = text(nullable=True)


class ProfileIntensity(SQLModel, table=True):
    __tablename__ = "profile_intensities"

    profile_code: str = Field(
        foreign_key="support_profiles.code", primary_key=True, max_length=3, ondelete="CASCADE"
    )
    code: str = Field(primary_key=True, max_length=2)  # I1..I4
    name: str = Field(max_length=200)
    max_months: int
    # The iJw product (JZ020 category + code) allocated for it; when empty, category 50
    # (maatwerkarrangementen jeugd) with code profile + intensity (``P06I2``).
    ijw_category: str | None = Field(default=None, max_length=2)
    ijw_code: str | None = Field(default=None, max_length=5)
