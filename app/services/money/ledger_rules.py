"""The arithmetic of the payment ledger (DESIGN §7), free of I/O so it can be tested exhaustively.

Rules, all in integer euro cents, rounding always down (the municipality never pays a cent
more than the tariff):

* ``milestone``: the start part is ``tariff × startShare%`` at the start; the completion part
  is the rest (``tariff − start part``) at closure.
  - dropout (end reason 32, 33): no completion part, unless the contract's
    ``completion_on_dropout`` says otherwise;
  - premature by agreement or external circumstances (34, 35): the completion part pro rata,
    multiplied by the elapsed share of the intensity's maximum duration
    (``days(start → end) / (maxMonths × 365.25 / 12)``, capped at 1);
  - every other end reason: the full completion part.
  - result share: ``resultShare%`` of the completion part actually due, paid on top of it only
    when the outcome criteria are met (:func:`outcome_met`). The engagement's ceiling is
    therefore ``tariff + resultShare% × (tariff − start part)``.
* ``monthly``: the frozen tariff is a yearly tariff, paid in 12 parts of ``tariff // 12``
  for each (started) calendar month the engagement runs; the twelfth part absorbs the
  rounding remainder, so 12 parts are exactly the tariff. A yearly tariff buys at most a
  year: the ceiling is the tariff itself and care beyond 12 months needs a new engagement.
* ``lumpsum``: no per-engagement lines (ceiling 0); the contract's periodic amount is paid
  per period instead.
"""

from dataclasses import dataclass
from datetime import date
from fractions import Fraction

DROPOUT_REASONS = frozenset({"32", "33"})
PRO_RATA_REASONS = frozenset({"34", "35"})
MONTHS_PER_YEAR = 12
DAYS_PER_MONTH = Fraction(36525, 1200)  # 365.25 / 12


@dataclass(frozen=True)
class Terms:
    """The frozen payment terms of one engagement."""

    tariff_cents: int
    payment_model: str
    start_share_percent: int = 70
    result_share_percent: int | None = None


def start_part(terms: Terms) -> int:
    if terms.payment_model != "milestone":
        return 0
    return terms.tariff_cents * terms.start_share_percent // 100


def completion_part(terms: Terms) -> int:
    """The full completion part of a milestone engagement (the rest of the tariff)."""
    if terms.payment_model != "milestone":
        return 0
    return terms.tariff_cents - start_part(terms)


def result_share(terms: Terms, completion_cents: int) -> int:
    return completion_cents * (terms.result_share_percent or 0) // 100


def ceiling(terms: Terms) -> int:
    """The most that may ever be paid on the engagement, corrections included."""
    if terms.payment_model == "milestone":
        return terms.tariff_cents + result_share(terms, completion_part(terms))
    if terms.payment_model == "monthly":
        return terms.tariff_cents
    return 0


def elapsed_share(start: date, end: date, max_months: int) -> Fraction:
    """The elapsed share of the intensity's maximum duration, between 0 and 1."""
    if max_months <= 0:
        return Fraction(1)
    days = max((end - start).days, 0)
    return min(Fraction(days) / (max_months * DAYS_PER_MONTH), Fraction(1))


def completion_due(
    terms: Terms,
    *,
    end_reason: str | None,
    completion_on_dropout: bool,
    start: date,
    end: date,
    max_months: int,
) -> int:
    """The completion amount due at closure under the rules above."""
    full = completion_part(terms)
    if end_reason in DROPOUT_REASONS and not completion_on_dropout:
        return 0
    if end_reason in PRO_RATA_REASONS:
        return int(full * elapsed_share(start, end, max_months))
    return full


def outcome_met(end_reason: str | None, final_gas_scores: list[int]) -> bool:
    """The outcome criteria for the result share.

    Met when the engagement did not end in dropout (32/33), at least one goal in scope has a
    final GAS score, and the mean final GAS score is at least 0 (the expected level of
    attainment on the −2…+2 scale).
    """
    if end_reason in DROPOUT_REASONS or not final_gas_scores:
        return False
    return sum(final_gas_scores) >= 0


def monthly_part(terms: Terms, index: int) -> int:
    """The amount of the ``index``-th month (0-based); 0 beyond the twelfth month."""
    if terms.payment_model != "monthly" or not 0 <= index < MONTHS_PER_YEAR:
        return 0
    base = terms.tariff_cents // MONTHS_PER_YEAR
    if index == MONTHS_PER_YEAR - 1:
        return terms.tariff_cents - base * (MONTHS_PER_YEAR - 1)
    return base


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    """The first day of the month ``months`` after ``day``'s month."""
    total = day.year * 12 + day.month - 1 + months
    return date(total // 12, total % 12 + 1, 1)


def month_end(day: date) -> date:
    """The last day of ``day``'s month."""
    return date.fromordinal(add_months(day, 1).toordinal() - 1)


def months_between(first: date, last: date) -> int:
    """Number of calendar months from ``first``'s month to ``last``'s month, inclusive."""
    return (last.year - first.year) * 12 + last.month - first.month + 1


def period_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"
