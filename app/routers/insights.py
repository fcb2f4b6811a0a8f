"""HTTP routes: insights per district, team, provider and profile, and trend alerts."""

from typing import Annotated, Any

from fastapi import APIRouter, Query

from app.auth import MunicipalityOfficer, OfficerOrTeam
from app.db import ReadSessionDep
from app.models.base import PublicModel, QueryDate
from app.schemas.insights import (
    DistrictInsights,
    ProfileInsights,
    ProviderInsights,
    TeamInsights,
    TrendReport,
)
from app.services.steering import insights, trends

router = APIRouter(tags=["insights"])
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


def _insights_route(
    dimension: str,
    public: type[PublicModel],
    summary: str,
    reader: Any = MunicipalityOfficer,
    description: str = _DESCRIPTION,
) -> None:
    """``GET /insights/<dimension>``: the period's figures per district, team, provider or profile."""

    async def report(session: ReadSessionDep, principal: reader, start: From = None, end: To = None) -> Any:
        return (await insights.insights(session, principal, dimension, start, end)).public()

    name = f"{dimension.removesuffix('s')}_insights"
    report.__name__ = report.__qualname__ = name
    router.add_api_route(
        f"/insights/{dimension}",
        report,
        methods=["GET"],
        name=name,
        response_model=public,
        summary=summary,
        description=description,
    )


_insights_route("districts", DistrictInsights, "Insights per district")
_insights_route(
    "teams",
    TeamInsights,
    "Insights per team, with its referral rate against the municipality's",
    reader=OfficerOrTeam,
    description=_DESCRIPTION + _TEAMS_TOO,
)
_insights_route("providers", ProviderInsights, "Insights per provider")
_insights_route("profiles", ProfileInsights, "Insights per support profile")


@router.get(
    "/insights/trends",
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
    principal: OfficerOrTeam,
    as_of: Annotated[
        QueryDate | None,
        Query(
            alias="asOf", description="End of the recent window (default today); widened to its month's end."
        ),
    ] = None,
) -> TrendReport:
    return await trends.trends(session, principal, as_of)
