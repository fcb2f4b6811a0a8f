"""Who is told when an engagement's allocation is issued, withdrawn or ended.

The iJw package (above engagements) registers its JW301 producer here at app creation, so the
engagement services announce the change without importing what listens to it.
"""

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from app.models.engagements import Engagement

AllocationListener = Callable[[AsyncSession, Engagement], Awaitable[None]]
_listeners: list[AllocationListener] = []


def listen(listener: AllocationListener) -> None:
    """Register ``listener`` once (registering the same one again changes nothing)."""
    if listener not in _listeners:
        _listeners.append(listener)


async def allocation_changed(session: AsyncSession, engagement: Engagement) -> None:
    """Tell every listener, in the transaction of the change (a failing listener fails it)."""
    for listener in _listeners:
        await listener(session, engagement)
