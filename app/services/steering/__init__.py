"""Steering: insights per district, team, provider and profile with small-cell suppression,
trend alerts and the case-review queue. Reads every domain, and nothing depends on it.
"""

MAY_USE: tuple[str, ...] = (
    "platform",
    "reference",
    "families",
    "referrals",
    "money",
    "engagements",
    "plans",
)
