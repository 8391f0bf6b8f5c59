"""The shared statistics helpers against small examples worked by hand."""

import math

import numpy as np
import pytest

from simulation.stats import mean_ci, survival, t_interval

T_975_DF2 = 4.30265272974946  # Student t, 97.5% quantile, 2 degrees of freedom


def test_mean_ci_matches_the_textbook_t_interval():
    # x = 1, 2, 3: mean 2, sd 1, se 1/sqrt(3); half-width t(0.975, 2) * se.
    m, lo, hi = mean_ci([1.0, 2.0, 3.0, float("nan")])
    half = T_975_DF2 / math.sqrt(3)
    assert m == 2.0
    assert lo == pytest.approx(2 - half, rel=1e-10) and hi == pytest.approx(2 + half, rel=1e-10)
    assert mean_ci([4.0])[0] == 4.0 and math.isnan(mean_ci([4.0])[1])
    assert all(math.isnan(v) for v in mean_ci([]))


def test_t_interval_is_elementwise_and_nan_below_two():
    lo, hi = t_interval(np.array([2.0, 5.0]), np.array([1.0, 1.0]), np.array([3, 1]))
    assert lo[0] == pytest.approx(2 - T_975_DF2 / math.sqrt(3), rel=1e-10)
    assert hi[0] == pytest.approx(2 + T_975_DF2 / math.sqrt(3), rel=1e-10)
    assert math.isnan(lo[1]) and math.isnan(hi[1])


def test_survival_matches_a_hand_worked_kaplan_meier_with_censoring():
    # Eight partnerships; "+" is still active at the end (censored):  2 3 3+ 5 5+ 7+ 8 8+
    duration = [2, 3, 3, 5, 5, 7, 8, 8]
    censored = [False, False, True, False, True, True, False, True]
    s = survival(duration, censored)
    # At risk / ended at each month: 2: 8/1, 3: 7/1, 5: 5/1, 7: none end, 8: 2/1.
    # A partnership censored at month t still counts as at risk at t.
    km = [
        1,
        7 / 8,
        7 / 8 * 6 / 7,
        7 / 8 * 6 / 7 * 4 / 5,
        7 / 8 * 6 / 7 * 4 / 5,
        7 / 8 * 6 / 7 * 4 / 5 * 1 / 2,
    ]
    assert s.time.tolist() == [0, 2, 3, 5, 7, 8]
    assert s.surv == pytest.approx(km, rel=1e-10)
    # Greenwood: var S(t) = S(t)^2 * sum over event times <= t of d / (n (n - d)).
    greenwood = np.cumsum([0, 1 / (8 * 7), 1 / (7 * 6), 1 / (5 * 4), 0, 1 / (2 * 1)])
    half = 1.959963984540054 * np.array(km) * np.sqrt(greenwood)
    assert s.low == pytest.approx(np.clip(km - half, 0, 1), rel=1e-9)
    assert s.high == pytest.approx(np.clip(km + half, 0, 1), rel=1e-9)


def test_survival_with_everything_censored_stays_at_one():
    s = survival([3, 4], [True, True])
    assert s.surv.tolist() == [1, 1, 1] and s.low.tolist() == [1, 1, 1]
