"""Arithmetic that gives the same bits on every machine.

numpy picks some of its code when it starts, for the processor it finds: matrix and vector
products go to OpenBLAS, whose kernels for each processor family add in different orders,
and powers, exponentials and logarithms take SIMD paths that differ between AVX-512 and
AVX2 machines. Each can change the last bit of a result, and the model carries one bit into
a different history within months (a threshold crossed one month earlier). The same seed
then gives different runs on a laptop and on a cluster node.

IEEE 754 rounds +, −, ×, ÷ and the square root exactly, whatever instructions carry them
out, so array code made of those is portable. The model's arithmetic uses only those, and
these helpers for what would otherwise go to BLAS or a vectorised power:

- :func:`dot` and :func:`outer_dot` are numpy's ``einsum`` (unoptimised, so it never calls
  BLAS), whose loops numpy does not choose per processor (the test below checks it);
- :func:`power` computes each distinct base once in decimal arithmetic (``decimal``, which
  is integer arithmetic in software) and rounds it to the nearest double.

``tests/test_portable.py`` runs the model with numpy's AVX-512 and AVX2 paths switched off
and with OpenBLAS's kernels for older processors, and checks that the state is bit-for-bit
the same.
"""

from __future__ import annotations

import decimal
from functools import lru_cache

import numpy as np

#: Decimal digits carried by :func:`power` (more than a double's 17, so that the rounding to
#: a double is the only one that matters).
POWER_DIGITS = 40


def dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Sum over the last axis of ``a * b`` (``a @ b`` for a vector ``b``), without BLAS."""
    return np.einsum("...d,...d->...", a, b)


def outer_dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b.T`` for ``a`` of shape (p, d) and ``b`` of shape (n, d), without BLAS."""
    return np.einsum("pd,nd->pn", a, b)


@lru_cache(maxsize=1024)
def _power(base: float, exponent: float) -> float:
    with decimal.localcontext(prec=POWER_DIGITS):
        b = decimal.Decimal(base)
        if exponent == 0:
            return 1.0  # numpy's 0 ** 0, too
        if b == 0:
            return 0.0 if exponent > 0 else float("inf")
        return float(b ** decimal.Decimal(exponent))


def power(base: np.ndarray, exponent: float) -> np.ndarray:
    """``base ** exponent`` for non-negative ``base``, the same on every machine.

    Meant for arrays with few distinct values (rates that depend on a sector): each is
    computed once, in :data:`POWER_DIGITS`-digit decimal arithmetic, and rounded to the
    nearest double.
    """
    base = np.asarray(base, dtype=np.float64)
    if np.any(base < 0) or np.isnan(base).any():
        raise ValueError("power: bases must be non-negative numbers")
    values, where = np.unique(base, return_inverse=True)
    e = float(exponent)
    out = np.array([_power(float(v), e) for v in values.tolist()], dtype=np.float64)
    return out[where].reshape(base.shape)
