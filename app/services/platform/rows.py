"""Reading rows for a request: the one row it is about, or a list narrowed by the filters it gave.

A row outside the caller's scope does not exist for it: the scope is part of the query, so
"not yours" and "not there" both answer 404 and tell nothing about other roles' data.
"""

from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import NotFound

T = TypeVar("T")
Q = TypeVar("Q", bound=Select[Any])


async def one_or_not_found(session: AsyncSession, query: Select[tuple[T]], what: str) -> T:
    """The single row ``query`` selects (scoped, and locked where the query says so), or NotFound(what)."""
    row = (await session.execute(query)).scalar_one_or_none()
    if row is None:
        raise NotFound(what)
    return row


def where_given(query: Q, *filters: tuple[ColumnElement[Any], object]) -> Q:
    """Narrow ``query`` to rows whose column equals the value, for each (column, value) given (not None)."""
    for column, value in filters:
        if value is not None:
            query = query.where(column == value)
    return query
