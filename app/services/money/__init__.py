"""Money: the payment ledger and its rules (70/30, monthly, result share), approval and export
batches, budgets, allocation over districts and budget status. Knows engagements only as rows.
"""

MAY_USE: tuple[str, ...] = ("platform", "reference")
