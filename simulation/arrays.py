"""Element-wise helpers for the monthly hot path.

``np.clip`` and ``np.nan_to_num`` go through Python-level argument handling that costs more
than the arithmetic on the few thousand values a month touches; these give the same values
with plain ufuncs.
"""

from __future__ import annotations

import numpy as np


def clip(x: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """``np.clip(x, lo, hi)`` for finite bounds (NaN stays NaN, as there)."""
    return np.minimum(np.maximum(x, lo), hi)


def fill_nan(x: np.ndarray, value: float) -> np.ndarray:
    """``x`` with NaN replaced by ``value`` (infinities are left as they are)."""
    return np.where(np.isnan(x), value, x)
