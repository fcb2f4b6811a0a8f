"""Families: registration, members and their BSNs, the team's scope over families, consents,
the family's own audit trail, and intake (matching a GP's referral to a registered child).
Uses the platform and reference data.
"""

MAY_USE: tuple[str, ...] = ("platform", "reference")
