"""Plan evaluations: where a family's care has ended, its plan is evaluated and closed.

A plan none of whose engagements still runs, and at least one of which was closed, is
``evaluating`` from the last end and evaluated 7–30 days later (if that day has come): then
``closed``, with a final score per relevant domain, so the self-reliance indicator (agreed vs
evaluated scores) has something to show. It draws from a random stream of its own, so the rest
of a data set stays as it was.
"""

import random
from datetime import date, timedelta
from typing import Any

from app.generate.ledger import at
from app.generate.rows import Rows
from app.models.engagements import Engagement
from app.models.plans import Plan, PlanAssessment

RUNNING = ("requested", "accepted", "started")
SCORE_CHANGE = [-1, 0, 0, 1, 1, 1, 2]


def evaluations(rows: Rows, today: date, seed: int) -> None:
    rng = random.Random(seed * 7919 + 1)
    ended = _care_ended(rows)
    evaluated: set[Any] = set()
    for plan in rows.data[Plan]:
        end = ended.get(plan["id"])
        day = end + timedelta(days=rng.randint(7, 30)) if end else None
        plan.update(evaluating_at=None, evaluated_at=None, closed_at=None)
        if end and day and day < today:
            plan.update(status="closed", evaluating_at=at(end), evaluated_at=at(day), closed_at=at(day))
            evaluated.add(plan["id"])
        elif end:
            plan.update(status="evaluating", evaluating_at=at(end))
    for assessment in rows.data[PlanAssessment]:
        if assessment["plan_id"] in evaluated and assessment["relevant"] and assessment["score"]:
            assessment["final_score"] = max(1, min(5, assessment["score"] + rng.choice(SCORE_CHANGE)))


def _care_ended(rows: Rows) -> dict[Any, date]:
    """Per plan whose engagements all ended: the last end date of its closed ones."""
    running: set[Any] = set()
    last: dict[Any, date] = {}
    for e in rows.data[Engagement]:
        if e["status"] in RUNNING:
            running.add(e["plan_id"])
        elif e["status"] == "closed" and e["end_date"]:
            last[e["plan_id"]] = max(e["end_date"], last.get(e["plan_id"], e["end_date"]))
    return {plan: day for plan, day in last.items() if plan not in running}
