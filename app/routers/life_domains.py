"""HTTP routes: life-domains."""

from fastapi import APIRouter

router = APIRouter(tags=["life-domains"])
