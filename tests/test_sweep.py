"""Sweeps: validation, designs, common random numbers, identical results across backends,
failed runs, resume after a kill, atomic parts, readers and the report."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from simulation.errors import UserError
from simulation.sweep import load_experiment, parse_experiment, run_sweep
from simulation.sweep.designs import conditions, run_table
from simulation.sweep.runner import simulate_run

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "experiments" / "tiny.toml"


def small(**over) -> dict:
    raw = {
        "name": "t",
        "scenario": "baseline",
        "steps": 12,
        "replicates": 3,
        "base_seed": 5,
        "record_every": 4,
        "fixed": {"n_orgs": 20},
        "vary": {"governance": ["none", "six_principles"]},
    }
    raw.update(over)
    return raw


def comparable(out: Path, table: str = "runs") -> pd.DataFrame:
    df = pd.read_parquet(out / table)
    df = df.drop(columns=[c for c in ("duration_s",) if c in df])
    keys = (
        ["run_id", "month"]
        if table == "timeseries"
        else (["run_id", "partnership"] if table == "partnerships" else ["run_id"])
    )
    return df.sort_values(keys).reset_index(drop=True)


# --- validation -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "over, fragment",
    [
        ({"vary": {"clarityy": [0.1]}}, "vary.clarityy"),
        ({"vary": {"clarity": [0.1, 1.5]}}, "vary.clarity.values = 1.5"),
        ({"fixed": {"n_orgs": -3}}, "fixed.n_orgs = -3"),
        ({"design": {"type": "grid"}}, "design.type = 'grid'"),
        ({"design": {"type": "lhs", "samples": 8}}, "vary.governance.values"),
        ({"replicates": 0}, "replicates = 0"),
        ({"stop": {"when": "nonsense > 1"}}, "stop.when"),
        ({"vary": {"clarity": {"low": 0.5, "high": 0.2, "step": 0.1}}}, "vary.clarity.high"),
        ({"scenario": "nope"}, "scenario = 'nope'"),
        (
            {
                "design": {"type": "lhs", "samples": 8},
                "vary": {"clarity": {"low": 0.1, "high": 0.9, "dist": "beta"}},
            },
            "vary.clarity.dist",
        ),
        (
            {
                "design": {"type": "lhs", "samples": 8},
                "vary": {"clarity": {"low": 0.1, "high": 0.9, "dist": "triangular"}},
            },
            "vary.clarity.mode",
        ),
        (
            {
                "design": {"type": "lhs", "samples": 8},
                "vary": {"clarity": {"low": 0.1, "high": 0.9, "dist": "triangular", "mode": 1.2}},
            },
            "vary.clarity.mode = 1.2",
        ),
        (
            {
                "design": {"type": "lhs", "samples": 8},
                "vary": {
                    "clarity": {"low": 0.1, "high": 0.9, "dist": "normal", "mean": 0.5, "sd": 0}
                },
            },
            "vary.clarity.sd = 0",
        ),
        (
            {
                "design": {"type": "lhs", "samples": 8},
                "vary": {"clarity": {"low": 0.1, "high": 0.9, "mode": 0.5}},
            },
            "vary.clarity.mode",
        ),
        (
            {"vary": {"clarity": {"low": 0.1, "high": 0.9, "step": 0.1, "dist": "normal"}}},
            "vary.clarity.dist",
        ),
    ],
)
def test_invalid_experiments_name_file_key_value_and_allowed(over, fragment):
    with pytest.raises(UserError) as err:
        parse_experiment(small(**over), source="exp.toml")
    msg = str(err.value)
    assert msg.startswith("exp.toml: ") and fragment in msg and "allowed" in msg


def test_cli_rejects_bad_experiment_with_one_line_and_exit_2(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "bad"\n[vary]\nclarity = [2.0]\n')
    p = subprocess.run(
        [sys.executable, "-m", "simulation.cli", "sweep", str(bad), "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert p.returncode == 2
    assert len(p.stderr.strip().splitlines()) == 1 and "bad.toml" in p.stderr
    assert "vary.clarity" in p.stderr and "from 0 to 1" in p.stderr
    assert not (tmp_path / "o").exists()  # nothing written before validation passes


def test_shipped_experiments_validate():
    for path in sorted((ROOT / "experiments").glob("*.toml")):
        exp = load_experiment(path)
        assert run_table(exp)


# --- designs --------------------------------------------------------------------------
def test_factorial_ranges_and_common_random_numbers():
    exp = parse_experiment(
        small(
            vary={
                "governance": ["none", "contract"],
                "clarity": {"low": 0.2, "high": 0.8, "step": 0.3},
            }
        )
    )
    runs = run_table(exp)
    assert len(runs) == 2 * 3 * 3
    assert sorted({r["values"]["clarity"] for r in runs}) == [0.2, 0.5, 0.8]
    for k in range(3):  # replicate k has the same seed under every condition
        seeds = {r["seed"] for r in runs if r["replicate"] == k}
        assert seeds == {5 + k} and all(type(s) is int for s in seeds)


@pytest.mark.parametrize("design", ["lhs", "sobol", "morris"])
def test_sampled_designs_follow_the_distribution_of_each_range(design):
    # Uniform, triangular and truncated normal ranges, sampled by each design: values stay
    # in range and are spread as the distribution says (against the uniform column).
    n = {"lhs": 400, "sobol": 64, "morris": 60}[design]
    exp = parse_experiment(
        small(
            design={"type": design, "samples": n},
            vary={
                "clarity": {"low": 0.0, "high": 1.0},
                "trust_gain": {"low": 0.0, "high": 0.3, "dist": "triangular", "mode": 0.0},
                "exit_threshold": {
                    "low": 0.1,
                    "high": 0.9,
                    "dist": "normal",
                    "mean": 0.5,
                    "sd": 0.1,
                },
            },
        )
    )
    pts = pd.DataFrame(conditions(exp))
    assert pts.clarity.between(0, 1).all() and pts.trust_gain.between(0, 0.3).all()
    assert pts.exit_threshold.between(0.1, 0.9).all()
    if design == "morris":  # grid levels 0, 1/3, 2/3, 1 at the distribution's quantiles
        from scipy import stats

        levels = stats.truncnorm(-4, 4, loc=0.5, scale=0.1).ppf([0, 1 / 3, 2 / 3, 1])
        assert np.allclose(np.unique(pts.exit_threshold), levels)
        return
    # Triangular with its mode at low: mean low + (high - low) / 3, not the midpoint.
    assert abs(pts.trust_gain.mean() - 0.1) < 0.02 < abs(pts.trust_gain.mean() - 0.15)
    # Normal(0.5, 0.1): about 68% within one sd; a uniform column has 25% there.
    near = (pts.exit_threshold - 0.5).abs().le(0.1).mean()
    assert 0.55 < near < 0.85 and (pts.clarity - 0.5).abs().le(0.1).mean() < 0.4
    if design == "lhs":  # one point per stratum of the distribution's quantiles
        from scipy import stats

        q = stats.truncnorm(-4, 4, loc=0.5, scale=0.1).cdf(pts.exit_threshold)
        assert sorted(np.floor(q * n).astype(int)) == list(range(n))


@pytest.mark.parametrize(
    "design, expected", [("lhs", 10), ("sobol", 8 * (2 + 2)), ("morris", 8 * 3)]
)
def test_sampled_designs_sizes_bounds_and_types(design, expected):
    exp = parse_experiment(
        small(
            design={"type": design, "samples": 10 if design == "lhs" else 8},
            vary={"clarity": {"low": 0.1, "high": 0.9}, "max_partners": {"low": 2, "high": 6}},
        )
    )
    pts = conditions(exp)
    assert len(pts) == expected
    assert all(0.1 <= p["clarity"] <= 0.9 and 2 <= p["max_partners"] <= 6 for p in pts)
    assert all(type(p["max_partners"]) is int for p in pts)
    assert conditions(exp) == pts  # the design is reproducible


def test_switches_in_sampled_designs_and_second_order_sobol():
    # A switch is a 0/1 factor: off below 0.5, on from 0.5, so every Morris step flips it.
    exp = parse_experiment(
        small(
            design={"type": "morris", "samples": 6},
            vary={"sanctions": {"low": False, "high": True}, "clarity": {"low": 0.1, "high": 0.9}},
        )
    )
    pts = conditions(exp)
    assert {type(p["sanctions"]) for p in pts} == {bool}
    flips = [
        a["sanctions"] != b["sanctions"]
        for t in range(6)
        for a, b in zip(pts[3 * t : 3 * t + 3], pts[3 * t + 1 : 3 * t + 3], strict=False)
        if a["clarity"] == b["clarity"]
    ]
    assert len(flips) == 6 and all(flips)
    sobol = small(
        design={"type": "sobol", "samples": 8, "second_order": True},
        vary={"sanctions": {"low": False, "high": True}, "clarity": {"low": 0.1, "high": 0.9}},
    )
    pts = conditions(parse_experiment(sobol))
    assert len(pts) == 8 * (2 * 2 + 2)
    assert 0.3 < np.mean([p["sanctions"] for p in pts]) < 0.7
    for design, vary, fragment in [
        ({"type": "morris", "samples": 4, "second_order": True}, None, "design.second_order"),
        ({"type": "sobol", "samples": 4, "second_order": 1}, None, "design.second_order = 1"),
        ({"type": "lhs", "samples": 4}, {"low": True, "high": False}, "vary.sanctions.low"),
        ({"type": "lhs", "samples": 4}, {"low": 0, "high": 1, "dist": "normal"}, "dist"),
        ({"type": "factorial"}, {"low": False, "high": True}, "a values list for bool"),
    ]:
        raw = small(design=design, vary={"sanctions": vary or {"low": False, "high": True}})
        with pytest.raises(UserError, match=fragment):
            parse_experiment(raw)


# --- running --------------------------------------------------------------------------
def test_serial_and_pool_give_identical_results(tmp_path):
    exp = load_experiment(TINY)
    a = run_sweep(exp, tmp_path / "serial", workers=1, progress=False)
    b = run_sweep(exp, tmp_path / "pool", workers=2, progress=False)
    assert a.failed == b.failed == 0 and a.ran == b.ran == 12
    for table in ("runs", "timeseries", "partnerships"):
        pd.testing.assert_frame_equal(
            comparable(tmp_path / "serial", table), comparable(tmp_path / "pool", table)
        )
    runs = comparable(tmp_path / "serial")
    assert runs.run_id.is_unique and set(runs.status) == {"ok"}
    # recorded every 6 months (month 0 is the initial state) plus the last
    ts = pd.read_parquet(tmp_path / "serial" / "timeseries")
    assert sorted(ts.month.unique()) == [0, 6, 12, 18]
    # the recorded parameters are the ones the run used
    row = runs.iloc[-1]
    import json

    full = json.loads(row.params_json)
    assert full["governance"] == row.governance and full["clarity"] == row.clarity
    assert full["n_orgs"] == 30 and row.version


def test_stored_rows_are_the_runs_own_records(tmp_path):
    """A sweep stores each run's own recorded months and partnership histories."""
    exp = load_experiment(TINY)
    run_sweep(exp, tmp_path / "o", workers=1, progress=False)
    task = run_table(exp)[5]
    own = simulate_run(exp, task)
    mine = [("run_id", "==", task["run_id"])]
    ts = pd.read_parquet(tmp_path / "o" / "timeseries", filters=mine).sort_values("month")
    kept = own.timeseries[own.timeseries.month % exp.record_every == 0]
    pd.testing.assert_frame_equal(
        ts.drop(columns=["run_id", "condition", "replicate"]).reset_index(drop=True),
        kept.reset_index(drop=True),
        check_dtype=False,
    )
    ps = pd.read_parquet(tmp_path / "o" / "partnerships", filters=mine).set_index("partnership")
    ev = own.events
    formed = ev[ev.event == "formed"].set_index("partnership").month
    ended = ev[ev.event == "ended"].set_index("partnership")
    # Partnerships formed in the record, and those from the burn-in still at work.
    assert sorted(ps.index[ps.formed >= 1]) == sorted(formed.index) and len(ps) > 0
    assert ps.ended.dtype == "Int64" and ps.ended.isna().equals(ps.censored)
    assert ps.censored.any() and not ps.censored.all()
    done = ps[~ps.censored]
    assert (done.ended == ended.month.loc[done.index]).all()
    assert (done.end_cause == ended.cause.loc[done.index]).all()
    assert ps.end_cause.isna().equals(ps.censored)
    new = ps[ps.formed >= 1]
    assert (new.formed == formed.loc[new.index]).all()
    last = int(own.timeseries.month.iloc[-1])
    assert (ps.lifespan == ps.ended.fillna(last) - ps.formed).all()


def flaky(exp, task):
    """A run function that fails for one replicate: the sweep must record it and go on."""
    if task["replicate"] == 1:
        raise RuntimeError(f"boom in {task['run_id']}")
    return simulate_run(exp, task)


def test_pool_workers_start_with_the_model_imported_and_one_thread():
    """Workers fork from a forkserver that has imported the model, and hold no extra threads.

    Checked in a fresh interpreter: a forkserver lives as long as its parent and keeps the
    imports of the first pool that started it, which in this process may be another test's.
    """
    script = """
import concurrent.futures as cf, os
from simulation.sweep import pool
before = {k: os.environ.get(k) for k in pool.ONE_THREAD}
with cf.ProcessPoolExecutor(1, mp_context=pool.warm_forkserver()) as workers:
    # ``eval`` is a builtin, so unpickling the call imports nothing in the worker.
    preloaded = workers.submit(eval, "[m in __import__('sys').modules for m in "
                                     f"{pool.PRELOAD + ['mesa', 'pandas']}]").result()
    threads = workers.submit(eval, "len(__import__('os').listdir('/proc/self/task'))").result()
print(all(preloaded), threads, {k: os.environ.get(k) for k in pool.ONE_THREAD} == before)
"""
    p = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    # preloaded; one thread; the parent's environment untouched
    assert p.stdout.split() == ["True", "1", "True"]


def test_failed_runs_are_recorded_and_do_not_stop_the_sweep(tmp_path):
    exp = parse_experiment(small())
    s = run_sweep(exp, tmp_path / "o", workers=2, progress=False, run_fn=flaky)
    runs = pd.read_parquet(tmp_path / "o" / "runs")
    assert len(runs) == 6 and s.failed == 2
    bad = runs[runs.status == "failed"]
    assert set(bad.replicate) == {1} and bad.error.str.contains("RuntimeError: boom in").all()
    assert bad.partnerships_formed.isna().all()
    assert (runs[runs.status == "ok"].partnerships_formed >= 0).all()
    ts = pd.read_parquet(tmp_path / "o" / "timeseries")
    assert set(ts.replicate) == {0, 2}


def test_existing_output_needs_resume_and_matching_experiment(tmp_path):
    exp = parse_experiment(small())
    run_sweep(exp, tmp_path / "o", workers=1, progress=False)
    with pytest.raises(UserError, match="--resume"):
        run_sweep(exp, tmp_path / "o", workers=1, progress=False)
    again = run_sweep(exp, tmp_path / "o", workers=1, progress=False, resume=True)
    assert again.ran == 0 and again.skipped == 6  # resuming a finished sweep does nothing
    assert len(pd.read_parquet(tmp_path / "o" / "runs")) == 6
    other = parse_experiment(small(replicates=4))
    with pytest.raises(UserError, match="different experiment"):
        run_sweep(other, tmp_path / "o", workers=1, progress=False, resume=True)


@pytest.mark.slow
def test_resume_after_kill_runs_only_missing_and_matches_uninterrupted(tmp_path):
    exp_file = tmp_path / "kill.toml"
    exp_file.write_text(
        TINY.read_text()
        .replace("replicates = 3", "replicates = 40")
        .replace('name = "tiny"', 'name = "kill"')
    )
    out = tmp_path / "killed"
    cmd = [
        sys.executable,
        "-m",
        "simulation.cli",
        "sweep",
        str(exp_file),
        "--out",
        str(out),
        "--workers",
        "1",
        "--quiet",
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not list((out / "runs").glob("part-*.parquet")):
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = pd.read_parquet(out / "runs")  # readable at once: no partial files
    assert 0 < len(partial) < 160
    done = subprocess.run(cmd + ["--resume"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert f"{160 - len(partial)} run(s) this time, {len(partial)} already present" in done.stdout
    ref = tmp_path / "ref"
    run_sweep(load_experiment(exp_file), ref, workers=2, progress=False)
    for table in ("runs", "timeseries", "partnerships"):
        a, b = comparable(out, table), comparable(ref, table)
        pd.testing.assert_frame_equal(a, b)
    assert comparable(out).run_id.is_unique and len(comparable(out)) == 160
    assert not [p for p in out.rglob(".*")]  # no temporary files left
    again = subprocess.run(cmd + ["--resume"], cwd=ROOT, capture_output=True, text=True)
    assert "0 run(s) this time, 160 already present" in again.stdout


def test_documented_readers_and_csv_export(tmp_path):
    out = tmp_path / "o"
    p = subprocess.run(
        [
            sys.executable,
            "-m",
            "simulation.cli",
            "sweep",
            str(TINY),
            "--out",
            str(out),
            "--workers",
            "1",
            "--csv",
            "--quiet",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert p.returncode == 0, p.stderr
    df = pd.read_parquet(out / "runs")  # pandas one-liner
    db = duckdb.sql(f"SELECT * FROM '{out.as_posix()}/runs/*.parquet'").df()  # DuckDB one-liner
    assert len(df) == len(db) == 12
    assert set(df.run_id) == set(db.run_id)
    csv = pd.read_csv(out / "runs.csv")
    assert list(csv.run_id) == sorted(df.run_id)
    np.testing.assert_allclose(
        csv.set_index("run_id").cross_trust, df.set_index("run_id").loc[csv.run_id].cross_trust
    )
    ts = pd.read_csv(out / "timeseries.csv")
    assert len(ts) == len(pd.read_parquet(out / "timeseries"))


def test_stop_condition_ends_runs_early(tmp_path):
    exp = parse_experiment(small(stop={"when": "total_formed >= 1"}, steps=60))
    run_sweep(exp, tmp_path / "o", workers=1, progress=False)
    runs = pd.read_parquet(tmp_path / "o" / "runs")
    assert (runs.months_run < 60).all() and (runs.partnerships_formed >= 1).all()


# --- report ---------------------------------------------------------------------------
def test_report_writes_figures_and_paired_table(tmp_path):
    exp = load_experiment(TINY)
    run_sweep(exp, tmp_path / "o", workers=2, progress=False)
    p = subprocess.run(
        [sys.executable, "-m", "simulation.cli", "report", str(tmp_path / "o")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert p.returncode == 0, p.stderr
    rep = tmp_path / "o" / "report"
    for name in (
        "timeseries.png",
        "outcomes.png",
        "heatmap.png",
        "survival.png",
        "summary.csv",
        "paired_differences.csv",
    ):
        assert (rep / name).stat().st_size > 1000 or name.endswith(".csv")
    pdiff = pd.read_csv(rep / "paired_differences.csv")
    runs = pd.read_parquet(tmp_path / "o" / "runs").set_index(["condition", "replicate"])
    row = pdiff[(pdiff.condition == 3) & (pdiff.outcome == "cross_trust")].iloc[0]
    d = (runs.loc[3].cross_trust - runs.loc[0].cross_trust).to_numpy()
    assert row.pairs == 3 and row.mean_difference == pytest.approx(d.mean())
    assert row.ci_low <= row.mean_difference <= row.ci_high


@pytest.mark.slow
def test_report_sobol_indices(tmp_path):
    exp = parse_experiment(
        small(
            design={"type": "sobol", "samples": 8},
            replicates=1,
            steps=24,
            vary={"trust_gain": {"low": 0.0, "high": 0.3}, "n_orgs": {"low": 12, "high": 40}},
            fixed={},
        )
    )
    run_sweep(exp, tmp_path / "o", workers=2, progress=False)
    from simulation.sweep.report import write_report

    files = write_report(tmp_path / "o")
    sens = pd.read_csv(tmp_path / "o" / "report" / "sensitivity.csv")
    assert {"S1", "ST"} <= set(sens.columns) and set(sens.parameter) == {"trust_gain", "n_orgs"}
    assert any(f.name == "sensitivity.png" for f in files)


def test_cli_starts_the_pool_before_it_imports_the_model(tmp_path):
    """`collabsim sweep` with a pool starts the forkserver while the model is not yet imported,
    so the forkserver's imports run beside the parent's; `collabsim --help` imports neither."""
    script = f"""
import sys
from simulation.sweep import pool
seen = []
real = pool.warm_forkserver
def spy():
    seen.append(sorted(m for m in ("mesa", "pandas", "simulation.model") if m in sys.modules))
    return real()
pool.warm_forkserver = spy
import simulation.cli
simulation.cli.build_parser()
light = sorted(m for m in ("mesa", "pandas", "scipy", "simulation.model") if m in sys.modules)
code = simulation.cli.main(["sweep", {str(TINY)!r}, "--out", {str(tmp_path / "o")!r},
                            "--workers", "2", "--quiet"])
print(light, seen[0], code)  # seen[0]: the command line's call, before run_sweep's
"""
    p = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip().splitlines()[-1] == "[] [] 0"
    assert len(pd.read_parquet(tmp_path / "o" / "runs")) == len(run_table(load_experiment(TINY)))
