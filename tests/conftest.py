"""Shared helpers for the tests."""

from __future__ import annotations

import numpy as np
from scipy import stats

from simulation.model import CollabModel
from simulation.run import run_model

#: Replicates used for run-level statistical claims (paired on common seeds).
REPLICATES = 10
#: Burn-in for mechanism tests: long enough to leave the stylised start behind (most of the
#: relaxation happens in the first 120 months), shorter than the default to keep the suite
#: quick. Tests of the steady state itself use the default.
TEST_BURN_IN = 120


def outcomes(seeds, steps: int = 120, **params) -> dict[str, np.ndarray]:
    """Headline outcomes of one run per seed, as arrays keyed by outcome name."""
    params.setdefault("burn_in", TEST_BURN_IN)
    rows = [run_model(seed=s, steps=steps, **params) for s in seeds]
    return {k: np.array([r[k] for r in rows], dtype=float) for k in rows[0]}


def stepped(steps: int = 24, seed: int = 1, **params) -> CollabModel:
    """A model advanced ``steps`` months."""
    params.setdefault("burn_in", TEST_BURN_IN)
    m = CollabModel(seed=seed, **params)
    for _ in range(steps):
        m.step()
    return m


def greater(a, b, alpha=0.05):
    """One-sided paired test that a > b over the same seeds (paired t-test at ``alpha``)."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    assert a.mean() > b.mean(), (a.mean(), b.mean())
    p = stats.ttest_rel(a, b, alternative="greater").pvalue
    assert p < alpha, p
