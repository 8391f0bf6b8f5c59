"""Sweep reports fit for a paper: the Sobol sample-size check and the seed-noise share
(on the Ishigami function, through the same code path as a sweep), partial rank
correlations, paired differences against a reference arm, numeric CI columns, vector output
and the DuckDB view of time series with parameters."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulation.sweep import indices, parse_experiment, run_sweep
from simulation.sweep.designs import unit_matrix
from simulation.sweep.sampled import prcc


def ishigami_runs(samples: int, noise: float = 0.0, replicates: int = 1):
    """A Sobol experiment over three parameters whose 'runs' are the Ishigami function of
    the design (each unit coordinate mapped to [-pi, pi]) plus seed noise per replicate."""
    exp = parse_experiment(
        {
            "name": "ishigami",
            "steps": 1,
            "replicates": replicates,
            "design": {"type": "sobol", "samples": samples, "seed": 3},
            "vary": {
                "clarity": {"low": 0.0, "high": 1.0},
                "trust_gain": {"low": 0.0, "high": 0.3},
                "trust_loss": {"low": 0.0, "high": 0.3},
            },
        },
        source="ishigami",
    )
    x = -np.pi + 2 * np.pi * unit_matrix(exp)
    y = np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])
    rng = np.random.default_rng(0)
    rows = [
        {"condition": c, "replicate": r, "status": "ok", "y": y[c] + noise * rng.normal()}
        for r in range(replicates)
        for c in range(len(y))
    ]
    return exp, pd.DataFrame(rows)


def test_sample_size_check_warns_on_a_small_sobol_sample_and_not_on_a_large_one():
    exp, runs = ishigami_runs(8)
    small = indices.sobol(exp, runs, ["y"])
    note = indices.sample_size_note(small.table, 8, 5, "samples =")
    assert note is not None and "wider than 0.5 x the index" in note
    need = int(note.split("samples = ")[1].split()[0])
    assert need > 8 and need & (need - 1) == 0  # a larger power of two
    exp, runs = ishigami_runs(4096)
    large = indices.sobol(exp, runs, ["y"]).table.set_index("parameter")
    assert indices.sample_size_note(large.reset_index(), 4096, 5, "samples =") is None
    # And the indices are Ishigami's (S1 = 0.31, 0.44, 0; ST of x3 = 0.24).
    assert large.S1.to_numpy() == pytest.approx([0.314, 0.442, 0.0], abs=0.05)
    assert large.ST.iloc[2] == pytest.approx(0.244, abs=0.05)


def test_seed_noise_share_is_separated_from_the_design():
    # Ishigami's variance is about 13.8; noise of SD 2 is 4 / 17.8 of a single run's.
    exp, runs = ishigami_runs(256, noise=2.0, replicates=4)
    t = indices.sobol(exp, runs, ["y"]).table
    share = t.seed_share.iloc[0]
    assert share == pytest.approx(4 / (4 + 13.84), abs=0.03)
    # Of the point means (4 replicates): the noise variance is a quarter.
    assert t.seed_share_means.iloc[0] == pytest.approx(1 / (1 + 13.84), abs=0.02)
    exp, runs = ishigami_runs(16, noise=0.0, replicates=2)
    assert indices.sobol(exp, runs, ["y"]).table.seed_share.iloc[0] == pytest.approx(0.0)


def test_prcc_matches_the_partial_correlation_of_ranks_and_its_interval():
    rng = np.random.default_rng(1)
    x = rng.uniform(size=(200, 3))
    y = np.exp(3 * x[:, 0]) - 2 * x[:, 1] + 0.3 * rng.normal(size=200)
    got = prcc(x, y)
    # The same coefficient from the inverse correlation matrix of the ranks.
    from scipy.stats import rankdata

    ranks = np.column_stack([rankdata(c) for c in [*x.T, y]])
    p = np.linalg.inv(np.corrcoef(ranks.T))
    expected = [-p[j, 3] / np.sqrt(p[j, j] * p[3, 3]) for j in range(3)]
    assert got.prcc.to_numpy() == pytest.approx(expected, abs=1e-9)
    assert got.prcc[0] > 0.9 and got.prcc[1] < -0.5
    assert (got.ci_low < got.prcc).all() and (got.prcc < got.ci_high).all()
    assert got.ci_low[2] < 0 < got.ci_high[2] and got.p[2] > 0.01  # x3 does nothing
    assert got.p[0] < 1e-10


@pytest.fixture(scope="module")
def crossed_sweep(tmp_path_factory):
    out = tmp_path_factory.mktemp("crossed") / "o"
    raw = {
        "name": "crossed",
        "steps": 12,
        "replicates": 2,
        "base_seed": 5,
        "record_every": 6,
        "design": {"type": "lhs", "samples": 6},
        "fixed": {"n_orgs": 30, "burn_in": 0},
        "vary": {"clarity": {"low": 0.1, "high": 0.9}, "trust_gain": {"low": 0.0, "high": 0.3}},
        "cross": {"governance": ["none", "six_principles"]},
    }
    run_sweep(parse_experiment(raw, source="x.toml"), out, workers=1, progress=False)
    return out


def test_a_crossed_sample_pairs_each_arm_with_the_reference_arm(crossed_sweep):
    from simulation.sweep.report import write_report

    files = write_report(crossed_sweep, reference=1)
    rep = crossed_sweep / "report"
    pdiff = pd.read_csv(rep / "paired_differences.csv")
    row = pdiff[pdiff.outcome == "cross_trust"].iloc[0]
    assert row.label == "governance=none" and row.reference == "governance=six_principles"
    runs = pd.read_parquet(crossed_sweep / "runs").set_index(["condition", "replicate"])
    d = runs.loc[0:5].cross_trust.to_numpy() - runs.loc[6:11].cross_trust.to_numpy()
    assert row.pairs == 12 and row.mean_difference == pytest.approx(d.mean())
    # PRCC per arm, CIs as numbers; summary CIs as numbers too.
    p = pd.read_csv(rep / "prcc.csv")
    assert set(p.arm) == {"governance=none", "governance=six_principles"}
    assert p.ci_low.dtype == float and (p.ci_low.dropna() <= p.prcc.dropna()).all()
    s = pd.read_csv(rep / "summary.csv")
    assert s.cross_trust_ci_low.dtype == float and (s.cross_trust_ci_low <= s.cross_trust).all()
    names = {f.name for f in files}
    for fig in ("scatter", "prcc", "timeseries", "outcomes", "survival"):
        assert {f"{fig}.png", f"{fig}.pdf"} <= names
    assert (rep / "scatter.pdf").read_bytes().startswith(b"%PDF")


def test_timeseries_runs_view_carries_the_parameters(crossed_sweep):
    from simulation.sweep.store import sweep_db

    con = sweep_db(crossed_sweep)
    t = con.sql("SELECT * FROM timeseries_runs").df()
    ts = pd.read_parquet(crossed_sweep / "timeseries")
    assert len(t) == len(ts) and {"clarity", "trust_gain", "governance", "seed"} <= set(t)
    runs = pd.read_parquet(crossed_sweep / "runs").set_index("run_id")
    joined = t.set_index("run_id").clarity
    assert (joined == runs.clarity.reindex(joined.index)).all()


def test_confidence_bands_are_clipped_to_the_range_of_a_share():
    from simulation.sweep.report import _clip

    lo, hi = _clip(np.array([-0.2, 0.1]), np.array([0.9, 1.25]), "isolated_share")
    assert lo.tolist() == [0.0, 0.1] and hi.tolist() == [0.9, 1.0]
    lo, hi = _clip(np.array([-3.0]), np.array([5.0]), "active")
    assert lo.tolist() == [0.0] and hi.tolist() == [5.0]


def test_heatmap_keeps_the_designed_order_shows_cell_values_and_names_each_mean_once():
    from simulation.sweep.report import _heatmap_figure

    conditions = [{"preset": p, "rate": r} for p in ("none", "contract") for r in (0.4, 0.1)]
    rows = [
        {
            "condition": i,
            "status": "ok",
            **c,
            "success_share": 0.1 * i,
            "cross_trust": 0.5,
            "mean_myth": 0.3 + 0.01 * i,
        }
        for i, c in enumerate(conditions)
    ]
    fig = _heatmap_figure(pd.DataFrame(rows), {"conditions": conditions}, ("preset", "rate"))
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles == ["mean success share", "mean cross trust", "mean myth"]
    first = fig.axes[0]
    assert [t.get_text() for t in first.get_yticklabels()] == ["none", "contract"]
    assert [t.get_text() for t in first.get_xticklabels()] == ["0.4", "0.1"]
    assert sorted(t.get_text() for t in first.texts) == ["0.00", "0.10", "0.20", "0.30"]
