"""Budgets per municipality, district, year and category (DESIGN §7), set by municipality officers."""

from sqlalchemy import ColumnElement, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import Principal
from app.errors import InvalidInput, InvalidParam, NotFound
from app.models.base import utcnow
from app.models.geography import District
from app.models.money import Budget
from app.services.money.ledger import require_officer

CATEGORIES = ("specialist", "local_team", "prevention", "lumpsum")


def budget_scope(principal: Principal) -> ColumnElement[bool]:
    return Budget.municipality_code == principal.municipality


def require_own_municipality(principal: Principal, municipality: str) -> None:
    """Another municipality's budgets are invisible: 404."""
    require_officer(principal)
    if municipality != principal.municipality:
        raise NotFound("municipality")


async def check_district(session: AsyncSession, municipality: str, district_code: str | None) -> None:
    if district_code is None:
        return
    found = await session.scalar(
        select(District.code).where(
            District.code == district_code, District.municipality_code == municipality
        )
    )
    if found is None:
        raise InvalidInput(
            [InvalidParam("districtCode", "unknown_district", "No such district in this municipality.")]
        )


async def upsert_budget(
    session: AsyncSession,
    municipality: str,
    year: int,
    category: str,
    district_code: str | None,
    amount_cents: int,
    allocation_id: object | None = None,
) -> Budget:
    """Insert or replace one budget (safe under concurrency: ``ON CONFLICT`` on its key)."""
    values = {
        "municipality_code": municipality,
        "district_code": district_code,
        "year": year,
        "category": category,
        "amount_cents": amount_cents,
        "allocation_id": allocation_id,
        "updated_at": utcnow(),
    }
    statement = (
        insert(Budget)
        .values(**values)
        .on_conflict_do_update(
            index_elements=["municipality_code", "district_code", "year", "category"],
            set_={
                "amount_cents": amount_cents,
                "allocation_id": allocation_id,
                "updated_at": values["updated_at"],
            },
        )
        .returning(Budget)
        .execution_options(populate_existing=True)
    )
    return (await session.scalars(statement)).one()


async def put_budget(
    session: AsyncSession,
    principal: Principal,
    municipality: str,
    year: int,
    category: str,
    district_code: str | None,
    amount_cents: int,
) -> Budget:
    """Set a budget by hand (this detaches it from any allocation)."""
    require_own_municipality(principal, municipality)
    await check_district(session, municipality, district_code)
    return await upsert_budget(session, municipality, year, category, district_code, amount_cents)


async def list_budgets(session: AsyncSession, principal: Principal, year: int) -> list[Budget]:
    require_officer(principal)
    rows = await session.scalars(
        select(Budget)
        .where(budget_scope(principal), Budget.year == year)
        .order_by(Budget.district_code.nulls_first(), Budget.category)
    )
    return list(rows)
