"""The life-domain catalogue (levensgebieden): reference data, readable by every role."""

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import Principal
from app.models.catalogue import LifeDomain


async def list_life_domains(session: AsyncSession, principal: Principal) -> Sequence[LifeDomain]:
    """Every life domain in catalogue order.

    The catalogue holds no family data, so any authenticated principal may read it and no
    audit row is written.
    """
    del principal  # authentication is the only requirement
    result = await session.execute(select(LifeDomain).order_by(LifeDomain.position, LifeDomain.code))
    return result.scalars().all()
