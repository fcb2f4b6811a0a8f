"""HTTP routes: budgets."""

from fastapi import APIRouter

router = APIRouter(tags=["budgets"])
