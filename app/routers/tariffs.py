"""HTTP routes: tariffs."""

from fastapi import APIRouter

router = APIRouter(tags=["tariffs"])
