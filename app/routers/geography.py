"""HTTP routes: geography."""

from fastapi import APIRouter

router = APIRouter(tags=["geography"])
