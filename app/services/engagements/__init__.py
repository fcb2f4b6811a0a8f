"""Engagements (trajectories): request to closure, provider options, treatment plans,
subcontracts, progress, experience surveys, handoffs, outcome rules and the plan status they
drive. Schedules payments through money.
"""

MAY_USE: tuple[str, ...] = ("platform", "reference", "families", "referrals", "money")
