"""Tariffs: the price of a profile × intensity in a region, with a validity period.

Segment A and B tariffs are regional (no provider); segment C tariffs are per provider.
Periods of the same (region, profile, intensity, provider) never overlap: the check here
names the existing tariff, and the exclusion constraint ``ex_tariffs_no_overlap`` settles
concurrent requests in the database (the loser gets the same 409).
"""

import uuid
from dataclasses import asdict, dataclass
from datetime import date

from sqlalchemy import ColumnElement, func, literal, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import Principal
from app.errors import Conflict, InvalidInput, InvalidParam
from app.models.providers import Provider, Tariff
from app.pagination import PageRequest
from app.services.platform.rows import one_or_not_found, where_given
from app.services.reference.common import (
    DATE,
    EXCLUSION_VIOLATION,
    TEXT,
    UUID,
    cut_page,
    keyset,
    resource_url,
    sqlstate,
)
from app.services.reference.contracts import require_own_region
from app.services.reference.support_profiles import Catalogue, load_catalogue


@dataclass(frozen=True)
class TariffSpec:
    profile_code: str
    intensity_code: str
    provider_id: uuid.UUID | None
    valid_from: date
    valid_to: date | None
    amount_cents: int

    def overlaps(self, other: "TariffSpec | Tariff") -> bool:
        """Same product and provider, and the inclusive periods share a day."""
        same_key = (self.profile_code, self.intensity_code, self.provider_id) == (
            other.profile_code,
            other.intensity_code,
            other.provider_id,
        )
        return (
            same_key
            and (other.valid_to is None or self.valid_from <= other.valid_to)
            and (self.valid_to is None or other.valid_from <= self.valid_to)
        )


def tariff_scope(principal: Principal) -> ColumnElement[bool]:
    """The tariffs a caller may see: those of its region."""
    return Tariff.region_id == principal.region


def check_tariff(spec: TariffSpec, catalogue: Catalogue, *, provider_known: bool) -> list[InvalidParam]:
    """Every problem of a tariff at once: product, segment rule for the provider, period."""
    problems: list[InvalidParam] = []
    segment = catalogue.segment(spec.profile_code)
    if segment is None:
        problems.append(InvalidParam("profileCode", "unknown_profile", "No support profile has this code."))
    elif not catalogue.has_product(spec.profile_code, spec.intensity_code):
        problems.append(
            InvalidParam("intensityCode", "unknown_intensity", "The profile has no such intensity.")
        )
    if segment == "C" and spec.provider_id is None:
        problems.append(
            InvalidParam(
                "providerId", "required", "A segment C tariff is agreed per provider: name the provider."
            )
        )
    if segment in ("A", "B") and spec.provider_id is not None:
        problems.append(
            InvalidParam(
                "providerId",
                "not_applicable",
                "Segment A and B tariffs are regional: leave the provider out.",
            )
        )
    if spec.provider_id is not None and not provider_known:
        problems.append(InvalidParam("providerId", "unknown_provider", "No provider has this id."))
    if spec.valid_to is not None and spec.valid_to < spec.valid_from:
        problems.append(InvalidParam("validTo", "invalid_period", "validTo lies before validFrom."))
    return problems


def overlap_conflict(existing_id: uuid.UUID) -> Conflict:
    return Conflict(
        "A tariff for this product and provider is valid in an overlapping period.",
        code="tariff_overlap",
        existing=resource_url("tariffs", existing_id),
        existing_tariff_id=str(existing_id),
    )


async def find_overlap(session: AsyncSession, region_id: uuid.UUID, spec: TariffSpec) -> uuid.UUID | None:
    """The id of a tariff whose period overlaps ``spec``'s (uses the exclusion constraint's index)."""
    period = func.daterange(Tariff.valid_from, Tariff.valid_to, literal("[]"))
    wanted = func.daterange(
        literal(spec.valid_from), literal(spec.valid_to, type_=Tariff.valid_to.type), "[]"
    )
    query = (
        select(Tariff.id)
        .where(
            Tariff.region_id == region_id,
            Tariff.profile_code == spec.profile_code,
            Tariff.intensity_code == spec.intensity_code,
            Tariff.provider_id.is_not_distinct_from(spec.provider_id),
            period.op("&&")(wanted),
        )
        .order_by(Tariff.valid_from)
        .limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none()


async def create_tariff(session: AsyncSession, principal: Principal, spec: TariffSpec) -> Tariff:
    region_id = require_own_region(principal, None)
    provider_known = (
        spec.provider_id is not None and await session.get(Provider, spec.provider_id) is not None
    )
    problems = check_tariff(spec, await load_catalogue(session), provider_known=provider_known)
    if problems:
        raise InvalidInput(problems)
    existing = await find_overlap(session, region_id, spec)
    if existing is not None:
        raise overlap_conflict(existing)
    return (await insert_tariffs(session, region_id, [spec]))[0]


async def insert_tariffs(
    session: AsyncSession, region_id: uuid.UUID, specs: list[TariffSpec]
) -> list[Tariff]:
    """Write checked tariffs. A concurrent transaction that wrote an overlapping tariff first
    makes the exclusion constraint fail here: that is the same 409, naming its tariff.
    """
    rows = [Tariff(region_id=region_id, **asdict(spec)) for spec in specs]
    if not rows:
        return rows
    try:
        async with session.begin_nested():
            session.add_all(rows)
    except IntegrityError as error:
        if sqlstate(error) != EXCLUSION_VIOLATION:
            raise
        for spec in specs:  # the winner's tariff is committed and visible now
            winner = await find_overlap(session, region_id, spec)
            if winner is not None:
                raise overlap_conflict(winner) from error
        raise
    return rows


@dataclass(frozen=True)
class TariffFilter:
    """Narrows the region's tariff list; ``on_date`` keeps the tariffs valid on that day."""

    profile_code: str | None = None
    intensity_code: str | None = None
    provider_id: uuid.UUID | None = None
    on_date: date | None = None


async def list_tariffs(
    session: AsyncSession, principal: Principal, page: PageRequest, only: TariffFilter
) -> tuple[list[Tariff], str | None]:
    query = where_given(
        select(Tariff).where(tariff_scope(principal)),
        (Tariff.profile_code, only.profile_code),
        (Tariff.intensity_code, only.intensity_code),
        (Tariff.provider_id, only.provider_id),
    )
    if (day := only.on_date) is not None:
        query = query.where(Tariff.valid_from <= day, (Tariff.valid_to.is_(None)) | (Tariff.valid_to >= day))
    key = [Tariff.profile_code, Tariff.intensity_code, Tariff.valid_from, Tariff.id]
    rows = (await session.execute(keyset(query, key, [TEXT, TEXT, DATE, UUID], page))).scalars().all()
    return cut_page(rows, page, lambda t: [t.profile_code, t.intensity_code, t.valid_from, t.id])


async def get_tariff(session: AsyncSession, principal: Principal, tariff_id: uuid.UUID) -> Tariff:
    query = select(Tariff).where(Tariff.id == tariff_id, tariff_scope(principal))
    return await one_or_not_found(session, query, "tariff")


async def tariffs_of_products(
    session: AsyncSession, region_id: uuid.UUID, profile_codes: set[str]
) -> list[Tariff]:
    """The region's tariffs of the given profiles, in one query (for checking a batch)."""
    if not profile_codes:
        return []
    query = select(Tariff).where(Tariff.region_id == region_id, Tariff.profile_code.in_(profile_codes))
    return list((await session.execute(query)).scalars().all())
