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
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

MIN_CELL = 5


@dataclass
class Cell:
    value: Any
    cases: int
    suppressed: bool = False

    def __post_init__(self) -> None:
        if self.cases < MIN_CELL:
            self.suppress()

    def suppress(self) -> None:
        self.value, self.suppressed = None, True

    def public(self) -> dict[str, Any]:
        return {"value": self.value, "suppressed": self.suppressed}


def count_cell(n: int | None) -> Cell:
    return Cell(value=n or 0, cases=n or 0)


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
