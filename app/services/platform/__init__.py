"""Platform: what every domain uses — the audit trail, the event outbox, the Dutch calendar,
keyset paging and the readiness check. It knows no domain.
"""

MAY_USE: tuple[str, ...] = ()
