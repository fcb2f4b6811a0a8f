"""The benchmarked endpoints, each with the caller whose token it needs.

The callers are the demo region's: its first team, its first provider, the municipality officer
of Amsterdam — present in the demo database and in every generated data set
(``perspectief generate``), so the same requests can be timed on a small and a large set.
"""

import uuid
from dataclasses import dataclass, field

import asyncpg

from app.auth import issue_dev_token
from app.config import Settings
from app.demo.ids import DEMO_FAMILY, DEMO_PROVIDER, DEMO_TEAM, MUNICIPALITY
from app.embedded_pg import asyncpg_dsn

NO_MATCH = "Qxzwyv"


@dataclass
class Target:
    """One endpoint as our app serves it, and the key the baseline replays its SQL under."""

    name: str
    ours_path: str
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return uuid.uuid5(uuid.NAMESPACE_URL, self.name).hex


async def demo_plan(url: str) -> uuid.UUID | None:
    """The demo family's newest plan."""
    dsn, kwargs = asyncpg_dsn(url)
    conn = await asyncpg.connect(dsn, **kwargs)
    try:
        return await conn.fetchval(
            "SELECT id FROM plans WHERE family_id = $1 ORDER BY created_at DESC LIMIT 1", DEMO_FAMILY
        )
    finally:
        await conn.close()


def _auth(
    settings: Settings, role: str, municipality: str = MUNICIPALITY, **claims: object
) -> dict[str, str]:
    token = issue_dev_token(settings, sub=f"bench-{role}", roles=[role], municipality=municipality, **claims)
    return {"Authorization": f"Bearer {token}"}


async def families_per_municipality(url: str) -> dict[str, int]:
    dsn, kwargs = asyncpg_dsn(url)
    conn = await asyncpg.connect(dsn, **kwargs)
    try:
        rows = await conn.fetch("SELECT municipality_code, count(*) FROM families GROUP BY 1")
    finally:
        await conn.close()
    return {r[0]: r[1] for r in rows}


async def endpoints(url: str, settings: Settings, officer_municipality: str = MUNICIPALITY) -> list[Target]:
    """The endpoints; the officer's ones for ``officer_municipality`` (the lists are the demo
    team's and provider's in Amsterdam)."""
    team = _auth(settings, "district_professional", team=str(DEMO_TEAM))
    provider = _auth(settings, "provider_staff", provider=str(DEMO_PROVIDER))
    officer = _auth(settings, "municipality_officer", officer_municipality)
    targets = []
    plan = await demo_plan(url)
    if plan is not None:
        targets.append(Target("GET /plans/{id}", f"/api/v1/plans/{plan}", team))
    targets += [
        Target("GET /families", "/api/v1/families?pageSize=50", team),
        Target("GET /families?q=Jansen", "/api/v1/families?q=Jansen", team),
        Target("GET /families?q=(none)", f"/api/v1/families?q={NO_MATCH}", team),
        Target("GET /engagements", "/api/v1/engagements", provider),
        Target("GET /handoffs", "/api/v1/handoffs", team),
        Target("GET /insights/districts", "/api/v1/insights/districts", officer),
        Target("GET /insights/trends", "/api/v1/insights/trends", officer),
        Target("GET /budget-status", "/api/v1/budget-status", officer),
        Target("GET /case-reviews", "/api/v1/case-reviews", officer),
        Target("GET /payments", "/api/v1/payments", officer),
    ]
    return targets
