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


def group_by_last(keys: np.ndarray, n_keys: int) -> tuple[np.ndarray, np.ndarray]:
    """Group equal ``keys`` (integers below ``n_keys``) without sorting.

    Returns ``group``, the position of the last listing of each entry's key (the label of
    its group, for ``np.bincount(group, ...)``, which adds in listing order), and ``last``,
    the mask of the entries that label their group (one per distinct key). A scratch slot
    per possible key is written but only the listed slots are read, so the cost is in the
    number of entries, not of possible keys.
    """
    pos = np.arange(keys.size)
    slot = np.empty(n_keys, dtype=np.int64)
    slot[keys] = pos
    group = slot[keys]
    return group, group == pos


def grown(arr: np.ndarray, need: int) -> np.ndarray:
    """``arr`` with room for at least ``need`` rows: itself if it has them, else a zero-padded
    copy at least twice as long (so that growing one row at a time costs amortised O(1))."""
    if need <= arr.shape[0]:
        return arr
    out = np.zeros((max(need, 2 * arr.shape[0]), *arr.shape[1:]), dtype=arr.dtype)
    out[: arr.shape[0]] = arr
    return out
