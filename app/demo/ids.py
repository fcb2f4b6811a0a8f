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

# What `perspectief token --demo` fills in for the claims a role needs.
DEMO_CLAIMS: dict[str, str] = {
    "team": str(DEMO_TEAM),
    "provider": str(DEMO_PROVIDER),
    "family": str(DEMO_FAMILY),
    "member": str(DEMO_PARENT),
    "agb": DEMO_GP_AGB,
    "region": str(DEMO_REGION),
}

# Who each printed dev token stands for, in words (the demo's organisations; no person's name).
DEMO_ROLE_DESCRIPTIONS: dict[str, str] = {
    "district_professional": "a professional of Wijkteam Centrum (demo), Amsterdam",
    "family_member": "the parent of demo family 1 (agreed plan, shared with the demo provider)",
    "gp": "a general practitioner who referred the demo family's child",
    "provider_staff": "staff of Jeugdzorg Amstelland (demo), the demo family's provider",
    "municipality_officer": "an officer of the municipality of Amsterdam (aggregates only)",
    "purchasing_officer": "a purchasing officer of Regio Amstelland (demo)",
    "integration": "the municipality's integration bus",
    "admin": "an administrator of the reference data",
}
