"""Catalogue imports: profiles, tariffs and contracts from one CSV or JSON document.

All or nothing: every row is checked first — against the catalogue, the provider register,
the region's tariffs and the other rows — and if any row is wrong nothing is written and the
400 lists every problem per row. Only then is everything written, in the request's
transaction. Rows may refer to profiles defined earlier in the same import.
"""

import uuid
from dataclasses import asdict, dataclass, field
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import Principal
from app.errors import AppError, Conflict, InvalidInput, InvalidParam
from app.models.base import ApiModel
from app.models.providers import Tariff
from app.schemas.reference_imports import ContractRow, ProfileRow, TariffRow
from app.services.reference.common import resource_url
from app.services.reference.contracts import (
    ContractSpec,
    check_contract,
    insert_contracts,
    require_own_region,
)
from app.services.reference.import_rows import RawRow, RowError, decode, parse_csv, parse_json, typed_rows
from app.services.reference.providers import provider_ids_by_agb
from app.services.reference.support_profiles import (
    Catalogue,
    IntensitySpec,
    ProfileSpec,
    add_profiles,
    load_catalogue,
)
from app.services.reference.tariffs import TariffSpec, check_tariff, insert_tariffs, tariffs_of_products

FORMATS = ("csv", "json")
RowT = TypeVar("RowT", bound=ApiModel)


class UnsupportedFormat(AppError):
    status = 415
    code = "unsupported_media_type"


class CatalogueImportRejected(InvalidInput):
    """A 400 listing every problem of every row; ``rowErrors`` keeps the row numbers apart."""

    def __init__(self, errors: list[RowError]) -> None:
        params = [InvalidParam(f"rows[{e.row}].{e.name}", e.code, e.reason) for e in errors]
        super().__init__(params, detail=f"The import has {len(errors)} problem(s); nothing was written.")
        self.extra = {"row_errors": [asdict(e) for e in errors]}


@dataclass(frozen=True)
class ImportResult:
    rows: int
    profiles: int
    intensities: int
    tariffs: int
    contracts: int


@dataclass
class ImportPlan:
    """What a checked import will write."""

    profiles: dict[str, ProfileSpec] = field(default_factory=dict)
    tariffs: list[tuple[int, TariffSpec]] = field(default_factory=list)
    contracts: list[tuple[uuid.UUID, ContractSpec]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def error(self, row: int, name: str, code: str, reason: str) -> None:
        self.errors.append(RowError(row, name, code, reason))


def _plan_profiles(plan: ImportPlan, rows: list[tuple[int, ProfileRow]], catalogue: Catalogue) -> None:
    """Group intensity rows into profiles; new profiles join ``catalogue`` for later rows."""
    for number, row in rows:
        if row.profile_code in catalogue.profiles and row.profile_code not in plan.profiles:
            plan.error(number, "profileCode", "duplicate_support_profile", "This profile exists already.")
            continue
        spec = plan.profiles.setdefault(
            row.profile_code, ProfileSpec(row.profile_code, row.profile_name, row.segment.value, None, [])
        )
        if row.profile_name != spec.name:
            plan.error(
                number, "profileName", "inconsistent", "Rows of one profile carry the same profile name."
            )
        if row.segment.value != spec.segment:
            plan.error(number, "segment", "inconsistent", "Rows of one profile carry the same segment.")
        if any(i.code == row.intensity_code for i in spec.intensities):
            plan.error(number, "intensityCode", "duplicate", "This intensity of the profile is listed twice.")
            continue
        if (row.ijw_category is None) != (row.ijw_code is None):
            plan.error(number, "ijwCode", "incomplete", "An iJw product names both category and code.")
            continue
        spec.intensities.append(
            IntensitySpec(
                row.intensity_code,
                row.intensity_name,
                row.max_months,
                row.ijw_category.value if row.ijw_category else None,
                row.ijw_code,
            )
        )
        catalogue.add(row.profile_code, spec.segment, [row.intensity_code])


def _provider(
    plan: ImportPlan, number: int, agb: str | None, providers: dict[str, uuid.UUID]
) -> uuid.UUID | None:
    """The provider of an AGB code; an unknown code is an error (and a placeholder id)."""
    if agb is None:
        return None
    if agb not in providers:
        plan.error(number, "providerAgbCode", "unknown_provider", "No provider has this AGB code.")
        return uuid.uuid4()
    return providers[agb]


def _plan_tariffs(
    plan: ImportPlan,
    rows: list[tuple[int, TariffRow]],
    catalogue: Catalogue,
    providers: dict[str, uuid.UUID],
    existing: list[Tariff],
) -> None:
    for number, row in rows:
        spec = TariffSpec(
            profile_code=row.profile_code,
            intensity_code=row.intensity_code,
            provider_id=_provider(plan, number, row.provider_agb_code, providers),
            valid_from=row.valid_from,
            valid_to=row.valid_to,
            amount_cents=row.amount_cents,
        )
        problems = check_tariff(spec, catalogue, provider_known=True)
        for p in problems:
            name = "providerAgbCode" if p.name == "providerId" else p.name
            plan.error(number, name, p.code, p.reason)
        if problems:
            continue
        clash = next((t for t in existing if spec.overlaps(t)), None)
        if clash is not None:
            plan.error(
                number, "validFrom", "tariff_overlap", f"Overlaps {resource_url('tariffs', clash.id)}."
            )
            continue
        earlier = next((n for n, other in plan.tariffs if spec.overlaps(other)), None)
        if earlier is not None:
            plan.error(number, "validFrom", "tariff_overlap", f"Overlaps the tariff of row {earlier}.")
            continue
        plan.tariffs.append((number, spec))


def _plan_contracts(
    plan: ImportPlan,
    rows: list[tuple[int, ContractRow]],
    catalogue: Catalogue,
    providers: dict[str, uuid.UUID],
) -> None:
    for number, row in rows:
        provider_id = _provider(plan, number, row.provider_agb_code, providers)
        spec = ContractSpec(
            valid_from=row.valid_from,
            valid_to=row.valid_to,
            payment_model=row.payment_model.value,
            start_share_percent=row.start_share_percent,
            result_share_percent=row.result_share_percent,
            completion_on_dropout=row.completion_on_dropout,
            capacity=row.capacity,
            lumpsum_period_cents=row.lumpsum_period_cents,
            products=[(p.profile_code, p.intensity_code) for p in row.products],
        )
        for p in check_contract(spec, catalogue):
            plan.error(number, p.name, p.code, p.reason)
        if provider_id is not None:
            plan.contracts.append((provider_id, spec))


def _of_kind(typed: list[tuple[int, ApiModel]], kind: type[RowT]) -> list[tuple[int, RowT]]:
    return [(number, row) for number, row in typed if isinstance(row, kind)]


async def _plan(session: AsyncSession, region_id: uuid.UUID, typed: list[tuple[int, ApiModel]]) -> ImportPlan:
    """Check every row against the database (a fixed number of queries) and the other rows."""
    plan = ImportPlan()
    catalogue = await load_catalogue(session)
    tariff_rows = _of_kind(typed, TariffRow)
    contract_rows = _of_kind(typed, ContractRow)
    agbs = {r.provider_agb_code for _, r in tariff_rows if r.provider_agb_code}
    providers = await provider_ids_by_agb(session, agbs | {r.provider_agb_code for _, r in contract_rows})
    existing = await tariffs_of_products(session, region_id, {r.profile_code for _, r in tariff_rows})
    _plan_profiles(plan, _of_kind(typed, ProfileRow), catalogue)
    _plan_tariffs(plan, tariff_rows, catalogue, providers, existing)
    _plan_contracts(plan, contract_rows, catalogue, providers)
    return plan


def _read(fmt: str, data: bytes) -> tuple[list[RawRow], list[RowError]]:
    if fmt not in FORMATS:
        raise UnsupportedFormat("Upload CSV (text/csv) or JSON (application/json).")
    text = decode(data)
    if isinstance(text, RowError):
        return [], [text]
    rows, errors = parse_csv(text) if fmt == "csv" else parse_json(text)
    if not rows and not errors:
        errors = [RowError(0, "rows", "required", "The import holds no rows.")]
    return rows, errors


async def import_catalogue(
    session: AsyncSession, principal: Principal, fmt: str, data: bytes
) -> ImportResult:
    """Check the whole document, then write it; ``fmt`` is ``csv`` or ``json``."""
    region_id = require_own_region(principal, None)
    rows, errors = _read(fmt, data)
    typed, row_errors = typed_rows(rows)
    plan = await _plan(session, region_id, typed)
    errors = sorted([*errors, *row_errors, *plan.errors], key=lambda e: e.row)
    if errors:
        raise CatalogueImportRejected(errors)
    profiles = list(plan.profiles.values())
    if await add_profiles(session, profiles):
        raise Conflict("A profile of the import was added meanwhile.", code="duplicate_support_profile")
    await insert_tariffs(session, region_id, [spec for _, spec in plan.tariffs])
    await insert_contracts(session, [(provider, region_id, spec) for provider, spec in plan.contracts])
    return ImportResult(
        rows=len(rows),
        profiles=len(profiles),
        intensities=sum(len(p.intensities) for p in profiles),
        tariffs=len(plan.tariffs),
        contracts=len(plan.contracts),
    )
