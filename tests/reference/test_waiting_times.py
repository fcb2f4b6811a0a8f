"""Median waiting days (request → start) per provider over the last 90 days."""

from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.services.reference.waiting_times import median_waiting_days
from tests.support.builders import add_engagement, add_started, build_case, noon
from tests.support.factories import Reference

AS_OF = date(2026, 6, 30)


async def test_median_per_provider_over_the_last_90_days(session: AsyncSession, ref: Reference) -> None:
    case = await build_case(session, ref)
    first, second, third = ref.providers
    # first provider: waits 10, 20, 40 within the window → median 20; one outside the window (ignored)
    for wait in (10, 20, 40):
        await add_started(session, case, first, wait, AS_OF - timedelta(days=5))
    await add_started(session, case, first, 300, AS_OF - timedelta(days=95))
    # second provider: 7 and 12 → 9.5 → rounded to 10; a not-yet-started request does not count
    await add_started(session, case, second, 7, AS_OF)
    await add_started(session, case, second, 12, AS_OF - timedelta(days=89))
    await add_engagement(session, case, second, status="requested", requested_at=noon(AS_OF))
    # a start after as_of does not count
    await add_started(session, case, third, 3, AS_OF + timedelta(days=1))

    result = await median_waiting_days(session, [first, second, third], as_of=AS_OF)
    assert result == {first: 20, second: 10, third: None}


async def test_filter_by_profile_and_intensity(session: AsyncSession, ref: Reference) -> None:
    case = await build_case(session, ref)
    provider = ref.providers[0]
    await add_started(session, case, provider, 30, AS_OF, profile_code="P03", intensity_code="I2")
    await add_started(session, case, provider, 4, AS_OF, profile_code="P05", intensity_code="I2")
    await add_started(session, case, provider, 8, AS_OF, profile_code="P05", intensity_code="I3")

    assert await median_waiting_days(session, [provider], as_of=AS_OF, profile_code="P05") == {provider: 6}
    assert await median_waiting_days(
        session, [provider], as_of=AS_OF, profile_code="P05", intensity_code="I3"
    ) == {provider: 8}
    assert await median_waiting_days(session, [provider], as_of=AS_OF, intensity_code="I2") == {provider: 17}
    assert await median_waiting_days(session, [], as_of=AS_OF) == {}
