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
def test_validate_measures_every_pattern_and_writes_tables(tmp_path):
    r = subprocess.run(
        [EXE, "validate", "--replicates", "8", "--seed", "1", "--window", "240"]
        + ["--follow", "120", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=3000,
    )
    assert r.returncode in (0, 1), r.stdout + r.stderr
    df = pd.read_csv(tmp_path / "validation.csv")
    keys = set(df["key"])
    assert {"failure", "governance", "contact", "conditions", "lifespan"} <= keys
    assert {"stationary_default", "stationary_forced_marriage"} <= keys
    # Every figure has its interval, and the exit code says whether all passed.
    assert (df.ci_low <= df.value).all() and (df.value <= df.ci_high).all()
    assert r.returncode == (0 if df["pass"].all() else 1)
    md = (tmp_path / "validation.md").read_text()
    assert "Pettigrew & Tropp 2006" in md and "Bleeke & Ernst 1995" in md
    assert f"{int(df['pass'].sum())} of {len(df)} patterns reproduced" in r.stdout


def test_asymmetry_measures_follow_the_rates():
    # The measures can fail: with gains faster than losses, the trust ratio drops below 1.
    normal = run_stats((3, 60, 0, {}))
    flipped = run_stats((3, 60, 0, {"trust_gain": 0.3, "trust_loss": 0.01}))
    assert normal.trust_asymmetry > 1 > flipped.trust_asymmetry


def test_contact_measure_responds_to_myth_erosion():
    # With no erosion, contact cannot lower myths: the correlation is no longer negative.
    with_erosion = [run_stats((s, 120, 0, {})).true_contact_r for s in range(3)]
    without = [run_stats((s, 120, 0, {"myth_erosion": 0.0})).true_contact_r for s in range(3)]
    assert np.mean(with_erosion) < 0 < np.mean(without)


def test_cohort_is_followed_to_its_end():
    short = run_stats((2, 60, 0, {}))
    long = run_stats((2, 60, 240, {}))
    assert long.cohort_censored < short.cohort_censored
    assert long.lifespan.size == short.lifespan.size  # the same cohort
    assert (long.lifespan >= short.lifespan).all()


def test_stats_helpers():
    m, lo, hi = mean_ci([1.0, 2.0, 3.0])
    assert m == 2.0 and lo < 2.0 < hi
    assert paired_greater([2, 3, 4, 5], [1, 2, 3, 3.5]) < 0.05
    assert paired_greater([1, 2, 3], [1, 2, 3]) == 1.0


@pytest.mark.parametrize(
    "args,fragment",
    [
        (["--replicates", "1"], "replicates = '1'"),
        (["--window", "3"], "window = '3'"),
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
        got = validate_patterns(
            replicates=3, seed=4, window=24, follow=12, workers=workers, presets=("none",)
        )
        return [m.row() for m in got]

    pd.testing.assert_frame_equal(pd.DataFrame(rows(1)), pd.DataFrame(rows(2)))
