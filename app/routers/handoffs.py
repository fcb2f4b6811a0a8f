"""HTTP routes: handoffs."""

from fastapi import APIRouter

router = APIRouter(tags=["handoffs"])
