"""Response bodies of the insights and trend alerts (figures with small-cell suppression)."""

from datetime import date

from pydantic import Field

from app.models.base import PublicModel, value_enum

RateFlag = value_enum(
    "RateFlag", "above", "below", "in_line", doc="The team's referral rate against the municipality's."
)
InsightDimension = value_enum("InsightDimension", "districts", "teams", "providers", "profiles")


class InsightCell(PublicModel):
    """A figure; ``value`` is null and ``suppressed`` true when it rests on fewer than 5 cases."""

    value: int | float | None
    suppressed: bool


class InsightItem(PublicModel):
    key: str | None = Field(description="District code, team id, provider id or profile code.")
    name: str | None
    engagements_started: InsightCell
    waiting_days_median: InsightCell
    waiting_days_p90: InsightCell
    engagements_closed: InsightCell
    dropout_rate: InsightCell = Field(description="Share of closures with end reason 32 or 33.")
    premature_rate: InsightCell = Field(description="Share of closures with end reason 34 or 35.")
    goal_attainment_share: InsightCell = Field(description="Share of scored goals with final GAS ≥ −1.")
    mean_gas_t: InsightCell = Field(description="Mean GAS T-score of the closed engagements.")
    mean_experience_parents: InsightCell
    mean_experience_youth: InsightCell
    cost_per_closed_trajectory_cents: InsightCell


class ReferralInsightItem(InsightItem):
    referrals: InsightCell
    referrals_per_1000_youth: InsightCell
    referrals_by_referrer_type: dict[str, InsightCell] = Field(description="Per COD327 referrer type.")


class DistrictInsightItem(ReferralInsightItem):
    budget_use: InsightCell = Field(description="Spent in the period over the pro-rated district budget.")


class RateVsMean(PublicModel):
    expected_referrals: float | None = Field(
        description="The municipality's rate applied to the team's youth."
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
    from_date: date
    to_date: date
    minimum_cell_size: int
    municipality: MunicipalityFigures | None = None


class DistrictInsights(InsightReportBase):
    items: list[DistrictInsightItem]


class TeamInsights(InsightReportBase):
    items: list[TeamInsightItem]


class ProviderInsights(InsightReportBase):
    items: list[InsightItem]


class ProfileInsights(InsightReportBase):
    items: list[ReferralInsightItem]


class TrendAlert(PublicModel):
    district_code: str
    district_name: str
    profile_code: str
    profile_name: str
    observed: int = Field(description="Demand in the recent window.")
    expected: float = Field(description="3 × the monthly mean of the baseline window.")
    baseline_total: int
    z: float


class TrendReport(PublicModel):
    recent_from_date: date
    recent_to_date: date
    baseline_from_date: date
    baseline_to_date: date
    z_threshold: float
    minimum_observed: int
    items: list[TrendAlert]
