"""Statistics shared by the validator and the sweep reports, all from scipy.stats:
t-based confidence intervals, a paired one-sided test, and Kaplan-Meier survival."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats


def t_interval(mean: Any, sd: Any, n: Any, level: float = 0.95) -> tuple[Any, Any]:
    """Student-t confidence interval of a mean from its summary statistics.

    Works element-wise on arrays (one interval per month or condition); where ``n < 2`` the
    interval is nan.
    """
    n = np.asarray(n, dtype=float)
    df = np.where(n > 1, n - 1, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        return stats.t.interval(level, df, loc=mean, scale=np.asarray(sd) / np.sqrt(n))


def mean_ci(x: Any, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and t-based confidence interval of replicate values (non-finite values dropped)."""
    x = np.asarray(x, dtype=float)
    x = x[np.isfinite(x)]
    if x.size == 0:
        return float("nan"), float("nan"), float("nan")
    m = float(x.mean())
    if x.size < 2:
        return m, float("nan"), float("nan")
    lo, hi = t_interval(m, x.std(ddof=1), x.size, level)
    return m, float(lo), float(hi)


def paired_greater(a: Any, b: Any) -> float:
    """One-sided p-value that a > b on paired replicates (paired t-test)."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    ok = np.isfinite(a) & np.isfinite(b)
    if ok.sum() < 2 or np.allclose(a[ok], b[ok]):
        return 1.0
    return float(stats.ttest_rel(a[ok], b[ok], alternative="greater").pvalue)


@dataclass
class Survival:
    """A Kaplan-Meier curve as steps: ``surv[i]`` holds from ``time[i]`` to ``time[i + 1]``.

    The curve starts at (0, 1); ``low`` and ``high`` bound its pointwise confidence band
    (Greenwood's formula; nan where that is undefined, e.g. once the curve reaches 0).
    """

    time: np.ndarray
    surv: np.ndarray
    low: np.ndarray
    high: np.ndarray


def survival(duration: Any, censored: Any, level: float = 0.95) -> Survival:
    """Kaplan-Meier survival of durations, ``censored`` marking those still running at the end."""
    data = stats.CensoredData.right_censored(
        np.asarray(duration, dtype=float), np.asarray(censored, dtype=bool)
    )
    sf = stats.ecdf(data).sf
    with warnings.catch_warnings():
        # Greenwood's interval is undefined where the curve reaches 0; nan there is expected.
        warnings.filterwarnings("ignore", "The confidence interval is undefined", RuntimeWarning)
        ci = sf.confidence_interval(level)
    one = np.ones(1)
    return Survival(
        time=np.concatenate([[0.0], sf.quantiles]),
        surv=np.concatenate([one, sf.probabilities]),
        low=np.concatenate([one, ci.low.probabilities]),
        high=np.concatenate([one, ci.high.probabilities]),
    )
