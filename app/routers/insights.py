"""HTTP routes: insights."""

from fastapi import APIRouter

router = APIRouter(tags=["insights"])
