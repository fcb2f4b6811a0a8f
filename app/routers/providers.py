"""HTTP routes: providers."""

from fastapi import APIRouter

router = APIRouter(tags=["providers"])
