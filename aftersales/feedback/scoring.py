"""The score formulas and their 95% confidence intervals; pure functions over counts, no database.

* NPS = % promoters (9–10) − % detractors (0–6). Each answer counts +1, 0 or −1; the NPS is 100 × their mean,
  and its interval is the normal one from their variance, p + d − (p − d)², clamped to [−100, 100].
* CSAT = % of answers 4 or 5; the buy-again rate = % yes; the response rate = % of invitations answered.
  Proportions take the Wilson score interval, which stays inside 0–100 and is honest for small samples.
* Effort = the mean of the 1–7 answers, with the normal interval from the sample standard deviation.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

Z95 = 1.959963984540054


@dataclass(frozen=True)
class Score:
    """A score with its 95% interval and how many answers it rests on."""

    value: float
    low: float
    high: float
    n: int

    @property
    def margin(self) -> float:
        """Return the larger half-width of the interval (what "±" means when it is not symmetric)."""
        return max(self.value - self.low, self.high - self.value)


def wilson(successes: int, n: int, *, z: float = Z95) -> Score | None:
    """Return a proportion as a percentage with its Wilson score interval (None without any observation)."""
    if n <= 0:
        return None
    if not 0 <= successes <= n:
        raise ValueError("successes must lie between 0 and n")
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return Score(value=100 * p, low=100 * max(0.0, centre - half), high=100 * min(1.0, centre + half), n=n)


def nps(promoters: int, passives: int, detractors: int, *, z: float = Z95) -> Score | None:
    """Return the Net Promoter Score with its normal 95% interval from the variance of the +1/0/−1 scores."""
    n = promoters + passives + detractors
    if n <= 0:
        return None
    p, d = promoters / n, detractors / n
    mean = p - d
    variance = p + d - mean * mean
    half = z * math.sqrt(max(variance, 0.0) / n)
    return Score(value=100 * mean, low=max(-100.0, 100 * (mean - half)), high=min(100.0, 100 * (mean + half)), n=n)


def nps_from_values(values: Iterable[int]) -> Score | None:
    """Return the NPS of raw 0–10 answers."""
    promoters = passives = detractors = 0
    for value in values:
        if value >= 9:
            promoters += 1
        elif value >= 7:
            passives += 1
        else:
            detractors += 1
    return nps(promoters, passives, detractors)


def mean_interval(total: float, total_of_squares: float, n: int, *, z: float = Z95) -> Score | None:
    """Return a mean with its normal 95% interval from the sum and sum of squares of the values."""
    if n <= 0:
        return None
    mean = total / n
    if n == 1:
        return Score(value=mean, low=mean, high=mean, n=1)
    variance = max((total_of_squares - n * mean * mean) / (n - 1), 0.0)
    half = z * math.sqrt(variance / n)
    return Score(value=mean, low=mean - half, high=mean + half, n=n)


def is_promoter(value: int) -> bool:
    return value >= 9


def is_detractor(value: int) -> bool:
    return value <= 6


def is_satisfied_csat(value: int) -> bool:
    return value >= 4


def is_dissatisfied_csat(value: int) -> bool:
    return value <= 2
