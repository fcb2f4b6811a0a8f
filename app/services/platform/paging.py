"""Keyset paging for the family-side lists: newest first on (timestamp, id).

The cursor (``app.pagination``) carries the timestamp and id of the last item returned; the
next page continues strictly after it, so pages stay stable while rows are added.
"""

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from app.pagination import TIME_AND_ID, PageRequest, cursor_key, encode_cursor

T = TypeVar("T")


def newest_first(
    query: Select[Any], page: PageRequest, at: ColumnElement[Any], ident: ColumnElement[Any]
) -> Select[Any]:
    """Order ``query`` newest first, continue after the cursor and fetch one extra row."""
    if key := cursor_key(page, *TIME_AND_ID):
        query = query.where(tuple_(at, ident) < tuple_(*key))
    return query.order_by(at.desc(), ident.desc()).limit(page.size + 1)


def cut(
    rows: Sequence[T], page: PageRequest, key: Callable[[T], tuple[datetime, uuid.UUID]]
) -> tuple[list[T], str | None]:
    """The page's rows and the cursor of the next page (None on the last page)."""
    items = list(rows[: page.size])
    if len(rows) <= page.size or not items:
        return items, None
    at, ident = key(items[-1])
    return items, encode_cursor([at.isoformat(), ident])


async def newest_page(
    session: AsyncSession,
    query: Select[tuple[T]],
    page: PageRequest,
    at: InstrumentedAttribute[datetime],
    ident: InstrumentedAttribute[uuid.UUID],
) -> tuple[list[T], str | None]:
    """One page of the rows ``query`` selects, newest first on (``at``, ``ident``), and the next cursor."""
    rows = (await session.execute(newest_first(query, page, at, ident))).scalars().all()
    return cut(rows, page, lambda row: (getattr(row, at.key), getattr(row, ident.key)))
