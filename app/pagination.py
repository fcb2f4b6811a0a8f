"""Keyset pagination: ``?pageSize=`` (1–200, default 50) and an opaque ``?cursor=``.

The cursor encodes the sort key of the last item returned (e.g. its creation time and id);
the next query continues strictly after it, so pages stay stable while rows are added.
"""

import base64
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from enum import Enum
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Query
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from app.errors import InvalidInput, InvalidParam
from app.identifiers import ascii_uuid

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
T = TypeVar("T")
_BASE64URL = re.compile(r"[A-Za-z0-9_-]+", re.ASCII)


@dataclass(frozen=True)
class PageRequest:
    size: int
    after: list[str] | None  # the sort key values of the last item of the previous page


def encode_cursor(values: list[Any]) -> str:
    raw = json.dumps([str(v) for v in values]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _invalid_cursor() -> InvalidInput:
    return InvalidInput([InvalidParam("cursor", "invalid_cursor", "The cursor is not valid.")])


def decode_cursor(cursor: str) -> list[str]:
    """The cursor's values. It is opaque but not trusted: only a list of plain strings (as
    :func:`encode_cursor` writes; PostgreSQL text cannot hold NUL) is accepted."""
    if not _BASE64URL.fullmatch(cursor):  # the decoder would skip characters outside its alphabet
        raise _invalid_cursor()
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError) as exc:
        raise _invalid_cursor() from exc
    if not isinstance(values, list) or not all(isinstance(v, str) and "\x00" not in v for v in values):
        raise _invalid_cursor()
    return values


def aware_datetime(value: str) -> datetime:
    """A cursor timestamp: the ones we issue always carry an offset (and ASCII digits only)."""
    if not value.isascii():
        raise ValueError("not an ASCII timestamp")
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError("naive timestamp")
    return moment.astimezone(UTC)


def cursor_key(page: "PageRequest", *types: Callable[[str], Any]) -> tuple[Any, ...] | None:
    """The page's cursor as a typed sort key (e.g. ``aware_datetime, uuid.UUID``); None on the
    first page. A forged or foreign cursor is a 400, never a 500."""
    if page.after is None:
        return None
    if len(page.after) != len(types):
        raise _invalid_cursor()
    try:
        return tuple(convert(value) for convert, value in zip(types, page.after, strict=True))
    except (TypeError, ValueError, OverflowError) as exc:
        raise _invalid_cursor() from exc


TIME_AND_ID = (aware_datetime, ascii_uuid)


def _valid_cursor(cursor: str | None) -> str | None:
    """A cursor that does not decode is reported with the other invalid inputs of the request."""
    if cursor:
        try:
            decode_cursor(cursor)
        except InvalidInput as exc:
            raise PydanticCustomError("invalid_cursor", "The cursor is not valid.") from exc
    return cursor


def page_request(
    page_size: Annotated[int, Query(alias="pageSize", ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE,
    cursor: Annotated[str | None, Query(max_length=500), AfterValidator(_valid_cursor)] = None,
) -> PageRequest:
    return PageRequest(size=page_size, after=decode_cursor(cursor) if cursor else None)


PageParams = Annotated[PageRequest, Depends(page_request)]


@dataclass
class ListQuery:
    """The query string of a list with filters: the page asked for and, in a subclass, the filters
    (fields defaulting to ``None``: any). Used as ``Annotated[TheQuery, Depends()]``, the filters
    are documented before ``pageSize``/``cursor`` and validated after them, as when they were the
    endpoint's own parameters."""

    page: PageParams

    def filters(self) -> dict[str, Any]:
        """The filters by name, as the list's service takes them as keywords (a member of a fixed
        set as its value)."""
        values = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "page"}
        return {name: v.value if isinstance(v, Enum) else v for name, v in values.items()}

    def ask(
        self, load: Callable[..., Awaitable[T]], session: Any, principal: Any, only: Callable[..., Any]
    ) -> Awaitable[T]:
        """The list's service asked for this page: ``load(session, principal, page, only(**filters))``,
        ``only`` being the service's own filter type."""
        return load(session, principal, self.page, only(**self.filters()))
