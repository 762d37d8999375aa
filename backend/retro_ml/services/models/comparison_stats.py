"""Is one model's score beyond noise from another's? Welch's t-test, in plain Python (no scipy here).

Welch's unequal-variances t-test on the games' scores: t = (mean_b - mean_a) / sqrt(var_a/n_a +
var_b/n_b) with the Welch-Satterthwaite degrees of freedom, and the two-sided p-value from
Student's t distribution, P(|T| >= |t|) = I_{df/(df+t²)}(df/2, 1/2) (the regularized incomplete
beta function, by its continued fraction as in Numerical Recipes §6.4). A difference is "beyond
noise" at p < 0.05. Games on the same seeds are paired in principle, but sticky actions make
every game its own random draw, so the unpaired test is the honest one.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from typing import Any

TEST_NAME = "Welch's t-test (two-sided)"
SIGNIFICANCE_LEVEL = 0.05
_MAX_ITERATIONS = 300
_EPSILON = 3e-16
_TINY = 1e-300


@dataclass(frozen=True)
class Difference:
    """`other` minus `base`: the mean difference, the test's t, df and p (None when it cannot be tested)."""

    mean_difference: float
    t: float | None
    df: float | None
    p_value: float | None
    beyond_noise: bool
    note: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "mean_difference": self.mean_difference,
            "t": self.t,
            "df": self.df,
            "p_value": self.p_value,
            "beyond_noise": self.beyond_noise,
            "note": self.note,
        }


def summary(scores: list[float]) -> dict[str, float]:
    """mean, std (sample standard deviation; 0 for one game), min and max of the games' scores."""
    return {
        "mean": statistics.fmean(scores),
        "std": statistics.stdev(scores) if len(scores) > 1 else 0.0,
        "min": min(scores),
        "max": max(scores),
    }


def welch_test(base: list[float], other: list[float]) -> Difference:
    difference = statistics.fmean(other) - statistics.fmean(base)
    if len(base) < 2 or len(other) < 2:
        return Difference(difference, None, None, None, False, "at least 2 games per model are needed for a test")
    var_base, var_other = statistics.variance(base), statistics.variance(other)
    error = var_base / len(base) + var_other / len(other)
    if error == 0:  # every game scored the same on both sides: no noise at all
        p = 1.0 if difference == 0 else 0.0
        note = "every game scored the same for both models"
        return Difference(difference, None, None, p, p < SIGNIFICANCE_LEVEL, note)
    t = difference / math.sqrt(error)
    df = error**2 / ((var_base / len(base)) ** 2 / (len(base) - 1) + (var_other / len(other)) ** 2 / (len(other) - 1))
    p = two_sided_t_p_value(t, df)
    verdict = "beyond noise" if p < SIGNIFICANCE_LEVEL else "within noise"
    return Difference(difference, t, df, p, p < SIGNIFICANCE_LEVEL, f"{verdict} (p {'<' if p < 0.05 else '≥'} 0.05)")


def two_sided_t_p_value(t: float, df: float) -> float:
    """P(|T| >= |t|) for Student's t with `df` degrees of freedom."""
    if df <= 0 or math.isnan(t):
        raise ValueError("degrees of freedom must be positive and t a number")
    if math.isinf(t):
        return 0.0
    return min(1.0, max(0.0, regularized_incomplete_beta(df / 2, 0.5, df / (df + t * t))))


def regularized_incomplete_beta(a: float, b: float, x: float) -> float:
    """I_x(a, b) for a, b > 0 and 0 <= x <= 1."""
    if not 0.0 <= x <= 1.0:
        raise ValueError("x must lie in [0, 1]")
    if x in (0.0, 1.0):
        return x
    log_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    front = math.exp(log_front)
    if x < (a + 1) / (a + b + 2):  # the continued fraction converges fast here
        return front * _beta_fraction(a, b, x) / a
    return 1.0 - front * _beta_fraction(b, a, 1.0 - x) / b


def _beta_fraction(a: float, b: float, x: float) -> float:
    """The incomplete beta function's continued fraction, by the modified Lentz method."""
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > _TINY else _TINY)
    h = d
    for m in range(1, _MAX_ITERATIONS + 1):
        m2 = 2 * m
        for numerator in (
            m * (b - m) * x / ((qam + m2) * (a + m2)),
            -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)),
        ):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > _TINY else _TINY)
            c = 1.0 + numerator / c
            c = c if abs(c) > _TINY else _TINY
            h *= d * c
        if abs(d * c - 1.0) < _EPSILON:
            break
    return h
