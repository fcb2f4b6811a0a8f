"""Keyset pagination: ``?pageSize=`` (1–200, default 50) and an opaque ``?cursor=``.

The cursor encodes the sort key of the last item returned (e.g. its creation time and id);
the next query continues strictly after it, so pages stay stable while rows are added.
"""

import base64
import json
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Query

from app.errors import InvalidInput, InvalidParam

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


@dataclass(frozen=True)
class PageRequest:
    size: int
    after: list[Any] | None  # the sort key values of the last item of the previous page


def encode_cursor(values: list[Any]) -> str:
    raw = json.dumps([str(v) for v in values]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput([InvalidParam("cursor", "invalid_cursor", "The cursor is not valid.")]) from exc
    if not isinstance(values, list):
        raise InvalidInput([InvalidParam("cursor", "invalid_cursor", "The cursor is not valid.")])
    return values


def page_request(
    page_size: Annotated[int, Query(alias="pageSize", ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> PageRequest:
    return PageRequest(size=page_size, after=decode_cursor(cursor) if cursor else None)


PageParams = Annotated[PageRequest, Depends(page_request)]
