"""HTTP routes: budgets, budget allocations and budget status (municipality officers)."""

import uuid
from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from app.auth import MunicipalityOfficer
from app.db import SessionDep
from app.routers.shapes import located
from app.schemas.budgets import (
    AllocationCreate,
    AllocationPublic,
    BudgetPublic,
    BudgetPut,
    BudgetStatusPublic,
    Category,
    MunicipalityCode,
    Year,
)
from app.services.money import allocations, budget_status, budgets

router = APIRouter(tags=["budgets"])


@router.put(
    "/budgets/{municipality}/{year}/{category}",
    summary="Set a budget for the municipality or one of its districts",
)
async def put_budget(
    municipality: Annotated[MunicipalityCode, Path()],
    year: Annotated[int, Path(ge=2000, le=2100)],
    category: Category,
    body: BudgetPut,
    session: SessionDep,
    principal: MunicipalityOfficer,
) -> BudgetPublic:
    budget = await budgets.put_budget(
        session, principal, municipality, year, category, body.district_code, body.amount_cents
    )
    return BudgetPublic.model_validate(budget)


@router.get("/budgets", summary="The caller's municipality's budgets for a year")
async def list_budgets(
    session: SessionDep, principal: MunicipalityOfficer, year: Annotated[int, Query(ge=2000, le=2100)]
) -> list[BudgetPublic]:
    return [BudgetPublic.model_validate(b) for b in await budgets.list_budgets(session, principal, year)]


@router.post(
    "/budget-allocations",
    status_code=201,
    responses={404: {"description": "Not your municipality."}},
    summary="Allocate a total over the districts by weighted indicators (sets their budgets)",
)
async def create_allocation(
    body: AllocationCreate, session: SessionDep, principal: MunicipalityOfficer, response: Response
) -> AllocationPublic:
    allocation = await allocations.create_allocation(
        session, principal, body.municipality, body.year, body.category, body.total_cents, body.weights
    )
    return located(response, AllocationPublic.model_validate(allocation), "budget-allocations", allocation.id)


@router.get(
    "/budget-allocations/{allocation_id}", summary="One budget allocation with its per-district result"
)
async def get_allocation(
    allocation_id: uuid.UUID, session: SessionDep, principal: MunicipalityOfficer
) -> AllocationPublic:
    return AllocationPublic.model_validate(
        await allocations.get_allocation(session, principal, allocation_id)
    )


@router.get(
    "/budget-status",
    responses={404: {"description": "Not your municipality."}},
    summary="Allocated, committed, spent and forecast per district and category",
)
async def get_budget_status(
    session: SessionDep,
    principal: MunicipalityOfficer,
    municipality: Annotated[MunicipalityCode | None, Query(description="Default: the caller's.")] = None,
    year: Annotated[Year | None, Query(description="Default: the current year.")] = None,
) -> BudgetStatusPublic:
    status = await budget_status.budget_status(session, principal, municipality, year)
    return BudgetStatusPublic.model_validate(asdict(status))
