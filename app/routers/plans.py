"""HTTP routes: plans."""

from fastapi import APIRouter

router = APIRouter(tags=["plans"])
