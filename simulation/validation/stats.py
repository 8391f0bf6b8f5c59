"""Small statistics helpers: t-based confidence intervals and paired tests."""

from __future__ import annotations

import numpy as np
from scipy import stats


def mean_ci(x, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and t-based confidence interval of replicate values (nan values dropped)."""
    x = np.asarray(x, dtype=float)
    x = x[np.isfinite(x)]
    if x.size == 0:
        return float("nan"), float("nan"), float("nan")
    m = float(x.mean())
    if x.size < 2:
        return m, float("nan"), float("nan")
    half = float(stats.t.ppf(0.5 + level / 2, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size))
    return m, m - half, m + half


def paired_greater(a, b) -> float:
    """One-sided p-value that a > b on paired replicates (paired t-test)."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    ok = np.isfinite(a) & np.isfinite(b)
    if ok.sum() < 2 or np.allclose(a[ok], b[ok]):
        return 1.0
    return float(stats.ttest_rel(a[ok], b[ok], alternative="greater").pvalue)
