"""Keyset paging for the family-side lists: newest first on (timestamp, id).

The cursor (``app.pagination``) carries the timestamp and id of the last item returned; the
next page continues strictly after it, so pages stay stable while rows are added.
"""

import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, tuple_

from app.errors import InvalidInput, InvalidParam
from app.pagination import PageRequest, encode_cursor

T = TypeVar("T")


def _bad_cursor() -> InvalidInput:
    return InvalidInput([InvalidParam("cursor", "invalid_cursor", "The cursor is not valid.")])


def newest_first(
    query: Select[Any], page: PageRequest, at: ColumnElement[Any], ident: ColumnElement[Any]
) -> Select[Any]:
    """Order ``query`` newest first, continue after the cursor and fetch one extra row."""
    if page.after is not None:
        if len(page.after) != 2:
            raise _bad_cursor()
        try:
            after_at = datetime.fromisoformat(str(page.after[0]))
            after_id = uuid.UUID(str(page.after[1]))
            if after_at.tzinfo is None:  # the cursors we issue always carry an offset
                raise ValueError("naive timestamp")
            after_at = after_at.astimezone(UTC)
        except (ValueError, OverflowError) as exc:
            raise _bad_cursor() from exc
        query = query.where(tuple_(at, ident) < tuple_(after_at, after_id))
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
