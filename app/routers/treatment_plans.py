"""HTTP routes: treatment-plans."""

from fastapi import APIRouter

router = APIRouter(tags=["treatment-plans"])
