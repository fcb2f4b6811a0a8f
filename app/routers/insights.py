"""HTTP routes: insights per district, team, provider and profile, and trend alerts."""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query

from app.auth import MunicipalityOfficer, Principal, Role, require_roles
from app.db import ReadSessionDep
from app.models.base import QueryDate
from app.schemas.insights import (
    DistrictInsights,
    ProfileInsights,
    ProviderInsights,
    TeamInsights,
    TrendReport,
)
from app.services.steering import insights, trends

router = APIRouter(tags=["insights"])
SteeringReader = Annotated[Principal, require_roles(Role.MUNICIPALITY_OFFICER, Role.DISTRICT_PROFESSIONAL)]
_TEAMS_TOO = (
    " Municipality officers and district teams (the teams' figures are for the case-review table too)."
)

From = Annotated[
    QueryDate | None,
    Query(
        alias="from",
        description="First day (default: 1 January of `to`'s year); widened to the first of its month.",
    ),
]
To = Annotated[
    QueryDate | None,
    Query(alias="to", description="Last day (default: today); widened to the last of its month."),
]
_DESCRIPTION = (
    "Figures over a period of whole months (a `from`/`to` inside a month is widened to that month; "
    "`fromDate`/`toDate` name the period used), computed in SQL. Suppression that survives "
    "differencing: any figure resting on fewer than 5 cases is `null` with `suppressed: true`, counts "
    "that would let one be worked out are withheld too, every shown count is rounded to a multiple "
    "of 5 (as CBS publishes its youth-care tables), and every share or rate is computed from the "
    "rounded counts, so no two requests can be subtracted to reveal a cell below 5. Outcome "
    "indicators (Beleidsinformatie Jeugd; DESIGN §6): dropout (32, 33) and premature (34, 35) "
    "endings over endings, experience (parents and youths apart), goal attainment and mean GAS "
    "T-score, self-reliance change (plan domain scores as agreed against at evaluation), CBS's "
    "no-new-start within the following half-year and the 12-month no-relapse share; each field "
    "names its numerator, denominator and period."
)


async def _report(session: Any, principal: Any, dimension: str, start: date | None, end: date | None) -> Any:
    return (await insights.insights(session, principal, dimension, start, end)).public()


@router.get(
    "/insights/districts",
    response_model=DistrictInsights,
    status_code=200,
    summary="Insights per district",
    description=_DESCRIPTION,
)
async def district_insights(
    session: ReadSessionDep, principal: MunicipalityOfficer, start: From = None, end: To = None
) -> Any:
    return await _report(session, principal, "districts", start, end)


@router.get(
    "/insights/teams",
    response_model=TeamInsights,
    status_code=200,
    summary="Insights per team, with its referral rate against the municipality's",
    description=_DESCRIPTION + _TEAMS_TOO,
)
async def team_insights(
    session: ReadSessionDep, principal: SteeringReader, start: From = None, end: To = None
) -> Any:
    return await _report(session, principal, "teams", start, end)


@router.get(
    "/insights/providers",
    response_model=ProviderInsights,
    status_code=200,
    summary="Insights per provider",
    description=_DESCRIPTION,
)
async def provider_insights(
    session: ReadSessionDep, principal: MunicipalityOfficer, start: From = None, end: To = None
) -> Any:
    return await _report(session, principal, "providers", start, end)


@router.get(
    "/insights/profiles",
    response_model=ProfileInsights,
    status_code=200,
    summary="Insights per support profile",
    description=_DESCRIPTION,
)
async def profile_insights(
    session: ReadSessionDep, principal: MunicipalityOfficer, start: From = None, end: To = None
) -> Any:
    return await _report(session, principal, "profiles", start, end)


@router.get(
    "/insights/trends",
    response_model=TrendReport,
    status_code=200,
    summary="District × profile pairs whose recent demand lies well above their own past",
    description=(
        "Demand (referrals, and engagement requests without one) per district × profile: the three "
        "calendar months up to the month of `asOf` against the twelve before. Counts are rounded to "
        "multiples of 5 (withheld below 5), `expected = 3 × baselineTotal / 12`, "
        "`z = (observed − expected) / √max(expected, 1)`; flagged when `z` reaches `zThreshold`. "
        "Each alert lists its demand per month with the baseline's monthly mean." + _TEAMS_TOO
    ),
)
async def trend_alerts(
    session: ReadSessionDep,
    principal: SteeringReader,
    as_of: Annotated[
        QueryDate | None,
        Query(
            alias="asOf", description="End of the recent window (default today); widened to its month's end."
        ),
    ] = None,
) -> Any:
    return await trends.trends(session, principal, as_of)
