"""Privacy: the family's rights over its data and the proof of who looked at it — the export of
everything held on a family (AVG art. 15 and 20), erasure on request (AVG art. 17, Jeugdwet
7.3.9), the retention job that anonymises files 20 years after the care ended (Jeugdwet 7.3.8)
and purges what must not outlive its purpose, and the admin's search of the audit trail.
It sits above every other domain: it reads and anonymises all of their tables.
"""

MAY_USE: tuple[str, ...] = (
    "platform",
    "reference",
    "families",
    "referrals",
    "money",
    "engagements",
    "plans",
    "steering",
)
