"""HTTP routes: consents."""

from fastapi import APIRouter

router = APIRouter(tags=["consents"])
