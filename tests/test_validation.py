"""`collabsim validate`: the brief's patterns, measured with enough replicates to test them."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulation.stats import mean_ci, paired_greater
from simulation.validation.patterns import run_stats

EXE = str(Path(sys.executable).with_name("collabsim"))


@pytest.mark.slow
def test_validate_reproduces_every_pattern_and_writes_tables(tmp_path):
    r = subprocess.run(
        [EXE, "validate", "--replicates", "12", "--seed", "1", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    df = pd.read_csv(tmp_path / "validation.csv")
    assert len(df) == 6 and df["pass"].all()
    fail = df.iloc[0]
    assert 0.30 <= fail.ci_low <= fail.value <= fail.ci_high <= 0.70
    assert df.set_index("pattern").filter(like="beats none", axis=0).ci_low.iloc[0] > 0
    md = (tmp_path / "validation.md").read_text()
    assert "Pettigrew & Tropp 2006" in md and md.count("| pass |") == 6
    assert "6 of 6 patterns reproduced" in r.stdout


def test_asymmetry_measures_follow_the_rates():
    # The measures can fail: with gains faster than losses, both ratios drop below 1.
    normal = run_stats((3, 60, {}))
    flipped = run_stats(
        (
            3,
            60,
            {"trust_gain": 0.3, "trust_loss": 0.05, "myth_erosion": 0.2, "myth_confirmation": 0.02},
        )
    )
    assert normal.trust_loss / normal.trust_gain > 1 > flipped.trust_loss / flipped.trust_gain
    assert normal.myth_up / normal.myth_down > 1 > flipped.myth_up / flipped.myth_down


def test_contact_measure_responds_to_myth_erosion():
    # With no erosion, contact cannot lower myths: the correlation is no longer negative.
    with_erosion = [run_stats((s, 120, {})).contact_r for s in range(3)]
    without = [run_stats((s, 120, {"myth_erosion": 0.0})).contact_r for s in range(3)]
    assert np.mean(with_erosion) < 0 < np.mean(without)


def test_stats_helpers():
    m, lo, hi = mean_ci([1.0, 2.0, 3.0])
    assert m == 2.0 and lo < 2.0 < hi
    assert paired_greater([2, 3, 4, 5], [1, 2, 3, 3.5]) < 0.05
    assert paired_greater([1, 2, 3], [1, 2, 3]) == 1.0


@pytest.mark.parametrize(
    "args,fragment",
    [
        (["--replicates", "1"], "replicates = '1'"),
        (["--seed", "x"], "seed = 'x'"),
        (["--workers", "0"], "workers = '0'"),
    ],
)
def test_validate_bad_options(tmp_path, args, fragment):
    r = subprocess.run(
        [EXE, "validate", *args, "--out", str(tmp_path / "v")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 2 and fragment in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "v").exists()


def test_pool_gives_the_same_results_in_the_same_order_as_one_process():
    """Validation uses the shared forkserver pool; results come from seeds only."""
    from simulation.validation.patterns import validate_patterns

    def rows(workers):
        return [m.row() for m in validate_patterns(replicates=3, seed=4, steps=24, workers=workers)]

    pd.testing.assert_frame_equal(pd.DataFrame(rows(1)), pd.DataFrame(rows(2)))
