"""Mixed designs: a sampled design crossed with a factorial ([cross]). Every arm runs the
whole sample on the same seeds (common random numbers across arms), the size is counted
before anything is built, bad fields are named in one line, and the report computes the
indices within each arm."""

from __future__ import annotations

import pandas as pd
import pytest

from simulation.errors import UserError
from simulation.sweep import parse_experiment, run_sweep
from simulation.sweep.designs import arms, conditions, run_table


def crossed(**over) -> dict:
    raw = {
        "name": "mixed",
        "steps": 12,
        "replicates": 2,
        "base_seed": 11,
        "record_every": 6,
        "design": {"type": "lhs", "samples": 4},
        "fixed": {"n_orgs": 30, "burn_in": 0},
        "vary": {"clarity": {"low": 0.1, "high": 0.9}, "trust_gain": {"low": 0.0, "high": 0.3}},
        "cross": {"governance": ["none", "contract", "six_principles"], "sanctions": [False, True]},
    }
    raw.update(over)
    return raw


def test_size_layout_and_common_random_numbers_across_arms():
    exp = parse_experiment(crossed(), source="x.toml")
    assert [f.name for f in exp.factors] == ["clarity", "trust_gain"]
    assert [f.name for f in exp.arms] == ["governance", "sanctions"]
    assert len(arms(exp)) == 6
    runs = run_table(exp)
    assert len(runs) == 4 * 6 * 2  # points x arms x replicates
    # The same experiment without [cross]: the sample every arm repeats.
    plain = conditions(parse_experiment({**crossed(), "cross": {}}, source="x.toml"))
    conds = conditions(exp)
    for a, arm in enumerate(arms(exp)):
        block = conds[a * 4 : (a + 1) * 4]
        assert [{k: c[k] for k in ("clarity", "trust_gain")} for c in block] == plain
        assert all(c["governance"] == arm["governance"] for c in block)
        assert all(c["sanctions"] == arm["sanctions"] for c in block)
    # Common random numbers: a sampled point and a replicate have one seed in every arm.
    table = pd.DataFrame(
        [
            {"point": r["condition"] % 4, "replicate": r["replicate"], "seed": r["seed"]}
            for r in runs
        ]
    )
    seeds = table.groupby(["point", "replicate"]).seed.agg(["nunique", "size"])
    assert (seeds["nunique"] == 1).all() and (seeds["size"] == 6).all()
    assert table.groupby("replicate").seed.first().tolist() == [11, 12]


def test_the_size_is_counted_before_the_design_is_built():
    with pytest.raises(UserError) as e:
        parse_experiment(crossed(max_runs=47), source="x.toml")
    msg = str(e.value)
    assert "48 runs" in msg and "4 points x 6 arms (3 x 2) x 2 replicates" in msg
    morris = crossed(design={"type": "morris", "samples": 3}, max_runs=10)
    with pytest.raises(UserError, match=r"3\*\(2\+1\) points x 6 arms"):
        parse_experiment(morris, source="x.toml")


@pytest.mark.parametrize(
    "over, fragment",
    [
        ({"cross": {"governance": ["none", "bogus"]}}, "cross.governance.values = 'bogus'"),
        ({"cross": {"governanc": ["none"]}}, "cross.governanc = 'governanc'"),
        ({"cross": {"clarity": [0.2]}}, "cross.clarity = [0.2]"),  # also under vary
        ({"cross": {"n_orgs": [20, 40]}}, "fixed.n_orgs = 30"),  # also under fixed
        ({"cross": {"shock_rate": {"low": 0.0, "high": 0.1}}}, "cross.shock_rate.step"),
        ({"cross": ["governance"]}, "cross = ['governance']"),
        (
            {"design": "factorial", "vary": {"clarity": [0.2]}},
            "[cross] only with a sampled design",
        ),
        (
            {"cross": {}, "vary": {"governance": ["none", "contract"]}},
            "list them under [cross]",
        ),
    ],
)
def test_bad_cross_fields_are_named_in_one_line(over, fragment):
    with pytest.raises(UserError) as e:
        parse_experiment(crossed(**over), source="x.toml")
    msg = str(e.value)
    assert fragment in msg and msg.startswith("x.toml: ") and "allowed:" in msg


def test_crossed_ranges_take_a_step():
    exp = parse_experiment(
        crossed(cross={"shock_rate": {"low": 0.0, "high": 0.1, "step": 0.05}}), source="x.toml"
    )
    assert [a["shock_rate"] for a in arms(exp)] == [0.0, 0.05, 0.1]


def test_crossed_morris_sweep_stores_arms_and_reports_indices_per_arm(tmp_path):
    raw = crossed(
        design={"type": "morris", "samples": 2},
        cross={"governance": ["none", "six_principles"]},
        replicates=1,
    )
    exp = parse_experiment(raw, source="x.toml")
    out = tmp_path / "o"
    s = run_sweep(exp, out, workers=1, progress=False)
    assert s.failed == 0 and s.total == 2 * 3 * 2
    runs = pd.read_parquet(out / "runs")
    assert set(runs.governance) == {"none", "six_principles"}
    # The same point in both arms: the same sampled values and seed, another arm.
    by_point = runs.assign(point=runs.condition % 6).groupby("point")
    assert (by_point.clarity.nunique() == 1).all() and (by_point.seed.nunique() == 1).all()
    assert (by_point.governance.nunique() == 2).all()
    from simulation.sweep.report import write_report

    write_report(out)
    sens = pd.read_csv(out / "report" / "sensitivity.csv")
    assert set(sens.arm) == {"governance=none", "governance=six_principles"}
    assert set(sens.governance) == {"none", "six_principles"}
    assert set(sens.parameter) == {"clarity", "trust_gain"}
    # Each arm's indices are its own: those of the arm's block analysed alone.
    from simulation.sweep import indices

    block = runs[runs.condition >= 6].assign(condition=lambda r: r.condition - 6)
    alone = indices.morris(exp, block, ["cross_trust"]).table.set_index("parameter")
    got = sens[(sens.arm == "governance=six_principles") & (sens.outcome == "cross_trust")]
    for _, row in got.iterrows():
        assert row.mu_star == pytest.approx(alone.loc[row.parameter, "mu_star"])
