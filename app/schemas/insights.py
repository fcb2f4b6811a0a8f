"""Response bodies of the insights and trend alerts (figures with small-cell suppression)."""

from datetime import date
from typing import Any

from pydantic import Field

from app.models.base import PublicModel, value_enum

RateFlag = value_enum(
    "RateFlag", "above", "below", "in_line", doc="The team's referral rate against the municipality's."
)
InsightDimension = value_enum("InsightDimension", "districts", "teams", "providers", "profiles")


class InsightCell(PublicModel):
    """A figure; ``value`` is null and ``suppressed`` true when it rests on fewer than 5 cases."""

    value: int | float | None = Field(description="Null when suppressed; a count is a multiple of 5.")
    suppressed: bool


COUNT = " A count: rounded to a multiple of 5; withheld below 5."
SHARE = " Computed from the published (rounded) counts; withheld when either is."
PERIOD = " Over the engagements closed (end date) in the period."


def count(description: str) -> Any:
    """A figure that counts cases (published rounded, withheld below 5)."""
    return Field(description=description + COUNT)


def share(description: str) -> Any:
    """A figure computed from two published counts."""
    return Field(description=description + SHARE)


def of_closed(description: str) -> Any:
    """A figure over the engagements closed in the period."""
    return Field(description=description + PERIOD)


class InsightItem(PublicModel):
    key: str | None = Field(description="District code, team id, provider id or profile code.")
    name: str | None
    engagements_started: InsightCell = count("Engagements with a start date in the period.")
    waiting_days_median: InsightCell = Field(
        description="Median days from request (local date) to start, of the engagements started."
    )
    waiting_days_p90: InsightCell = Field(description="90th percentile of the same waiting days.")
    engagements_closed: InsightCell = count("Engagements closed with an end date in the period.")
    dropouts: InsightCell = count(
        "Closed engagements ended one-sidedly by client or provider (JZ588 32, 33)."
    )
    premature_endings: InsightCell = count(
        "Closed engagements ended early by agreement or external circumstances (34, 35)."
    )
    dropout_rate: InsightCell = share("dropouts / engagementsClosed.")
    premature_rate: InsightCell = share("prematureEndings / engagementsClosed.")
    goal_attainment_share: InsightCell = share(
        "Goals with a final GAS score of −1 or better (achieved or partly achieved) / goals with "
        "a final GAS score." + PERIOD
    )
    mean_gas_t: InsightCell = of_closed(
        "Mean GAS T-score, per engagement T = 50 + 10·Σx / √((1−ρ)n + ρn²), ρ = 0.3."
    )
    mean_experience_parents: InsightCell = of_closed("Mean 1–10 experience score of parents' surveys.")
    mean_experience_youth: InsightCell = of_closed("Mean 1–10 experience score of youths' surveys.")
    cost_per_closed_trajectory_cents: InsightCell = of_closed(
        "Mean ledger total per closed engagement, lumpsum engagements excluded."
    )
    plans_evaluated: InsightCell = count(
        "Plans whose evaluation (final domain scores) was recorded in the period; a plan counts "
        "for its family's district and team and for each provider and profile it had an engagement with."
    )
    self_reliance_change: InsightCell = Field(
        description="Mean over those plans of the per-plan mean of (final score − score as agreed) over "
        "the relevant life domains (ZRM 1–5); positive is more self-reliant."
    )
    self_reliance_improved_share: InsightCell = share("Plans whose mean domain score rose / plansEvaluated.")
    endings_followed_half_year: InsightCell = count(
        "Engagements closed in the period whose follow-up window, to the end of the half-year "
        "after the half-year of the end date, has passed."
    )
    no_new_start_share: InsightCell = share(
        "CBS's 'no new start': of endingsFollowedHalfYear, those with no other engagement of the "
        "same child starting on or after the end date up to that window's end."
    )
    endings_followed_12_months: InsightCell = count(
        "Engagements closed in the period at least 12 months ago."
    )
    no_relapse_share: InsightCell = share(
        "Of endingsFollowed12Months, those with no other engagement of the same child starting "
        "within 12 months after the end date (DESIGN §6)."
    )


class ReferralInsightItem(InsightItem):
    referrals: InsightCell = count(
        "Referrals made (local date) in the period; district and team of the referral, else of the family."
    )
    referrals_per_1000_youth: InsightCell = share(
        "1000 × referrals / youth population (latest indicator year up to the period's end)."
    )
    referrals_by_referrer_type: dict[str, InsightCell] = count("Per COD327 referrer type.")


class DistrictInsightItem(ReferralInsightItem):
    budget_use: InsightCell = Field(description="Spent in the period over the pro-rated district budget.")


class RateVsMean(PublicModel):
    expected_referrals: float | None = Field(
        description="The municipality's published referrals × the team's youth / the municipality's youth."
    )
    z: InsightCell
    flag: RateFlag | None


class TeamInsightItem(ReferralInsightItem):
    referral_rate_vs_mean: RateVsMean


class MunicipalityFigures(PublicModel):
    referrals: InsightCell
    referrals_per_1000_youth: InsightCell
    youth_population: int | None


class InsightReportBase(PublicModel):
    dimension: InsightDimension
    from_date: date = Field(description="First day of the period used: the first of a month.")
    to_date: date = Field(description="Last day of the period used: the last of a month.")
    requested_from_date: date | None = Field(description="`from` as asked (before widening to whole months).")
    requested_to_date: date | None = Field(description="`to` as asked (before widening to whole months).")
    minimum_cell_size: int = Field(description="Figures resting on fewer cases are withheld.")
    rounding_base: int = Field(description="Counts are rounded to a multiple of this (CBS practice).")
    municipality: MunicipalityFigures | None = None


class DistrictInsights(InsightReportBase):
    items: list[DistrictInsightItem]


class TeamInsights(InsightReportBase):
    items: list[TeamInsightItem]


class ProviderInsights(InsightReportBase):
    items: list[InsightItem]


class ProfileInsights(InsightReportBase):
    items: list[ReferralInsightItem]


class TrendMonth(PublicModel):
    month: str = Field(description="Calendar month, YYYY-MM (the baseline's twelve, then the recent three).")
    observed: InsightCell = count("Demand in the month.")
    expected: float | None = Field(
        description="The baseline's monthly mean: published baselineTotal / 12; null when that is withheld."
    )


class TrendAlert(PublicModel):
    district_code: str
    district_name: str
    profile_code: str
    profile_name: str
    observed: int = Field(description="Demand in the recent window, rounded to a multiple of 5 (at least 5).")
    expected: float | None = Field(
        description="3 × baselineTotal / 12; null when the baseline is withheld (below 5)."
    )
    baseline_total: int | None = Field(
        description="Demand in the baseline window, rounded to a multiple of 5; null below 5."
    )
    z: float = Field(description="(observed − expected) / √max(expected, 1), expected 1 when withheld.")
    months: list[TrendMonth] = Field(description="The pair's demand per month over both windows.")


class TrendReport(PublicModel):
    recent_from_date: date = Field(description="First of the first of the three recent months.")
    recent_to_date: date = Field(description="Last day of the month of `asOf`.")
    baseline_from_date: date
    baseline_to_date: date
    requested_as_of_date: date | None = Field(description="`asOf` as asked (before widening to its month).")
    z_threshold: float
    minimum_observed: int
    rounding_base: int = Field(description="Counts are rounded to a multiple of this (CBS practice).")
    items: list[TrendAlert]
