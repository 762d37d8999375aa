"""The comparison's significance test, written without scipy: Student's t tail against its closed forms
(1 and 2 degrees of freedom), Welch's t and df by hand, and the cases with no noise or too few games."""

from __future__ import annotations

import math

import pytest

from retro_ml.services.models.comparison_stats import summary, two_sided_t_p_value, welch_test


@pytest.mark.parametrize("t", [0.0, 0.3, 1.0, 2.5, 12.0, -4.0])
def test_the_t_tail_matches_its_closed_forms(t: float) -> None:
    cauchy = 1 - 2 / math.pi * math.atan(abs(t))  # df = 1
    two = 1 - abs(t) / math.sqrt(2 + t * t)  # df = 2
    assert two_sided_t_p_value(t, 1.0) == pytest.approx(cauchy, abs=1e-12)
    assert two_sided_t_p_value(t, 2.0) == pytest.approx(two, abs=1e-12)


def test_welch_t_and_degrees_of_freedom() -> None:
    base, other = [1.0, 2.0, 3.0, 4.0, 5.0], [3.0, 4.0, 5.0, 6.0, 9.0]
    var_base, var_other = 2.5, 5.3  # sample variances
    error = var_base / 5 + var_other / 5
    df = error**2 / ((var_base / 5) ** 2 / 4 + (var_other / 5) ** 2 / 4)
    result = welch_test(base, other)
    assert result.mean_difference == pytest.approx(2.4)
    assert result.t == pytest.approx(2.4 / math.sqrt(error)) and result.df == pytest.approx(df)
    assert result.p_value == pytest.approx(0.0956, abs=5e-4) and not result.beyond_noise  # t ≈ 1.92 on ≈ 7.09 df
    far = welch_test([0.0, 1.0, 0.0, 1.0], [10.0, 11.0, 10.0, 12.0])
    assert far.p_value is not None and far.p_value < 0.001 and far.beyond_noise


def test_no_noise_and_too_few_games() -> None:
    assert welch_test([2.0, 2.0, 2.0], [2.0, 2.0, 2.0]).p_value == 1.0
    steady = welch_test([0.0, 0.0], [5.0, 5.0])
    assert (steady.p_value, steady.beyond_noise, steady.t) == (0.0, True, None)
    alone = welch_test([1.0], [3.0, 4.0])
    assert (alone.p_value, alone.beyond_noise, alone.mean_difference) == (None, False, 2.5)
    assert summary([3.0]) == {"mean": 3.0, "std": 0.0, "min": 3.0, "max": 3.0}
