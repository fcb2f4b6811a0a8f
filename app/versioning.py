"""Optimistic concurrency and conditional requests for versioned resources (plan, treatment plan).

The ETag of a versioned resource is its version as a strong entity tag: ``"3"``.

``If-Match`` (RFC 9110 §13.1.1) becomes an :class:`IfMatch`; services call
:func:`check_version` after locking the row (``SELECT … FOR UPDATE``), so two writers can
never both pass the check for the same version. ``*`` matches whatever version exists. The
comparison is strong, so a weak tag (``W/"3"``) never matches: 412 ``weak_etag``. A value that
is not an entity tag at all (``3``, unquoted) can match nothing either: 412 ``invalid_etag``.
Either way the answer says why, and ``currentVersion``.

``If-None-Match`` on a read (§13.1.2) compares weakly: a listed tag of the current version,
or ``*``, answers 304 without a body; a value that is no list of entity tags matches nothing.
"""

import re
from dataclasses import dataclass
from typing import Annotated

from fastapi import Header, Response

from app.errors import PreconditionFailed, PreconditionRequired

# entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE, etagc = %x21 / %x23-7E / obs-text. Versions are
# positive 32-bit integers: at most ten ASCII digits (a longer or non-ASCII number is never
# read, so int() never sees 4 300 digits or a look-alike "１").
_ENTITY_TAG = r'(?:W/)?"[\x21\x23-\x7e\x80-\xff]*"'
_TAG_LIST = re.compile(rf"^[ \t]*{_ENTITY_TAG}[ \t]*(?:,[ \t]*{_ENTITY_TAG}[ \t]*)*$")
_TAG = re.compile(rf"{_ENTITY_TAG}")
_VERSION = re.compile(r'^"([0-9]{1,10})"$', re.ASCII)


@dataclass(frozen=True)
class IfMatch:
    """A parsed ``If-Match``: ``*``, or the versions named by its strong tags."""

    any: bool = False
    versions: frozenset[int] = frozenset()
    weak_only: bool = False
    malformed: bool = False

    def matches(self, current: int) -> bool:
        return self.any or current in self.versions


ANY = IfMatch(any=True)
Expected = IfMatch | int | None


def parse_if_match(value: str | None) -> IfMatch | None:
    if value is None:
        return None
    if value.strip() == "*":
        return ANY
    if not _TAG_LIST.match(value):
        return IfMatch(malformed=True)
    tags = _TAG.findall(value)
    versions = frozenset(int(m.group(1)) for t in tags if (m := _VERSION.match(t)))
    return IfMatch(versions=versions, weak_only=all(t.startswith("W/") for t in tags))


def check_version(current: int, expected: Expected) -> None:
    """428 when the caller sent no version, 412 when it does not name the current one."""
    if expected is None:
        raise PreconditionRequired("This resource is versioned: send If-Match with its ETag.")
    matches = expected.matches(current) if isinstance(expected, IfMatch) else expected == current
    if matches:
        return
    if isinstance(expected, IfMatch) and expected.malformed:
        raise PreconditionFailed(
            'If-Match must be * or entity tags in double quotes, as in the ETag ("3").',
            code="invalid_etag",
            currentVersion=current,
        )
    if isinstance(expected, IfMatch) and expected.weak_only:
        raise PreconditionFailed(
            'If-Match compares strongly: a weak entity tag (W/"…") never matches. Send the ETag as given.',
            code="weak_etag",
            currentVersion=current,
        )
    raise PreconditionFailed(
        f"The resource has changed (now version {current}); read it again and retry.",
        currentVersion=current,
    )


def if_match(if_match: Annotated[str | None, Header(alias="If-Match")] = None) -> IfMatch | None:
    return parse_if_match(if_match)


def etag(version: int) -> str:
    return f'"{version}"'


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = etag(version)


def not_modified(if_none_match: str | None, version: int) -> bool:
    """True when ``If-None-Match`` names the current version (weak comparison) or is ``*``."""
    if if_none_match is None:
        return False
    if if_none_match.strip() == "*":
        return True
    if not _TAG_LIST.match(if_none_match):
        return False
    return any(tag.removeprefix("W/") == etag(version) for tag in _TAG.findall(if_none_match))


def not_modified_response(version: int) -> Response:
    """The 304 of a conditional read: no body, the ETag repeated."""
    return Response(status_code=304, headers={"ETag": etag(version)})


IfNoneMatch = Annotated[
    str | None,
    Header(
        alias="If-None-Match",
        description='The ETag you hold (`"3"`): 304 without a body while the resource is unchanged.',
    ),
]
