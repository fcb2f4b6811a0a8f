"""Generated rows per table, the ids they carry, and the order the tables are written in."""

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from app.demo.ids import NAMESPACE, demo_id
from app.models.core import AuditEvent
from app.models.engagements import Engagement, EngagementGoal, ExperienceSurvey, Handoff, TreatmentPlan
from app.models.families import Family, FamilyMember
from app.models.money import Budget, BudgetAllocation, PaymentBatch, PaymentLine
from app.models.plans import Goal, Plan, PlanAssessment, PlanSignature, PlanSupportProfile, PlanVersion
from app.models.referrals import Referral

# Parents before children (foreign keys).
WRITE_ORDER: list[Any] = [
    Family,
    FamilyMember,
    Plan,
    PlanAssessment,
    Goal,
    PlanSignature,
    PlanVersion,
    Referral,
    PlanSupportProfile,
    Engagement,
    EngagementGoal,
    ExperienceSurvey,
    TreatmentPlan,
    Handoff,
    PaymentBatch,
    PaymentLine,
    BudgetAllocation,
    Budget,
    AuditEvent,
]


class DemoIds:
    """Ids derived from names (uuid5), as the demo has always had them."""

    def __call__(self, kind: str, key: str) -> uuid.UUID:
        return demo_id("history", kind, key)


class SequentialIds:
    """Fast reproducible ids: a prefix derived from the data set's scope, then a counter."""

    def __init__(self, *scope: str) -> None:
        self.prefix = uuid.uuid5(NAMESPACE, "/".join(scope)).int >> 64 << 64
        self.count = 0

    def __call__(self, kind: str, key: str) -> uuid.UUID:
        self.count += 1
        return uuid.UUID(int=self.prefix | self.count)


@dataclass
class Rows:
    """The rows of one generated chunk, per model, as dicts of column values."""

    data: dict[Any, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    count: int = 0

    def add(self, model: Any, **values: Any) -> dict[str, Any]:
        self.data[model].append(values)
        return values

    def next(self) -> int:
        self.count += 1
        return self.count

    def clear(self) -> None:
        self.data = defaultdict(list)

    def total(self) -> int:
        return sum(len(v) for v in self.data.values())
