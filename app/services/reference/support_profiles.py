"""The support-profile catalogue (ondersteuningsprofielen × intensities).

The catalogue is shared reference data: every authenticated caller reads it, purchasing
officers add profiles. :func:`load_catalogue` gives the whole catalogue in one query, for the
checks of contracts, tariffs and catalogue imports.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import Principal
from app.errors import Conflict, InvalidInput, InvalidParam
from app.models.catalogue import ProfileIntensity, SupportProfile
from app.pagination import PageRequest
from app.services.platform.rows import one_or_not_found, where_given
from app.services.reference.common import TEXT, cut_page, keyset, resource_url, view_of

# iJw product category 50: maatwerkarrangementen jeugd (JZ020), for intensities without a product.
DEFAULT_IJW_CATEGORY = "50"


@dataclass(frozen=True)
class IjwProduct:
    category: str
    code: str


def ijw_product(
    profile_code: str, intensity_code: str, category: str | None = None, code: str | None = None
) -> IjwProduct:
    """The iJw product of a profile × intensity: as set, else category 50 with code ``P06I2``."""
    if category and code:
        return IjwProduct(category, code)
    return IjwProduct(DEFAULT_IJW_CATEGORY, f"{profile_code}{intensity_code}")


@dataclass(frozen=True)
class IntensitySpec:
    code: str
    name: str
    max_months: int
    ijw_category: str | None = None
    ijw_code: str | None = None


@dataclass(frozen=True)
class IntensityView:
    code: str
    name: str
    max_months: int
    ijw_product: IjwProduct


@dataclass(frozen=True)
class ProfileView:
    code: str
    name: str
    segment: str
    description: str | None
    intensities: list[IntensityView]


@dataclass
class CatalogueEntry:
    segment: str
    intensities: set[str] = field(default_factory=set)


@dataclass
class Catalogue:
    """Profile code → segment and intensity codes."""

    profiles: dict[str, CatalogueEntry] = field(default_factory=dict)

    def segment(self, profile_code: str) -> str | None:
        entry = self.profiles.get(profile_code)
        return entry.segment if entry else None

    def has_product(self, profile_code: str, intensity_code: str) -> bool:
        entry = self.profiles.get(profile_code)
        return entry is not None and intensity_code in entry.intensities

    def add(self, profile_code: str, segment: str, intensity_codes: Iterable[str]) -> None:
        self.profiles.setdefault(profile_code, CatalogueEntry(segment)).intensities.update(intensity_codes)


async def load_catalogue(session: AsyncSession) -> Catalogue:
    """The whole catalogue (at most some tens of rows) in one query."""
    query = select(SupportProfile.code, SupportProfile.segment, ProfileIntensity.code).outerjoin(
        ProfileIntensity, ProfileIntensity.profile_code == SupportProfile.code
    )
    catalogue = Catalogue()
    for profile_code, segment, intensity_code in (await session.execute(query)).all():
        catalogue.add(profile_code, segment, [intensity_code] if intensity_code else [])
    return catalogue


def check_intensities(intensities: list[IntensitySpec], prefix: str = "intensities") -> list[InvalidParam]:
    seen: set[str] = set()
    problems = []
    for i, intensity in enumerate(intensities):
        if intensity.code in seen:
            problems.append(
                InvalidParam(f"{prefix}[{i}].code", "duplicate", "This intensity is listed twice.")
            )
        seen.add(intensity.code)
    return problems


@dataclass(frozen=True)
class ProfileSpec:
    code: str
    name: str
    segment: str
    description: str | None
    intensities: list[IntensitySpec]


async def add_profiles(session: AsyncSession, profiles: list[ProfileSpec]) -> set[str]:
    """Insert profiles and their intensities; returns the codes that existed (nothing else of
    those is written). One statement for the profiles, one for all intensities.
    """
    if not profiles:
        return set()
    rows = [
        {"code": p.code, "name": p.name, "segment": p.segment, "description": p.description} for p in profiles
    ]
    statement = pg_insert(SupportProfile).values(rows).on_conflict_do_nothing().returning(SupportProfile.code)
    inserted = set((await session.execute(statement)).scalars().all())
    session.add_all(
        [
            ProfileIntensity(
                profile_code=p.code,
                code=i.code,
                name=i.name,
                max_months=i.max_months,
                ijw_category=i.ijw_category,
                ijw_code=i.ijw_code,
            )
            for p in profiles
            if p.code in inserted
            for i in p.intensities
        ]
    )
    await session.flush()
    return {p.code for p in profiles} - inserted


async def create_profile(session: AsyncSession, principal: Principal, spec: ProfileSpec) -> ProfileView:
    problems = check_intensities(spec.intensities)
    if problems:
        raise InvalidInput(problems)
    if await add_profiles(session, [spec]):
        raise Conflict(
            "A support profile with this code exists.",
            code="duplicate_support_profile",
            existing=resource_url("support-profiles", spec.code),
        )
    return await get_profile(session, principal, spec.code)


async def _intensities(session: AsyncSession, codes: list[str]) -> dict[str, list[ProfileIntensity]]:
    """The intensities of several profiles in one query."""
    found: dict[str, list[ProfileIntensity]] = {code: [] for code in codes}
    if codes:
        query = (
            select(ProfileIntensity)
            .where(ProfileIntensity.profile_code.in_(codes))
            .order_by(ProfileIntensity.profile_code, ProfileIntensity.code)
        )
        for intensity in (await session.execute(query)).scalars().all():
            found[intensity.profile_code].append(intensity)
    return found


def _view(profile: SupportProfile, intensities: list[ProfileIntensity]) -> ProfileView:
    return view_of(
        ProfileView,
        profile,
        intensities=[
            view_of(
                IntensityView, i, ijw_product=ijw_product(profile.code, i.code, i.ijw_category, i.ijw_code)
            )
            for i in intensities
        ],
    )


@dataclass(frozen=True)
class ProfileFilter:
    """Which profiles a list asks for (None: any)."""

    segment: str | None = None


async def list_profiles(
    session: AsyncSession, principal: Principal, page: PageRequest, only: ProfileFilter
) -> tuple[list[ProfileView], str | None]:
    query = where_given(select(SupportProfile), (SupportProfile.segment, only.segment))
    rows = (await session.execute(keyset(query, [SupportProfile.code], [TEXT], page))).scalars().all()
    profiles, cursor = cut_page(rows, page, lambda p: [p.code])
    intensities = await _intensities(session, [p.code for p in profiles])
    return [_view(p, intensities[p.code]) for p in profiles], cursor


async def get_profile(session: AsyncSession, principal: Principal, code: str) -> ProfileView:
    profile = await one_or_not_found(
        session, select(SupportProfile).where(SupportProfile.code == code), "support profile"
    )
    intensities = await _intensities(session, [code])
    return _view(profile, intensities[code])
