"""Layer 2: the technical rules within one message (the standard's XSLT rules and TR135).

Each finding is a return code on the class where it occurs: ``8848`` when the message is dated
after today (TR135), ``0001`` for the within-message rules — a birth date over 120 years
before the message date (TR002), a date after the message date (TR134), an end before its
begin (TR018), a line repeated within the message (TR101).
"""

from collections.abc import Callable
from datetime import date

from lxml import etree

from app.services.ijw.assessment import TECHNICAL, Assessment
from app.services.ijw.reading import child, day, text

DATED_IN_FUTURE = "8848"
MAX_AGE_YEARS = 120
UNKNOWN_DATE = "3"  # DatumGebruik: day, month and year unknown


def message_date(header: etree._Element) -> date:
    issued = day(header, "BerichtIdentificatie/Dagtekening")
    assert issued is not None  # required by every schema
    return issued


def check_header(assessment: Assessment, today: date) -> date:
    """TR135: a message is not dated after today; returns its date."""
    issued = message_date(assessment.header)
    if issued > today:
        assessment.reject(assessment.header, DATED_IN_FUTURE)
    return issued


def birth_date(assessment: Assessment, client: etree._Element, issued: date) -> None:
    born = day(client, "Geboortedatum/Datum")
    if born is None or text(client, "Geboortedatum/DatumGebruik") == UNKNOWN_DATE:
        return
    try:
        limit = issued.replace(year=issued.year - MAX_AGE_YEARS)
    except ValueError:  # 29 February
        limit = issued.replace(year=issued.year - MAX_AGE_YEARS, day=28)
    if born < limit or born > issued:
        assessment.reject(client, TECHNICAL)


def no_repeats(assessment: Assessment, lines: list[etree._Element], key: Callable[..., object]) -> None:
    seen: set[object] = set()
    for line in lines:
        k = key(line)
        if k in seen:
            assessment.reject(line, TECHNICAL)
        seen.add(k)


def _start_lines(assessment: Assessment, lines: list[etree._Element], issued: date) -> None:
    for line in lines:
        begin = day(line, "Begindatum")
        if begin is not None and begin > issued:
            assessment.reject(line, TECHNICAL)
    no_repeats(assessment, lines, lambda e: (text(e, "ToewijzingNummer"), text(e, "Begindatum")))


def _stop_lines(assessment: Assessment, lines: list[etree._Element], issued: date) -> None:
    for line in lines:
        begin, end = day(line, "Begindatum"), day(line, "Einddatum")
        if begin is None or end is None or end < begin or end > issued:
            assessment.reject(line, TECHNICAL)
    no_repeats(assessment, lines, lambda e: (text(e, "ToewijzingNummer"), text(e, "Begindatum")))


LINE_RULES: dict[str, Callable[[Assessment, list[etree._Element], date], None]] = {
    "JW305": _start_lines,
    "JW307": _stop_lines,
}


def check_client_lines(
    message: str, assessment: Assessment, client: etree._Element, lines: list[etree._Element], issued: date
) -> None:
    if child(client, "Geboortedatum") is not None:
        birth_date(assessment, client, issued)
    rule = LINE_RULES.get(message)
    if rule is not None:
        rule(assessment, lines, issued)
