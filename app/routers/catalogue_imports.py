"""HTTP routes: catalogue-imports."""

from fastapi import APIRouter

router = APIRouter(tags=["catalogue-imports"])
