"""Demo data for the quick start: a region of three municipalities and its history.

Ids are derived from names (uuid5), so the dev tokens printed by ``make run`` stay valid
across restarts. Loading is idempotent: a database that has the demo region is left alone.
Each part lives in its own module and is loaded in order by :func:`load_demo`.
"""

from typing import Any

from app.config import Settings
from app.demo.ids import (
    DEMO_CLAIMS,
    DEMO_FAMILY,
    DEMO_GP_AGB,
    DEMO_PARENT,
    DEMO_PROVIDER,
    DEMO_REGION,
    DEMO_TEAM,
    MUNICIPALITY,
)

__all__ = [
    "DEMO_FAMILY",
    "DEMO_GP_AGB",
    "DEMO_PARENT",
    "DEMO_PROVIDER",
    "DEMO_REGION",
    "DEMO_TEAM",
    "demo_token_claims",
    "demo_tokens",
    "load_demo",
]


async def load_demo(database_url: str) -> bool:
    """Load every demo part in one transaction; returns False when already present."""
    from sqlalchemy.ext.asyncio import create_async_engine

    from app.db import create_sessionmaker
    from app.models.geography import Region

    engine = create_async_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            if await session.get(Region, DEMO_REGION) is not None:
                return False
            for part in _parts():
                await part.seed(session)
            await session.commit()
        return True
    finally:
        await engine.dispose()


def _parts() -> list[Any]:
    """The demo modules, in load order; each has ``async def seed(session)``."""
    from app.demo import families, history, reference

    return [reference, families, history]


def demo_token_claims() -> dict[str, dict[str, str]]:
    """Per role, the claims (beyond sub, roles and municipality) its demo token carries."""
    from app.auth import ROLE_CLAIMS

    return {role.value: {claim: DEMO_CLAIMS[claim] for claim in ROLE_CLAIMS[role]} for role in ROLE_CLAIMS}


def demo_tokens(settings: Settings) -> dict[str, str]:
    """One dev token per role, for the demo region's people and organisations."""
    from app.auth import issue_dev_token

    return {
        role: issue_dev_token(settings, sub=f"demo-{role}", roles=[role], municipality=MUNICIPALITY, **claims)
        for role, claims in demo_token_claims().items()
    }
