"""The pull feed: the municipality's CloudEvents in ``sequence`` order after a given sequence.

Gap-free by construction: a sequence is assigned when the writing transaction commits, by one
committer at a time (the outbox trigger), so when a reader sees sequence N every event below N is
already committed and visible. A consumer that pages with the last sequence it saw never misses
an event, however late a long transaction commits.
"""

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import Principal
from app.errors import InvalidInput, InvalidParam
from app.models.core import OutboxEvent
from app.services.platform.events import SEQUENCE_DIGITS, to_cloudevent

_SEQUENCE = re.compile(rf"[0-9]{{1,{SEQUENCE_DIGITS}}}", re.ASCII)


def parse_after_sequence(value: str | None) -> int:
    """``afterSequence`` as a number: digits only (the zero-padded form is accepted), 0 when absent."""
    if value is None or value == "":
        return 0
    if not _SEQUENCE.fullmatch(value):
        raise InvalidInput(
            [InvalidParam("afterSequence", "invalid_sequence", "afterSequence is the sequence of an event.")]
        )
    return int(value)


async def page(
    session: AsyncSession, principal: Principal, after: int, types: list[str], size: int
) -> tuple[list[dict[str, Any]], str | None]:
    query = select(OutboxEvent).where(
        OutboxEvent.municipality_code == principal.municipality,
        OutboxEvent.sequence > after,
    )
    if types:
        query = query.where(OutboxEvent.type.in_(types))
    rows = (await session.scalars(query.order_by(OutboxEvent.sequence).limit(size))).all()
    items = [to_cloudevent(row) for row in rows]
    return items, (items[-1]["sequence"] if len(items) == size else None)
