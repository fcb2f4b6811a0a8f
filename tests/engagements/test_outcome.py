"""The outcome rules (pure functions): GAS T-score with property-based tests, dropout, shares."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.services.engagements import outcome

scores = st.lists(st.integers(min_value=-2, max_value=2), min_size=1, max_size=30)


def t(xs: list[int]) -> float:
    value = outcome.gas_t_score(xs)
    assert value is not None
    return value


@given(st.integers(min_value=1, max_value=50))
def test_t_is_50_when_every_goal_is_met_as_expected(n: int) -> None:
    assert t([0] * n) == pytest.approx(50.0)


@given(scores, st.data())
def test_t_rises_with_each_score(xs: list[int], data: st.DataObject) -> None:
    i = data.draw(st.integers(min_value=0, max_value=len(xs) - 1))
    if xs[i] < 2:
        better = [*xs[:i], xs[i] + 1, *xs[i + 1 :]]
        assert t(better) > t(xs)


@given(scores)
def test_t_is_symmetric_around_50(xs: list[int]) -> None:
    assert t(xs) - 50 == pytest.approx(50 - t([-x for x in xs]))


@given(scores)
def test_t_does_not_depend_on_the_order_of_goals(xs: list[int]) -> None:
    assert t(xs) == pytest.approx(t(list(reversed(xs))))


@given(st.integers(min_value=1, max_value=60))
def test_bounds_when_all_goals_are_at_an_extreme(n: int) -> None:
    top, bottom = t([2] * n), t([-2] * n)
    # n = 1 gives 50 ± 20; more goals approach 50 ± 20/√ρ ≈ 50 ± 36.5 but never reach it
    assert 70 - 1e-9 <= top < 50 + 20 / math.sqrt(0.3)
    assert 50 - 20 / math.sqrt(0.3) < bottom <= 30 + 1e-9
    assert top == pytest.approx(50 + 20 * n / math.sqrt(0.7 * n + 0.3 * n * n))


@given(scores)
def test_any_scores_lie_between_the_extremes(xs: list[int]) -> None:
    n = len(xs)
    assert t([-2] * n) - 1e-9 <= t(xs) <= t([2] * n) + 1e-9


def test_hand_computed_example() -> None:
    # scores +2, +1, 0, −1: Σx = 2, n = 4: √((1−0.3)·4 + 0.3·16) = √7.6 = 2.75681…
    assert t([2, 1, 0, -1]) == pytest.approx(50 + 20 / 2.756809750418044)
    assert round(t([2, 1, 0, -1]), 2) == 57.25
    # a single goal one level above expectation: 50 + 10·1/√1 = 60
    assert t([1]) == pytest.approx(60.0)


def test_no_goals_no_score_and_out_of_range_refused() -> None:
    assert outcome.gas_t_score([]) is None
    with pytest.raises(ValueError):
        outcome.gas_t_score([3])


@pytest.mark.parametrize(
    ("reason", "dropout", "premature"),
    [
        ("31", False, False),
        ("32", True, False),
        ("33", True, False),
        ("34", False, True),
        ("35", False, True),
        ("38", False, False),
        ("02", False, False),
        (None, False, False),
    ],
)
def test_dropout_and_premature_by_agreement_apart(reason: str | None, dropout: bool, premature: bool) -> None:
    assert outcome.is_dropout(reason) is dropout
    assert outcome.is_premature_by_agreement(reason) is premature


def test_goal_attainment_shares() -> None:
    result = outcome.goal_attainment([2, 0, -1, -2, -1])
    assert (result.goals_total, result.goals_achieved, result.goals_partly_achieved) == (5, 2, 2)
    assert result.attainment_share == 0.8
    assert result.t_score == round(50 + 10 * -2 / math.sqrt(0.7 * 5 + 0.3 * 25), 2)
    empty = outcome.goal_attainment([])
    assert empty.attainment_share is None and empty.t_score is None


def test_experience_parent_and_youth_apart() -> None:
    result = outcome.experience([("parent", 8), ("parent", 5), ("youth", 9)])
    assert (result.parent_mean, result.parent_count, result.youth_mean, result.youth_count) == (
        6.5,
        2,
        9.0,
        1,
    )
    assert outcome.experience([]).parent_mean is None


def test_self_reliance_change() -> None:
    change = outcome.self_reliance_change([(2, 4), (2, 3), (3, 3), (4, 2)])
    assert change == outcome.SelfRelianceChange(
        domains_compared=4, mean_change=0.25, domains_improved=2, domains_worsened=1
    )
    assert outcome.self_reliance_change([]) is None
