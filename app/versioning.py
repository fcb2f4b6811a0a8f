"""Optimistic concurrency for versioned resources (plan, treatment plan).

The HTTP layer turns ``If-Match`` into an expected version; services call
:func:`check_version` after locking the row (``SELECT … FOR UPDATE``), so two writers
can never both pass the check for the same version.
"""

import re
from typing import Annotated

from fastapi import Header, Response

from app.errors import PreconditionFailed, PreconditionRequired

# Versions are positive 32-bit integers: at most ten ASCII digits (a longer or non-ASCII
# number is never read, so int() never sees 4 300 digits or a look-alike "１").
_ETAG = re.compile(r'^[ \t]*(?:W/)?"?([0-9]{1,10})"?[ \t]*$', re.ASCII)


def check_version(current: int, expected: int | None) -> None:
    """428 when the caller sent no version, 412 when it is not the current one."""
    if expected is None:
        raise PreconditionRequired("This resource is versioned: send If-Match with its ETag.")
    if expected != current:
        raise PreconditionFailed(
            f"The resource has changed (now version {current}); read it again and retry.",
            currentVersion=current,
        )


def parse_if_match(value: str | None) -> int | None:
    if value is None:
        return None
    match = _ETAG.match(value)
    # an unparseable If-Match can never match a version: treat it as stale
    return int(match.group(1)) if match else -1


def if_match(if_match: Annotated[str | None, Header(alias="If-Match")] = None) -> int | None:
    return parse_if_match(if_match)


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = f'"{version}"'
