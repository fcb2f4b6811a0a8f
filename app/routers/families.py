"""HTTP routes: families."""

from fastapi import APIRouter

router = APIRouter(tags=["families"])
