"""HTTP routes: referrals."""

from fastapi import APIRouter

router = APIRouter(tags=["referrals"])
