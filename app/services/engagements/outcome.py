"""Outcome of a closed engagement (DESIGN §6) — pure functions, no database.

* dropout: a one-sided premature end (JZ588 ``32`` by the client, ``33`` by the provider);
  premature ends by agreement or by external circumstances (``34``, ``35``) are counted apart;
* goal attainment: Goal Attainment Scaling, each goal scored −2…+2 at closure (0 = the expected
  result, −1 = less than expected, −2 = much less, +1/+2 = more). A goal counts as *achieved*
  at 0 or above and as *partly achieved* at −1. The GAS T-score (Kiresuk & Sherman) with equal
  weights and an assumed inter-goal correlation ρ = 0.3:

      T = 50 + 10·Σwᵢxᵢ / √((1−ρ)Σwᵢ² + ρ(Σwᵢ)²),  wᵢ = 1  →  50 + 10·Σx / √((1−ρ)n + ρn²)

* experience: the mean score (1–10) of parents and of youths, apart;
* self-reliance change: the plan's domain scores at agreement vs at evaluation.
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

RHO = 0.3
GAS_MIN, GAS_MAX = -2, 2
DROPOUT_REASONS = frozenset({"32", "33"})
PREMATURE_BY_AGREEMENT_REASONS = frozenset({"34", "35"})


def gas_t_score(scores: Sequence[int], rho: float = RHO) -> float | None:
    """The GAS T-score of ``scores`` (each −2…+2) with unit weights; ``None`` without goals."""
    n = len(scores)
    if n == 0:
        return None
    for x in scores:
        if not GAS_MIN <= x <= GAS_MAX:
            raise ValueError("a GAS score lies between -2 and +2")
    return 50 + 10 * sum(scores) / math.sqrt((1 - rho) * n + rho * n * n)


def is_dropout(end_reason: str | None) -> bool:
    return end_reason in DROPOUT_REASONS


def is_premature_by_agreement(end_reason: str | None) -> bool:
    return end_reason in PREMATURE_BY_AGREEMENT_REASONS


@dataclass(frozen=True)
class GoalAttainment:
    goals_total: int
    goals_achieved: int
    goals_partly_achieved: int
    attainment_share: float | None  # (achieved + partly achieved) / total
    t_score: float | None


def goal_attainment(scores: Sequence[int]) -> GoalAttainment:
    achieved = sum(1 for x in scores if x >= 0)
    partly = sum(1 for x in scores if x == -1)
    total = len(scores)
    t_score = gas_t_score(scores)
    return GoalAttainment(
        goals_total=total,
        goals_achieved=achieved,
        goals_partly_achieved=partly,
        attainment_share=round((achieved + partly) / total, 4) if total else None,
        t_score=round(t_score, 2) if t_score is not None else None,
    )


@dataclass(frozen=True)
class Experience:
    parent_mean: float | None
    parent_count: int
    youth_mean: float | None
    youth_count: int


def experience(surveys: Iterable[tuple[str, int]]) -> Experience:
    """Mean scores per respondent kind from ``(kind, score)`` pairs (kind ``parent``/``youth``)."""
    by_kind: dict[str, list[int]] = {"parent": [], "youth": []}
    for kind, score in surveys:
        by_kind[kind].append(score)

    def mean(values: list[int]) -> float | None:
        return round(sum(values) / len(values), 2) if values else None

    return Experience(
        parent_mean=mean(by_kind["parent"]),
        parent_count=len(by_kind["parent"]),
        youth_mean=mean(by_kind["youth"]),
        youth_count=len(by_kind["youth"]),
    )


@dataclass(frozen=True)
class SelfRelianceChange:
    domains_compared: int
    mean_change: float  # mean of (final − initial) over the compared domains
    domains_improved: int
    domains_worsened: int


def self_reliance_change(pairs: Iterable[tuple[int, int]]) -> SelfRelianceChange | None:
    """From ``(score at agreement, score at evaluation)`` per domain; ``None`` before evaluation."""
    deltas = [final - initial for initial, final in pairs]
    if not deltas:
        return None
    return SelfRelianceChange(
        domains_compared=len(deltas),
        mean_change=round(sum(deltas) / len(deltas), 2),
        domains_improved=sum(1 for d in deltas if d > 0),
        domains_worsened=sum(1 for d in deltas if d < 0),
    )
