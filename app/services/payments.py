"""The payment ledger: lines scheduled on an engagement's start and close (DESIGN §7).

Called by the engagement service inside the same transaction as the state change.
"""

from sqlalchemy.ext.asyncio import AsyncSession

from app.models.engagements import Engagement


async def schedule_on_start(session: AsyncSession, engagement: Engagement) -> None:
    """Schedule the lines due when ``engagement`` starts (its frozen payment model decides)."""
    raise NotImplementedError  # implemented with the payment ledger


async def schedule_on_close(session: AsyncSession, engagement: Engagement) -> None:
    """Schedule the lines due when ``engagement`` closes (completion, pro rata, result share)."""
    raise NotImplementedError  # implemented with the payment ledger
