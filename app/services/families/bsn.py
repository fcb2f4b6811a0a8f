"""The citizen service number (BSN) and its check: the 11-proef.

A BSN has nine digits d1..d9 with 9·d1 + 8·d2 + … + 2·d8 − 1·d9 divisible by 11 (and not
all zeros). The number itself never appears in logs, events or error messages.
"""

import re

from app.identifiers import BSN

_NINE_DIGITS = re.compile(BSN, re.ASCII)
_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)


def is_valid_bsn(value: str) -> bool:
    """True when ``value`` is nine digits that pass the 11-proef."""
    if not _NINE_DIGITS.match(value) or value == "000000000":
        return False
    total = sum(int(digit) * weight for digit, weight in zip(value, _WEIGHTS, strict=True))
    return total % 11 == 0


def bsn_problem(value: str) -> tuple[str, str] | None:
    """``(code, reason)`` when ``value`` is not a valid BSN, else None. The reason never echoes it."""
    if not _NINE_DIGITS.match(value):
        return "invalid_format", "A BSN has exactly nine digits."
    if not is_valid_bsn(value):
        return "invalid_bsn", "The BSN does not pass the 11-proef."
    return None
