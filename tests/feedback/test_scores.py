"""Score formulas against hand-computed tables, and the scores by dimension read from the database."""

from __future__ import annotations

import pytest
from django.utils import timezone

from aftersales.feedback import scoring
from aftersales.feedback.models import ResponseChannel, Trigger
from aftersales.feedback.selectors import scores_by, scores_for, word_of_mouth
from aftersales.feedback.services import response_record
from tests.factories import CustomerFactory, SaleFactory, SaleLineFactory, UnitFactory
from tests.feedback.helpers import invite


def close(score, value, low, high, n):
    assert score is not None
    assert (round(score.value, 2), round(score.low, 2), round(score.high, 2), score.n) == (value, low, high, n)


# Worked by hand (z = 1.96):
# NPS of 5 promoters, 3 passives, 2 detractors: p = .5, d = .2, NPS = 30; variance .5 + .2 − .3² = .61,
#   SE = √(.61 / 10) = .24698, half-width 1.96 × .24698 = .48408 → 30 ± 48.41.
# CSAT 8 of 10 (Wilson): centre (.8 + 3.8415/20) / 1.38415 = .71674, half 1.96 √(.016 + .009604) / 1.38415 = .22658.
# Effort 7, 6, 5, 7, 4: mean 5.8; s² = (175 − 5 × 5.8²) / 4 = 1.7; SE = √(1.7 / 5) = .58310 → 5.8 ± 1.1428.
# Buy-again 0 of 3 (Wilson): high = (0 + 3.8415/6 + 1.96 √(3.8415/36)) / (1 + 3.8415/3) = .56149.
TABLE = [
    (lambda: scoring.nps(5, 3, 2), (30.0, -18.41, 78.41, 10)),
    (lambda: scoring.nps_from_values([10, 9, 9, 10, 9, 8, 7, 7, 3, 6]), (30.0, -18.41, 78.41, 10)),
    (lambda: scoring.wilson(8, 10), (80.0, 49.02, 94.33, 10)),
    (lambda: scoring.mean_interval(29, 175, 5), (5.8, 4.66, 6.94, 5)),
    (lambda: scoring.wilson(0, 3), (0.0, 0.0, 56.15, 3)),
    (lambda: scoring.wilson(3, 3), (100.0, 43.85, 100.0, 3)),
    # Everyone a promoter: no spread, and the interval cannot pass 100.
    (lambda: scoring.nps(4, 0, 0), (100.0, 100.0, 100.0, 4)),
    # One promoter and one detractor: NPS 0, variance 1, half-width 1.96 √(1/2) = 1.386 → clamped to ±100.
    (lambda: scoring.nps(1, 0, 1), (0.0, -100.0, 100.0, 2)),
]


@pytest.mark.parametrize(("compute", "expected"), TABLE)
def test_scores_match_the_hand_computed_table(compute, expected):
    close(compute(), *expected)


def test_no_answers_give_no_score_rather_than_zero():
    assert scoring.nps(0, 0, 0) is None
    assert scoring.wilson(0, 0) is None
    assert scoring.mean_interval(0, 0, 0) is None


def test_a_small_sample_has_a_wide_interval_and_a_large_one_a_narrow_one():
    small, large = scoring.wilson(4, 5), scoring.wilson(400, 500)
    assert small.value == large.value == 80
    assert small.margin > 25 > 5 > large.margin


def _sold_by(rep):
    customer = CustomerFactory(consent_email_at=timezone.now())
    sale = SaleFactory(customer=customer, sales_rep=rep)
    return customer, UnitFactory(sale_line=SaleLineFactory(sale=sale), customer=customer)


@pytest.mark.django_db
def test_scores_by_sales_rep_and_the_response_rate(rep, settings):
    from tests.factories import staff

    settings.FEEDBACK_FATIGUE_DAYS = 0
    other = staff("sales_rep", username="other.rep")
    # given rep's customers answering NPS 10, 9, 3 and other's answering 8; one of rep's never answers
    for value, seller in ((10, rep), (9, rep), (3, rep), (8, other), (None, rep)):
        customer, unit = _sold_by(seller)
        invitation = invite(customer, trigger=Trigger.RELATIONSHIP, subject_key="relationship:1", unit=unit)
        if value is not None:
            response_record(invitation=invitation, channel=ResponseChannel.FORM, scores={"nps": value, "buy_again": 1})

    rows = {row.label: row.scores for row in scores_by(dimension="sales_rep")}
    overall = scores_for()

    # rep: 2 promoters, 1 detractor of 3 → NPS 33.3; other: 1 passive → 0
    assert round(rows[str(rep)].nps.value, 1) == 33.3
    assert rows[str(rep)].nps.n == 3
    assert rows[str(other)].nps.value == 0
    assert overall.nps.n == 4 and overall.nps.value == 25.0
    assert overall.buy_again.value == 100.0


@pytest.mark.django_db
def test_word_of_mouth_uses_the_configured_multipliers(settings):
    settings.FEEDBACK_FATIGUE_DAYS = 0
    settings.FEEDBACK_WORD_OF_MOUTH_SATISFIED = "1-2"
    settings.FEEDBACK_WORD_OF_MOUTH_DISSATISFIED = "10"
    for index, value in enumerate((5, 4, 4, 1)):
        invitation = invite(CustomerFactory(email=f"w{index}@example.com"), subject_key=f"ticket:{index}")
        response_record(invitation=invitation, channel=ResponseChannel.FORM, scores={"csat": value})

    estimate = word_of_mouth()
    custom = word_of_mouth(satisfied_low=3, satisfied_high=5, dissatisfied=20)

    assert (estimate.satisfied, estimate.dissatisfied) == (3, 1)
    assert (estimate.hear_good_low, estimate.hear_good_high, estimate.hear_bad) == (3, 6, 10)
    assert (custom.hear_good_low, custom.hear_good_high, custom.hear_bad) == (9, 15, 20)
