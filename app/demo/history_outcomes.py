"""Demo history: each plan's life-domain scores as agreed and, for the plans whose care has ended,
the evaluation (final scores), so the self-reliance indicator has something to show.

It draws from a random stream of its own, so the rest of the history stays as it was.
"""

import random
from datetime import date, timedelta
from typing import Any

from app.demo.history_ledger import Rows, at
from app.demo.ids import demo_id
from app.models.engagements import Engagement
from app.models.plans import Plan, PlanAssessment

SEED = 20260102
DOMAINS = ["finances", "housing", "mental_health", "parenting", "school", "social_network"]
RUNNING = ("requested", "accepted", "started")


def evaluations(rows: Rows, today: date) -> None:
    rng = random.Random(SEED)
    ended: dict[Any, date] = {}
    running: set[Any] = set()
    for e in rows.data[Engagement]:
        if e["status"] == "closed":
            ended[e["plan_id"]] = max(e["end_date"], ended.get(e["plan_id"], e["end_date"]))
        elif e["status"] in RUNNING:
            running.add(e["plan_id"])
    for plan in rows.data[Plan]:
        end = ended.get(plan["id"]) if plan["id"] not in running else None
        evaluated = end + timedelta(days=rng.randint(7, 30)) if end else None
        if evaluated and evaluated >= today:
            evaluated = None
        plan.update(evaluating_at=None, evaluated_at=None, closed_at=None)
        if evaluated:
            plan.update(
                status="closed", evaluating_at=at(end), evaluated_at=at(evaluated), closed_at=at(evaluated)
            )
        for domain in rng.sample(DOMAINS, rng.randint(3, 5)):
            score = rng.choices([1, 2, 3, 4], weights=[1, 4, 4, 2])[0]
            final = max(1, min(5, score + rng.choice([-1, 0, 0, 1, 1, 1, 2]))) if evaluated else None
            rows.add(
                PlanAssessment,
                id=demo_id("history", "assessment", str(plan["id"]), domain),
                plan_id=plan["id"],
                domain_code=domain,
                score=score,
                relevant=True,
                situation=None,
                family_wish=None,
                final_score=final,
                updated_at=plan["created_at"],
            )
