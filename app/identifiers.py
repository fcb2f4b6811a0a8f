"""Identifiers and codes in their one canonical form: ASCII, spelled out once here.

Every identifier the service compares or stores (BSN, AGB code, CBS municipality and district
codes, support-profile and intensity codes, life-domain codes, periods, the version in
``If-Match``, the keys inside a cursor, claims in a token) is accepted only as the ASCII
characters of its format. Python's ``\\d`` and ``str.isdigit()``, ``int()``, ``uuid.UUID()``
and ``date.fromisoformat()`` all accept other scripts' digits (fullwidth ``９``, Arabic-Indic
``٩``), and so does the Rust regex behind pydantic's ``pattern=``: a look-alike would pass the
check and then never compare equal to the stored form (a second family for the same BSN).
So patterns here say ``[0-9]``, never ``\\d``, and the converters refuse non-ASCII text before
they parse it. A test keeps ``\\d``, ``\\w`` and ``isdigit`` out of the code.
"""

import re
import uuid
from datetime import date
from typing import Annotated

from pydantic import Field, StringConstraints

BSN = r"^[0-9]{9}$"
AGB = r"^[0-9]{8}$"
MUNICIPALITY = r"^GM[0-9]{4}$"
DISTRICT = r"^WK[0-9]{6}$"
PROFILE = r"^P[0-9]{2}$"
INTENSITY = r"^I[1-4]$"
INTENSITY_ANY_DIGIT = r"^I[0-9]$"  # referrals and plan profiles: an unknown level is a lookup miss
DOMAIN = r"^[a-z][a-z_]{0,39}$"
PERIOD = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
INDICATOR = r"^[a-z][A-Za-z0-9]{0,59}$"
ROUTE = r"^[a-z][a-z0-9_]{1,79}$"
PROBLEM_CODE = r"^[a-z][a-z_]{0,59}$"
ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
# A code whose full format the service checks itself (so that it can report it together with
# the other rules of the request, e.g. the 11-proef): at the edge only visible ASCII passes.
ASCII_TOKEN = r"^[!-~]+$"

Bsn = Annotated[str, StringConstraints(min_length=1, max_length=20, pattern=ASCII_TOKEN)]
AgbCode = Annotated[str, StringConstraints(pattern=AGB), Field(examples=["01012345"])]
MunicipalityCode = Annotated[str, StringConstraints(pattern=MUNICIPALITY), Field(examples=["GM0363"])]
DistrictCode = Annotated[str, StringConstraints(pattern=DISTRICT), Field(examples=["WK036301"])]
DistrictCodeInput = Annotated[
    str, StringConstraints(min_length=1, max_length=8, pattern=ASCII_TOKEN), Field(examples=["WK036301"])
]
ProfileCode = Annotated[str, StringConstraints(pattern=PROFILE), Field(examples=["P06"])]
IntensityCode = Annotated[str, StringConstraints(pattern=INTENSITY), Field(examples=["I2"])]
IntensityCodeAny = Annotated[str, StringConstraints(pattern=INTENSITY_ANY_DIGIT), Field(examples=["I2"])]
DomainCode = Annotated[str, StringConstraints(pattern=DOMAIN), Field(examples=["finances"])]
Period = Annotated[str, StringConstraints(pattern=PERIOD), Field(examples=["2026-11"])]
IndicatorName = Annotated[str, StringConstraints(pattern=INDICATOR)]
RouteName = Annotated[str, StringConstraints(pattern=ROUTE)]

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.ASCII | re.IGNORECASE)
_INTEGER = re.compile(r"-?[0-9]{1,18}", re.ASCII)
_DATE = re.compile(ISO_DATE, re.ASCII)


def matches(pattern: str, value: str) -> bool:
    """``value`` is in the format ``pattern`` (one of the constants above), ASCII only."""
    return value.isascii() and re.fullmatch(pattern, value, re.ASCII) is not None


def ascii_uuid(value: str) -> uuid.UUID:
    """A UUID in its hyphenated hex form (``uuid.UUID`` alone also takes other digits, braces, URNs)."""
    if not _UUID.fullmatch(value):
        raise ValueError("not a canonical UUID")
    return uuid.UUID(value)


def ascii_int(value: str) -> int:
    """A decimal integer of at most 18 ASCII digits (``int()`` takes any script's digits)."""
    if not _INTEGER.fullmatch(value):
        raise ValueError("not an ASCII integer")
    return int(value)


def ascii_date(value: str) -> date:
    """A ``YYYY-MM-DD`` date in ASCII digits."""
    if not _DATE.fullmatch(value):
        raise ValueError("not an ASCII date")
    return date.fromisoformat(value)
