"""The same seed gives the same bits on every machine (simulation/portable.py).

numpy chooses BLAS kernels and SIMD paths for the processor it starts on. Each test below
runs the model in fresh processes made to look like other machines, by switching off numpy's
AVX-512 and AVX2 paths (``NPY_DISABLE_CPU_FEATURES``) and by forcing OpenBLAS's kernels for
older processors (``OPENBLAS_CORETYPE``), and requires the state digests of every month to
be identical. Before the model's products and powers went through simulation/portable.py,
both switches changed the state within the first month.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from simulation import portable

HERE = Path(__file__).parent

#: A large population without burn-in (every mechanism acts in the first months) and the
#: default after its burn-in.
RUN = """
import json, sys
sys.path.insert(0, {here!r})
from state_digest import run_config
print(json.dumps([run_config({{"n_orgs": 1000, "burn_in": 0}}, 12)["months"],
                  run_config({{"burn_in": 120}}, 6)["months"]]))
"""


def _features_above(level: str) -> list[str]:
    from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__

    order = list(__cpu_features__)
    start = order.index(level) if level in order else len(order)
    return [f for f in order[start:] if f in __cpu_dispatch__ and __cpu_features__[f]]


def _digests(env: dict[str, str]) -> list:
    full = {**os.environ, **env}
    out = subprocess.run(
        [sys.executable, "-c", RUN.format(here=str(HERE))],
        env=full,
        capture_output=True,
        text=True,
        check=True,
        timeout=900,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_the_state_is_the_same_without_the_processors_fast_paths():
    here = _digests({})
    avx512 = _features_above("AVX512F")
    avx2 = _features_above("AVX")
    machines = {
        "OpenBLAS kernels for an old processor": {"OPENBLAS_CORETYPE": "Prescott"},
        "OpenBLAS kernels for Haswell": {"OPENBLAS_CORETYPE": "Haswell"},
    }
    if avx512:
        machines["numpy without AVX-512"] = {"NPY_DISABLE_CPU_FEATURES": " ".join(avx512)}
    if avx2:
        machines["numpy without AVX or AVX2"] = {"NPY_DISABLE_CPU_FEATURES": " ".join(avx2)}
    for name, env in machines.items():
        assert _digests(env) == here, f"the state differs with {name}"


def test_power_is_the_correctly_rounded_power():
    from fractions import Fraction

    base = np.array([0.9, 0.9, 0.5, 0.0, 1.0, 0.123456789])
    got = portable.power(base, 1.0 / 12.0)
    assert got.shape == base.shape
    assert got[0] == got[1]
    assert got[3] == 0.0 and got[4] == 1.0
    # The corners agree with numpy's own power.
    corners = np.array([0.0, 1.0, 0.25])
    for e in (0.0, 2.0, -1.0):
        with np.errstate(divide="ignore"):  # 0 ** -1 is inf in both
            np.testing.assert_array_equal(portable.power(corners, e), corners**e)
    # Against exact rational arithmetic: (got)^12 brackets the base within a few ulps.
    for b, g in zip(base[[0, 2, 5]], got[[0, 2, 5]], strict=True):
        lo, hi = np.nextafter(g, 0.0), np.nextafter(g, 1.0)
        assert Fraction(float(lo)) ** 12 < Fraction(float(b)) < Fraction(float(hi)) ** 12
        assert abs(g - b ** (1.0 / 12.0)) <= 2 * np.spacing(g)


def test_power_refuses_negative_bases():
    with pytest.raises(ValueError, match="non-negative"):
        portable.power(np.array([-0.1]), 0.5)


def test_dot_products_match_the_matrix_products():
    rng = np.random.default_rng(3)
    a, b, v = rng.random((7, 4)), rng.random((5, 4)), rng.random(4)
    np.testing.assert_allclose(portable.dot(a, v), a @ v, rtol=1e-15)
    np.testing.assert_allclose(portable.dot(v, v), v @ v, rtol=1e-15)
    np.testing.assert_allclose(portable.outer_dot(a, b), a @ b.T, rtol=1e-15)
    assert portable.outer_dot(a, b).shape == (7, 5)
