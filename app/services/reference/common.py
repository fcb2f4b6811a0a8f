"""Helpers shared by the reference-data services: keyset pages, race-free inserts, views and code lists.

Keyset pages sort on a unique key (one or more columns) and continue strictly after the
key of the last item returned, so pages stay stable while rows are added.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, tuple_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel

from app.errors import Conflict, InvalidParam
from app.identifiers import ascii_date, ascii_int, ascii_uuid
from app.pagination import PageRequest, cursor_key, encode_cursor

T = TypeVar("T")
V = TypeVar("V")

UNIQUE_VIOLATION = "23505"
EXCLUSION_VIOLATION = "23P01"

INT32_MAX = 2_147_483_647

# How a cursor value (always a string) is turned back into a sort-key value.
Converter = Callable[[str], Any]
TEXT: Converter = str
UUID: Converter = ascii_uuid
DATE: Converter = ascii_date


def INT(value: str) -> int:
    """An integer key (an ``integer`` column: a larger one would fail in the database)."""
    number = ascii_int(value)
    if abs(number) > INT32_MAX:
        raise ValueError("out of range")
    return number


def keyset(
    query: Select[Any],
    key: Sequence[ColumnElement[Any]],
    converters: Sequence[Converter],
    page: PageRequest,
) -> Select[Any]:
    """Order ``query`` by ``key``, continue after the page's cursor, fetch one row extra."""
    if (after := cursor_key(page, *converters)) is not None:
        if len(after) != len(key):
            raise ValueError("a keyset needs one converter per key column")
        query = query.where(tuple_(*key) > tuple_(*after))
    return query.order_by(*key).limit(page.size + 1)


def cut_page(
    rows: Sequence[T], page: PageRequest, key_of: Callable[[T], list[Any]]
) -> tuple[list[T], str | None]:
    """Cut the extra row off and build the next cursor from the last row returned."""
    items = list(rows[: page.size])
    more = len(rows) > page.size
    return items, encode_cursor(key_of(items[-1])) if more and items else None


async def insert_unless_exists(session: AsyncSession, row: SQLModel) -> bool:
    """Insert ``row`` unless a row with the same unique key exists; False when it did.

    ``INSERT … ON CONFLICT DO NOTHING`` settles concurrent creations of the same key in the
    database, without aborting the request's transaction.
    """
    table = row.__table__  # type: ignore[attr-defined]
    values = {column.name: getattr(row, column.name) for column in table.columns}
    statement = pg_insert(table).values(values).on_conflict_do_nothing().returning(*table.primary_key.columns)
    return (await session.execute(statement)).first() is not None


def view_of(view: type[V], row: Any, **rest: Any) -> V:
    """A view dataclass filled from the row's attributes of the same names, and ``rest`` for the others."""
    copied = {f.name: getattr(row, f.name) for f in fields(view) if f.name not in rest}  # type: ignore[arg-type]
    return view(**copied, **rest)


@dataclass(frozen=True)
class Duplicate:
    """How a create answers when the row's unique key is taken: 409 naming the existing row."""

    detail: str
    code: str
    collection: str


async def insert_new(session: AsyncSession, row: SQLModel, duplicate: Duplicate, existing: object) -> None:
    """Insert ``row``, or raise the ``duplicate`` conflict pointing at the row that holds its key.

    ``existing`` is that row's id, or a query selecting it when the key is not the id.
    """
    if await insert_unless_exists(session, row):
        return
    if isinstance(existing, Select):
        existing = (await session.execute(existing)).scalar_one()
    raise Conflict(
        duplicate.detail, code=duplicate.code, existing=resource_url(duplicate.collection, existing)
    )


def listed_codes_problems(
    field: str, codes: Sequence[str], known: set[str], noun: str, unknown: tuple[str, str]
) -> list[InvalidParam]:
    """A problem for each code in the list given twice, or not ``known`` (``unknown``: code, detail)."""
    problems: list[InvalidParam] = []
    seen: set[str] = set()
    for i, code in enumerate(codes):
        if code in seen:
            problems.append(InvalidParam(f"{field}[{i}]", "duplicate", f"This {noun} is listed twice."))
        elif code not in known:
            problems.append(InvalidParam(f"{field}[{i}]", *unknown))
        seen.add(code)
    return problems


def sqlstate(error: IntegrityError) -> str | None:
    """The PostgreSQL SQLSTATE of a database error (``23505`` unique, ``23P01`` exclusion)."""
    return getattr(error.orig, "sqlstate", None)


API_PREFIX = "/api/v1"


def resource_url(*parts: object) -> str:
    """The API path of a resource, e.g. ``resource_url("tariffs", id)`` → ``/api/v1/tariffs/<id>``."""
    return "/".join([API_PREFIX, *(str(part) for part in parts)])
