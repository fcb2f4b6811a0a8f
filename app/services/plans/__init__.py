"""Perspective plans: drafting, assessments, goals, support profiles, signing and snapshots,
revisions, evaluation and the plan view with its engagement summary.
"""

MAY_USE: tuple[str, ...] = ("platform", "reference", "families", "referrals", "money", "engagements")
