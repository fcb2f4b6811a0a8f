"""HTTP routes: engagements."""

from fastapi import APIRouter

router = APIRouter(tags=["engagements"])
