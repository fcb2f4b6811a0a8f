"""Referrals (verwijzingen): creation by the team or a GP, duplicate refusal, validity.
Uses families for the child and its scope.
"""

MAY_USE: tuple[str, ...] = ("platform", "reference", "families")
