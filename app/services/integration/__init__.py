"""Integration bus: webhook subscriptions, the dispatcher that delivers every committed event to
them (signed, retried with backoff, dead-lettered, replayable, in subject order), the gap-free
pull feed, and the personal-data-free views the bus reads when it follows an event's ``dataref``.
Reads the outbox through the platform; knows the other domains only as tables.
"""

MAY_USE: tuple[str, ...] = ("platform",)
