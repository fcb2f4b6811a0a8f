"""HTTP routes: case-reviews."""

from fastapi import APIRouter

router = APIRouter(tags=["case-reviews"])
