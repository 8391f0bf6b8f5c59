"""Teaching demos: each is registered with its narrative, and each shows its idea.

Every demo is run against the change its narrative suggests, on the same seeds (paired),
and the outcome must move the way the narrative says, by a one-sided paired t-test.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from simulation.params import PARAMS
from simulation.scenarios import CONTRASTS, DEMOS, SCENARIOS, resolve
from simulation.validation.demos import contrast_outcomes

SEEDS = range(101, 109)  # 8 paired replicates, not the seeds the demos were tuned on
ALPHA = 0.01


def test_at_least_six_demos_are_registered_with_a_full_narrative():
    teaching = [s for s in SCENARIOS.values() if s.kind == "teaching"]
    assert len(teaching) >= 6 and {s.name for s in DEMOS} <= {s.name for s in teaching}
    for sc in DEMOS:
        assert sc.description and sc.watch and sc.change and sc.happens, sc.name
        resolve(sc.name)  # parameters are valid
        con = CONTRASTS[sc.name]
        assert con.direction in (-1, 1) and con.claim
        resolve(sc.name, con.overrides)
        # The narrative's suggested change names the parameters the contrast moves.
        for name in con.overrides:
            words = name.replace("_", " ")
            if name != "governance":
                assert words in sc.change or name in sc.change, (sc.name, name)
            else:
                assert con.overrides[name] in sc.change, sc.name
        assert all(k in PARAMS for k in con.overrides)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CONTRASTS))
def test_demo_shows_its_idea_against_its_contrast(name):
    con = CONTRASTS[name]
    demo, changed = (np.asarray(v, dtype=float) for v in contrast_outcomes(name, SEEDS))
    assert np.isfinite(demo).all() and np.isfinite(changed).all()
    diff = con.direction * (changed - demo)
    p = stats.ttest_rel(con.direction * changed, con.direction * demo, alternative="greater").pvalue
    assert diff.mean() > 0 and p < ALPHA, (
        f"{name}: {con.outcome} demo {demo.mean():.3f} vs changed {changed.mean():.3f}, p={p:.3g}"
    )


@pytest.mark.slow
def test_myths_hold_steady_at_the_steady_state_without_the_conditions():
    # At the steady state, contact erodes myths as fast as bad experiences and newcomers
    # bring them back: over the demo's ten years they neither fall nor rise by much.
    from simulation.run import run_model

    change = [
        run_model(seed=s, steps=120, **resolve("demo_myths_and_dragons"))["myth_change"]
        for s in SEEDS
    ]
    lo, hi = stats.t.interval(0.95, len(change) - 1, np.mean(change), stats.sem(change))
    assert -0.03 < lo and hi < 0.03, (lo, hi)
