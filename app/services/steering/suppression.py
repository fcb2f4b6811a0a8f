"""Small-cell suppression so that no family can be recognised in an aggregate (DESIGN §8).

* **Primary**: a figure resting on fewer than :data:`MIN_CELL` cases is withheld
  (``value: null, suppressed: true``). The cases are those the figure is computed over: the
  referrals for a count of referrals, the started engagements for waiting days, the closed
  engagements for dropout, and so on.
* **Complementary**: counts that add up to a total (the referrals of an item over the referrer
  types; a count column over all items, whose total is the municipality's and can be read from
  another dimension) must not let a withheld count be worked out by subtraction. In every such
  group the withheld counts together are either 0 or at least :data:`MIN_CELL`; when they are
  not, the smallest visible count of the group is withheld too, until that holds everywhere.
  (A group whose withheld counts add up to 0 discloses only that nobody is in them.)
* **Rounding** (as CBS publishes its youth-care tables): every shown count is rounded to the
  nearest multiple of :data:`ROUNDING_BASE` (5, 6, 7 → 5; 8…12 → 10), and every rate is computed
  from the rounded counts (:func:`ratio_cell`), so the exact counts are published nowhere. Two
  published counts over nested sets of cases (two periods, a district and the municipality) then
  differ by a multiple of 5 while the true difference is only known to within ± 4 or more: a
  difference of 1 to 4 cases can never be worked out (:func:`consistent_range`). Periods are whole
  months (:mod:`app.services.steering.periods`), so a request cannot isolate a single day either.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

MIN_CELL = 5
ROUNDING_BASE = 5


def round_count(n: int) -> int:
    """The nearest multiple of :data:`ROUNDING_BASE` (counts are integers, so there are no ties)."""
    return ROUNDING_BASE * ((n + ROUNDING_BASE // 2) // ROUNDING_BASE)


def consistent_range(published: int | None) -> tuple[int, int | None]:
    """The true counts a published count can stand for: (low, high); high None for unbounded.

    A withheld count may be any number (it may be withheld to protect another cell).
    """
    if published is None:
        return 0, None
    if published == MIN_CELL:
        return MIN_CELL, MIN_CELL + ROUNDING_BASE // 2
    return published - ROUNDING_BASE // 2, published + ROUNDING_BASE // 2


@dataclass
class Cell:
    value: Any
    cases: int
    suppressed: bool = False
    count: bool = False

    def __post_init__(self) -> None:
        if self.cases < MIN_CELL:
            self.suppress()

    def suppress(self) -> None:
        self.value, self.suppressed = None, True

    @property
    def shown(self) -> Any:
        """The published value: withheld as None, a count rounded."""
        if self.suppressed:
            return None
        return round_count(self.value) if self.count else self.value

    def public(self) -> dict[str, Any]:
        return {"value": self.shown, "suppressed": self.suppressed}


def count_cell(n: int | None) -> Cell:
    return Cell(value=n or 0, cases=n or 0, count=True)


def ratio_cell(numerator: Cell, denominator: Cell, *, scale: float = 1.0, digits: int = 4) -> Cell:
    """``scale × numerator / denominator`` of the *published* counts; withheld when either is."""
    top, bottom = numerator.shown, denominator.shown
    if top is None or bottom is None or bottom == 0:
        return Cell(None, 0)
    return Cell(round(scale * top / bottom, digits), min(numerator.cases, denominator.cases))


def per_population(count: Cell, population: int | None, *, per: int = 1000) -> Cell:
    """A published count per ``per`` of a known population; withheld with the count."""
    if count.shown is None or not population:
        return Cell(None, 0)
    return Cell(round(per * count.shown / population, 2), count.cases)


def complementary(groups: Iterable[list[Cell]]) -> None:
    """Withhold further counts until no group's withheld total lies between 1 and MIN_CELL − 1."""
    groups = [g for g in groups if g]
    changed = True
    while changed:
        changed = False
        for group in groups:
            hidden = sum(c.cases for c in group if c.suppressed)
            visible = [c for c in group if not c.suppressed]
            if 0 < hidden < MIN_CELL and visible:
                min(visible, key=lambda c: c.cases).suppress()
                changed = True


def follow(cell: Cell, leader: Cell) -> Cell:
    """A figure that reveals ``leader``'s count (a rate over a known population) hides with it."""
    if leader.suppressed:
        cell.suppress()
    return cell
