"""Steering: insights and outcome indicators per district, team, provider and profile over whole
months with suppression that survives differencing, trend alerts and the case-review queue.
Reads every domain, and nothing depends on it.
"""

MAY_USE: tuple[str, ...] = (
    "platform", "reference", "families", "referrals", "money", "engagements", "plans",
)
