"""Requests unanswered for 10 working days and the 18-/18+ transition flag."""

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import httpx
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession

from app.services.engagements.flags import (
    add_months,
    add_working_days,
    adult_date,
    answer_due_date,
    request_unanswered,
    transition_due,
    working_days_between,
)
from tests.support.builders import add_engagement, build_case, nl_today
from tests.support.engagements import actors
from tests.support.factories import Reference

MONDAY = date(2026, 3, 2)


def test_working_days_skip_weekends() -> None:
    assert add_working_days(MONDAY, 10) == date(2026, 3, 16)  # two weeks later, a Monday
    assert add_working_days(date(2026, 3, 6), 1) == date(2026, 3, 9)  # Friday → Monday
    assert add_working_days(date(2026, 3, 7), 1) == date(2026, 3, 9)  # Saturday → Monday
    assert working_days_between(MONDAY, date(2026, 3, 13)) == 9
    assert working_days_between(MONDAY, date(2026, 3, 16)) == 10
    assert working_days_between(MONDAY, MONDAY) == 0


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)), st.integers(min_value=0, max_value=400)
)
def test_counting_and_adding_working_days_agree(start: date, days: int) -> None:
    assert working_days_between(start, add_working_days(start, days)) == days


def test_request_flagged_after_ten_working_days() -> None:
    assert answer_due_date(MONDAY) == date(2026, 3, 16)
    assert request_unanswered("requested", MONDAY, date(2026, 3, 13)) is False
    assert request_unanswered("requested", MONDAY, date(2026, 3, 16)) is True
    assert request_unanswered("accepted", MONDAY, date(2026, 4, 16)) is False


def test_transition_within_six_months_of_the_18th_birthday() -> None:
    birth = date(2008, 9, 15)
    assert adult_date(birth) == date(2026, 9, 15)
    assert adult_date(date(2008, 2, 29)) == date(2026, 3, 1)
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert transition_due("started", birth, date(2026, 3, 15)) is True  # exactly 6 months ahead
    assert transition_due("started", birth, date(2026, 3, 14)) is False
    assert transition_due("accepted", birth, date(2026, 9, 15)) is True
    assert transition_due("started", birth, date(2026, 9, 16)) is False  # already 18
    assert transition_due("closed", birth, date(2026, 6, 1)) is False
    assert transition_due("requested", birth, date(2026, 6, 1)) is False


async def test_flags_on_the_engagement_and_for_the_plan(
    client: httpx.AsyncClient, session: AsyncSession, ref: Reference, auth: Callable[..., dict[str, str]]
) -> None:
    today = nl_today()
    almost_adult = date(today.year - 18, today.month, 1) + timedelta(days=70)  # turns 18 in about 2 months
    case = await build_case(session, ref, child_birth_date=almost_adult)
    a = actors(auth, ref, case)
    running = await add_engagement(session, case, ref.providers[0], start_date=today)
    old_request = await add_engagement(
        session,
        case,
        ref.providers[1],
        status="requested",
        member_id=case.youth_id,
        requested_at=datetime.now(UTC) - timedelta(days=21),
    )

    view = (await client.get(f"/engagements/{running.id}", headers=a.team)).json()
    assert view["flags"]["transition18"] is True
    assert view["flags"]["adultDate"] == adult_date(almost_adult).isoformat()
    assert view["flags"]["requestUnanswered"] is False
    pending = (await client.get(f"/engagements/{old_request.id}", headers=a.team)).json()
    assert pending["flags"]["requestUnanswered"] is True and pending["flags"]["transition18"] is False
    # the restricted view flags without the date of coming of age
    restricted = (await client.get(f"/engagements/{running.id}", headers=a.integration)).json()
    assert restricted["flags"]["transition18"] is True and restricted["flags"]["adultDate"] is None

    # the plan shows the flag too, on the engagement's summary and on the plan itself
    plan = (await client.get(f"/plans/{case.plan_id}", headers=a.team)).json()
    assert plan["transition18Due"] is True
    by_id = {e["id"]: e for e in plan["engagements"]}
    assert by_id[str(running.id)]["transition18Due"] is True
    assert by_id[str(running.id)]["adultDate"] == adult_date(almost_adult).isoformat()
    assert by_id[str(old_request.id)]["transition18Due"] is False
