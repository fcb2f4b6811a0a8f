"""When to try a failed delivery again: exponential backoff with jitter, within a retry window."""

import random
from datetime import datetime, timedelta

from app.config import Settings


def retry_delay(attempts: int, settings: Settings, rng: random.Random | None = None) -> float:
    """Seconds until the next try after ``attempts`` tries: base·2^(n−1), capped, and then a random
    share of 50–100 % of it, so that receivers coming back are not hit by every retry at once.
    With the default base of 5 s the first retries fall within a minute, later ones hours apart."""
    exponent = min(max(attempts - 1, 0), 40)
    ceiling = min(settings.dispatch_backoff_max_seconds, settings.dispatch_backoff_base_seconds * 2**exponent)
    return ceiling * (0.5 + 0.5 * (rng or random).random())


def next_attempt(
    attempts: int, now: datetime, window_started_at: datetime, settings: Settings
) -> datetime | None:
    """The moment of the next try, or None when it would fall outside the retry window (dead letter)."""
    moment = now + timedelta(seconds=retry_delay(attempts, settings))
    if moment > window_started_at + timedelta(seconds=settings.dispatch_retry_window_seconds):
        return None
    return moment
