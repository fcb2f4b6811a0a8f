"""Reading the one row a request is about.

A row outside the caller's scope does not exist for it: the scope is part of the query, so
"not yours" and "not there" both answer 404 and tell nothing about other roles' data.
"""

from typing import TypeVar

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import NotFound

T = TypeVar("T")


async def one_or_not_found(session: AsyncSession, query: Select[tuple[T]], what: str) -> T:
    """The single row ``query`` selects (scoped, and locked where the query says so), or NotFound(what)."""
    row = (await session.execute(query)).scalar_one_or_none()
    if row is None:
        raise NotFound(what)
    return row
