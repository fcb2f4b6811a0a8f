"""The outcome indicators as shares and rates of *published* counts (DESIGN §6, §8).

Every share here is computed from counts after suppression and rounding
(:func:`app.services.steering.suppression.ratio_cell`), so a share adds nothing to what its
counts already show, and it is withheld whenever its numerator or denominator is:

* ``dropoutRate`` = dropouts (JZ588 32, 33) / engagements closed in the period;
* ``prematureRate`` = premature endings by agreement or external circumstances (34, 35) / closed;
* ``goalAttainmentShare`` = goals scored −1 or better (achieved or partly achieved) / goals with a
  final GAS score, over the engagements closed in the period;
* ``selfRelianceImprovedShare`` = plans whose mean domain score rose / plans evaluated;
* ``noNewStartShare`` (CBS) = endings without a new start of the same child up to the end of the
  following half-year / endings whose follow-up half-year has passed;
* ``noRelapseShare`` (DESIGN §6) = endings without a new engagement of the same child within
  12 months / endings at least 12 months ago;
* ``referralsPer1000Youth`` = 1000 × referrals / youth population (latest indicator year up to
  the period's end).
"""

import math
from typing import Any

from app.services.steering.suppression import Cell, per_population, ratio_cell

RATE_FLAG_Z = 2.0

SHARES = {
    # published name: (numerator, denominator); either may be a published or a hidden count
    "dropoutRate": ("dropouts", "engagementsClosed"),
    "prematureRate": ("prematureEndings", "engagementsClosed"),
    "goalAttainmentShare": ("goalsAttained", "goalsScored"),
    "selfRelianceImprovedShare": ("plansImproved", "plansEvaluated"),
    "noNewStartShare": ("noNewStart", "endingsFollowedHalfYear"),
    "noRelapseShare": ("noRelapse", "endingsFollowed12Months"),
}


def derive(cells: dict[str, Cell], hidden: dict[str, Cell]) -> None:
    """Add every share of :data:`SHARES` to ``cells``, computed from the published counts."""
    counts = {**hidden, **cells}
    for name, (top, bottom) in SHARES.items():
        cells[name] = ratio_cell(counts[top], counts[bottom])


def per_1000(count: Cell, youth: dict[Any, int], key: str | None) -> Cell:
    return per_population(count, youth.get(key))


def per_1000_total(count: Cell, youth: int | None) -> Cell:
    return per_population(count, youth)


def rate_vs_mean(count: Cell, total: Cell, youth: int | None, total_youth: int | None) -> dict[str, Any]:
    """The team's published referrals against the municipality's published total spread by youth."""
    expected = None
    if total.shown is not None and youth and total_youth:
        expected = round(total.shown * youth / total_youth, 2)
    z = Cell(None, 0)
    if count.shown is not None and expected:
        z = Cell(round((count.shown - expected) / math.sqrt(expected), 2), count.cases)
    flag = None
    if z.value is not None:
        flag = "above" if z.value >= RATE_FLAG_Z else "below" if z.value <= -RATE_FLAG_Z else "in_line"
    return {"expectedReferrals": expected, "z": z.public(), "flag": flag}
