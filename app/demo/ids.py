"""Ids of the demo region, derived from names (uuid5) so that printed dev tokens stay valid."""

import uuid

NAMESPACE = uuid.UUID("6f1c6a52-7d1e-4c55-9d0a-5e0b9c1f2a10")
MUNICIPALITY = "GM0363"


def demo_id(*parts: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, "/".join(parts))


# Who the printed dev tokens stand for (the demo families are loaded by app.demo.families).
DEMO_TEAM = demo_id("team", "GM0363", "1")
DEMO_PROVIDER = demo_id("provider", "1")
DEMO_FAMILY = demo_id("family", "1")
DEMO_PARENT = demo_id("family", "1", "member", "parent")
DEMO_GP_AGB = "01012345"
DEMO_REGION = demo_id("region", "amstelland")
