"""HTTP routes: marketplace."""

from fastapi import APIRouter

router = APIRouter(tags=["marketplace"])
