"""`collabsim sensitivity`: the factors come from the parameter table, the Morris and Sobol
stages are real sweeps whose indices are computed on the right columns, seed noise is
measured, interrupted stages resume without rerunning, and bad options cost one line."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulation import cli
from simulation.params import PARAMS, Param
from simulation.sweep import indices
from simulation.sweep.store import read_runs
from simulation.validation import ranges
from simulation.validation import sensitivity as gsa

ROOT = Path(__file__).resolve().parents[1]
EXE = [sys.executable, "-m", "simulation.cli"]

#: A tiny model where the answer is known: shocks are off, so shock_size cannot matter,
#: and challenges (the source of every partnership) arrive at challenge_rate.
FACTORS = ("challenge_rate", "shock_size", "trust_gain")
HELD = {"n_orgs": 50, "shock_rate": 0.0, "burn_in": 0}  # no burn-in: quick tests
TINY = gsa.Settings(
    trajectories=8, replicates=2, steps=48, seed=11, top=3, sobol_n=8, factors=FACTORS, fixed=HELD
)


# --- which factors, over which ranges ----------------------------------------------------
def test_factors_are_read_from_the_parameter_table(monkeypatch):
    expected = [
        p.name
        for p in PARAMS.values()
        if p.kind in (int, float, bool)
        and p.name not in ("n_orgs", "burn_in")
        and not p.name.startswith("share_")
    ]
    assert ranges.screened() == expected
    assert {"n_orgs", "share_public", "burn_in", "formation_mode"}.isdisjoint(expected)
    assert [r.name for r in gsa.factor_ranges(gsa.Settings())] == expected  # the default: all
    # A parameter added to the table is screened at once; one of the make-up is not.
    monkeypatch.setitem(PARAMS, "new_constant", Param("new_constant", float, 0.1, "x", "k", 0, 1))
    monkeypatch.setitem(
        PARAMS, "share_new", Param("share_new", float, 0.1, "x", "population", 0, 1)
    )
    assert ranges.screened() == expected + ["new_constant"]
    assert ranges.screened(groups=("k",)) == ["new_constant"] == ranges.expand(["k"])
    r = ranges.screening_range("new_constant")
    assert (r.low, r.high, r.basis) == (0.05, 0.15, "rule")
    # Held parameters are not factors.
    held = gsa.Settings(fixed={"clarity": 0.5})
    assert "clarity" not in [r.name for r in gsa.factor_ranges(held)]


def test_screening_ranges_follow_the_table_or_the_rule():
    for name, (low, high, why) in ranges.SCREENING.items():
        p = PARAMS[name]
        assert p.low <= low < high <= p.high and why
        assert ranges.screening_range(name).basis == why
    rule = ranges.rule_range
    assert rule(Param("a", float, 0.0, "", "g", 0, 2)) == (0.0, 0.5)  # bottom quarter
    assert rule(Param("b", float, 0.8, "", "g", 0, 1)) == (0.4, 1.0)  # clipped
    assert rule(Param("c", int, 3, "", "g", 1, 20)) == (2, 4)  # rounded inwards
    assert rule(Param("d", int, 1, "", "g", 1, 5)) == (1, 2)  # widened to two values
    assert rule(Param("e", bool, True, "", "g")) == (False, True)
    assert ranges.screening_range("clarity").spec() == {"low": 0.1, "high": 0.9}


# --- the Morris stage ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def morris_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("gsa")
    result = gsa.run_morris(TINY, out, workers=2, progress=False, command="test")
    return out, result


def test_morris_stage_is_a_sweep_with_the_recorded_seeds(morris_out):
    out, result = morris_out
    runs = read_runs(out / "morris")
    k = len(FACTORS)
    assert len(runs) == TINY.trajectories * (k + 1) * TINY.replicates == result.summary.total
    assert runs.run_id.is_unique and (runs.status == "ok").all()
    assert (runs.seed == TINY.seed + runs.replicate).all()  # common random numbers
    meta = json.loads((out / "morris" / "sweep.json").read_text())
    assert meta["design"] == "morris" and meta["factors"] == list(FACTORS)
    prov = json.loads((out / "morris.json").read_text())
    assert prov["seeds"]["run_seeds"] == [11, 12] and prov["seeds"]["design_seed"] == 11
    assert [f["parameter"] for f in prov["factors"]] == list(FACTORS)
    assert prov["versions"]["SALib"] and prov["held"]["n_orgs"] == HELD["n_orgs"]
    for o in TINY.outcomes:
        assert (out / f"morris_{o}.png").stat().st_size > 10_000
    assert "challenge_rate" in (out / "morris.md").read_text()


def test_morris_indices_are_on_the_right_columns(morris_out):
    out, result = morris_out
    t = pd.read_csv(out / "morris.csv")
    assert set(t.outcome) == set(TINY.outcomes) and set(t.parameter) == set(FACTORS)
    # A factor that cannot matter has mu* 0 and no seed noise in its effects.
    dead = t[t.parameter == "shock_size"]
    assert (dead.mu_star == 0).all() and (dead.ee_se == 0).all() and not dead.above_noise.any()
    pf = t[t.outcome == "partnerships_formed"].set_index("parameter")
    assert pf.loc["challenge_rate", "rank"] == 1 and pf.loc["challenge_rate", "above_noise"]
    assert pf.loc["challenge_rate", "mu_star"] > pf.loc["challenge_rate", "noise_floor"] > 0
    assert result.chosen[-1] == "shock_size" and gsa.choose_top(result.table, 2) == [
        "challenge_rate",
        "trust_gain",
    ]
    # mu* recomputed from the stored runs: consecutive points of a trajectory that differ in
    # challenge_rate, replicate means, divided by the step as a share of the range.
    runs = read_runs(out / "morris")
    means = runs.groupby("condition")[["partnerships_formed", "challenge_rate"]].mean()
    r = ranges.screening_range("challenge_rate")
    effects = []
    for c in range(len(means) - 1):
        if c // (len(FACTORS) + 1) != (c + 1) // (len(FACTORS) + 1):
            continue  # the next trajectory
        step = means.challenge_rate[c + 1] - means.challenge_rate[c]
        if abs(step) > 1e-9:
            dy = means.partnerships_formed[c + 1] - means.partnerships_formed[c]
            effects.append(dy / (step / (r.high - r.low)))
    assert len(effects) == TINY.trajectories
    assert pf.loc["challenge_rate", "mu_star"] == pytest.approx(np.mean(np.abs(effects)))
    # Seed noise in the outcome's units: the mean within-point SD over the replicates.
    sd = runs.groupby("condition").partnerships_formed.std(ddof=1).mean()
    assert pf.noise_sd.iloc[0] == pytest.approx(sd)
    # The sweep's own report reads the same indices.
    from simulation.sweep.report import write_report

    write_report(out / "morris", out / "report")
    rep = pd.read_csv(out / "report" / "sensitivity.csv")
    same = rep[(rep.outcome == "partnerships_formed") & (rep.parameter == "challenge_rate")]
    assert same.mu_star.iloc[0] == pytest.approx(pf.loc["challenge_rate", "mu_star"])


def test_lifespan_is_screened_from_each_runs_partnerships_and_the_runs_are_kept(morris_out):
    from simulation.stats import survival

    out, result = morris_out
    kept = pd.read_parquet(out / "morris_runs.parquet")
    runs = read_runs(out / "morris")
    assert len(kept) == len(runs) and list(kept.columns[:5]) == list(gsa.RUN_KEYS)
    assert set(FACTORS) | set(TINY.outcomes) <= set(kept.columns)
    assert "params_json" not in kept.columns  # the compact file, not the whole runs table
    # One run's median, by hand: Kaplan-Meier over the partnerships formed from month 0,
    # the first month where the survival curve is at or below one half.
    p = pd.read_parquet(out / "morris" / "partnerships")
    row = kept.iloc[7]
    mine = p[(p.run_id == row.run_id) & (p.formed >= 0)]
    assert len(mine) > 5 and mine.censored.any() and not mine.censored.all()
    curve = survival(mine.lifespan.to_numpy(float), mine.censored.to_numpy(bool))
    assert row.median_lifespan == curve.time[np.flatnonzero(curve.surv <= 0.5)[0]]
    assert kept.median_lifespan.notna().mean() > 0.9
    t = pd.read_csv(out / "morris.csv")
    assert "median_lifespan" in set(t.outcome)
    # Partnerships come from challenges: their rate moves lifespans; shocks (off) cannot.
    life = t[t.outcome == "median_lifespan"].set_index("parameter")
    assert life.loc["shock_size", "mu_star"] == 0 < life.loc["challenge_rate", "mu_star"]


def test_undefined_outcomes_drop_only_their_own_trajectory(morris_out):
    out, _ = morris_out
    exp = gsa.morris_experiment(TINY)
    runs = read_runs(out / "morris")
    size = len(FACTORS) + 1

    def used(runs):
        got = indices.morris(exp, runs, ["success_share", "cross_trust"])
        return got.table.groupby("outcome").trajectories_used.first(), got.notes

    # In 24 months some runs end no partnership, so success_share is undefined there.
    before, _ = used(runs)
    assert before["cross_trust"] == TINY.trajectories
    y = indices.replicate_matrix(runs, size * TINY.trajectories, 2, "success_share")
    whole = np.isfinite(indices.point_means(y).reshape(-1, size)).all(axis=1)
    t = int(np.flatnonzero(whole)[0])
    # One replicate undefined: the point keeps the other. Both: its trajectory goes.
    runs.loc[(runs.condition == t * size) & (runs.replicate == 0), "success_share"] = np.nan
    assert used(runs)[0]["success_share"] == before["success_share"]
    runs.loc[runs.condition == t * size + 1, "success_share"] = np.nan
    after, notes = used(runs)
    assert after["success_share"] == before["success_share"] - 1
    assert after["cross_trust"] == TINY.trajectories  # other outcomes keep every trajectory
    assert any(
        f"{TINY.trajectories - after['success_share']} of 8 trajectories" in n for n in notes
    )


def test_mu_sigma_labels_never_overlap():
    # 35 factors crowded near the origin: the names still stand apart.
    rng = np.random.default_rng(0)
    names = [f"factor_with_a_long_name_{i}" for i in range(35)]
    table = pd.DataFrame(
        {
            "outcome": "o",
            "parameter": names,
            "mu": 0.0,
            "mu_star": rng.exponential(0.01, 35),
            "mu_star_conf": 0.001,
            "sigma": rng.exponential(0.01, 35),
            "ee_se": 0.002,
            "noise_floor": 0.0016,
            "noise_sd": 0.1,
            "trajectories_used": 20,
        }
    )
    rs = [ranges.Range(n, float, 0.5, 0.0, 1.0, "rule") for n in names]
    from simulation.validation.sensitivity_report import LABELLED, morris_plot

    fig = morris_plot(gsa.rank_morris(table, rs), "o")
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    labels = [t for t in ax.texts if t.get_text().split(". ")[-1] in names]
    assert len(labels) == LABELLED
    from matplotlib.text import Text

    # The text alone (an annotation's own extent includes its leader line).
    boxes = [Text.get_window_extent(t, renderer) for t in labels]
    for i, a in enumerate(boxes):
        assert not a.overlaps(ax.get_window_extent(renderer)), labels[i].get_text()
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b)


# --- the Sobol stage ---------------------------------------------------------------------
def test_sobol_stage_on_the_chosen_factors(morris_out):
    out, morris = morris_out
    chosen, _ = gsa.morris_choice(TINY, out)  # as --stage sobol reads it back
    assert chosen == morris.chosen == ["challenge_rate", "trust_gain", "shock_size"]
    result = gsa.run_sobol(TINY, out, chosen, workers=2, progress=False, command="test")
    runs = read_runs(out / "sobol")
    assert len(runs) == TINY.sobol_n * (len(chosen) + 2) * TINY.replicates
    assert (runs.seed == TINY.seed + runs.replicate).all()
    t = pd.read_csv(out / "sobol.csv")
    assert {"S1", "S1_conf", "ST", "ST_conf"} <= set(t.columns)
    assert set(t.parameter) == set(chosen)
    for o in TINY.outcomes:  # analysed, or said why not (success_share is often undefined)
        assert o in set(t.outcome) or any(n.startswith(f"sobol {o}: ") for n in result.notes)
    assert "partnerships_formed" in set(t.outcome)
    dead = t[t.parameter == "shock_size"]
    assert np.allclose(dead[["S1", "ST", "S1_conf", "ST_conf"]], 0, atol=1e-12)
    pf = t[t.outcome == "partnerships_formed"].set_index("parameter")
    assert pf.loc["challenge_rate", "ST"] > 0.5 > pf.loc["trust_gain", "ST"]
    # N = 8 is far too small: one readable line says so, and what N would do.
    assert len(result.warnings) == 1 and "--sobol-n" in result.warnings[0]
    assert (out / "sobol.png").stat().st_size > 10_000
    assert json.loads((out / "sobol.json").read_text())["stage"] == "sobol"


def test_sample_size_note_says_what_n_would_do():
    t = pd.DataFrame(
        {"outcome": ["o", "o"], "parameter": ["a", "b"], "S1": [0.4, 0.01], "ST": [0.5, 0.02]}
    )
    t["S1_conf"], t["ST_conf"] = [0.4, 0.5], [0.1, 0.5]
    note = gsa.sample_size_note(t, 256, 8)
    assert "--sobol-n 1024" in note and "S1 of a on o" in note  # (0.4 / 0.2)^2 = 4
    t["S1_conf"] = 0.1
    assert gsa.sample_size_note(t, 256, 8) is None  # b is below 0.05: not material


def test_salib_warnings_become_readable_lines():
    from SALib.analyze import sobol

    problem = {"num_vars": 2, "names": ["a", "b"], "bounds": [[0, 1]] * 2}
    y = np.zeros(8 * 4)
    y[1] = 1.0  # only a cross sample differs: the A and B samples are constant
    notes: list[str] = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning that escapes fails the test
        indices._salib(
            sobol.analyze,
            problem,
            y,
            calc_second_order=False,
            seed=np.random.default_rng(1),
            what="sobol x",
            notes=notes,
        )
    assert notes and all(n.startswith("sobol x: ") and "\n" not in n for n in notes)


# --- the command line ----------------------------------------------------------------------
SMALL = [
    "--steps",
    "36",
    "--set",
    "n_orgs=30",
    "--set",
    "shock_rate=0",
    "--set",
    "burn_in=0",
    "--factors",
    ",".join(FACTORS),
    "--replicates",
    "4",
    "--trajectories",
    "10",
    "--workers",
    "1",
    "--quiet",
]


def test_an_interrupted_stage_resumes_without_rerunning(tmp_path):
    out = tmp_path / "s"
    args = [*EXE, "sensitivity", "--stage", "morris", *SMALL, "--out", str(out)]
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300
    while not list((out / "morris" / "runs").glob("part-*.parquet")):
        assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read()
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert b"resume with: collabsim sensitivity" in err and b"--resume" in err
    first = read_runs(out / "morris")
    total = 10 * (len(FACTORS) + 1) * 4  # the first part is written after 100 runs
    assert 0 < len(first) < total and not (out / "morris.csv").exists()
    r = subprocess.run([*args, "--resume"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert f"{total - len(first)} run(s) this time, {len(first)} already present" in r.stdout
    assert f"{len(first):,} already done" in r.stdout  # the plan counted them too
    runs = read_runs(out / "morris")
    assert len(runs) == total and runs.run_id.is_unique
    kept = runs.set_index("run_id").loc[first.run_id, "duration_s"]
    assert np.array_equal(kept.to_numpy(), first.duration_s.to_numpy())  # not run again
    assert (out / "morris.csv").exists()


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["--trajectories", "1"], "--trajectories: trajectories = '1'"),
        (["--replicates", "0"], "--replicates: replicates = '0'"),
        (["--steps", "x"], "--steps: steps = 'x'"),
        (["--seed", "-1"], "--seed: seed = '-1'"),
        (["--top", "0"], "--top: top = '0'"),
        (["--sobol-n", "100"], "--sobol-n 100 is not allowed; allowed: a power of 2"),
        (["--stage", "all"], "--stage: stage = 'all'"),
        (["--workers", "0"], "--workers: workers = '0'"),
        (["--dask", "::x"], "--dask '::x' is not allowed"),
        (["--factors", "charisma"], "charisma"),
        (["--factors", "n_orgs"], "the population's size and make-up are not screened"),
        (["--factors", "sharing_rule"], "named choices are held at their defaults"),
        (["--set", "clarity=3"], "clarity = '3' is not allowed"),
        (["--set", "n_orgs=30", "--set", "network_degree=40"], "network_degree = 40"),
        (["--stage", "sobol"], "cannot run the sobol stage without the morris stage"),
    ],
)
def test_bad_options_are_one_line_and_exit_2(tmp_path, capsys, args, fragment):
    out = tmp_path / "o"
    try:
        code = cli.main(["sensitivity", *args, "--out", str(out)])
    except SystemExit as exc:
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2 and fragment in err, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not out.exists() or not any(out.iterdir())


def test_existing_results_need_resume_and_a_file_is_no_out(tmp_path, capsys):
    (tmp_path / "o" / "morris").mkdir(parents=True)
    (tmp_path / "o" / "morris" / "x").write_text("")
    (tmp_path / "f").write_text("")
    for out, fragment in ((tmp_path / "o", "use --resume"), (tmp_path / "f", "not a directory")):
        code = cli.main(["sensitivity", "--out", str(out)])
        err = capsys.readouterr().err
        assert code == 2 and fragment in err and len(err.strip().splitlines()) == 1


def test_dry_run_counts_the_runs_and_writes_nothing(tmp_path, capsys):
    code = cli.main(
        ["sensitivity", *SMALL, "--top", "2", "--dry-run", "--out", str(tmp_path / "d")]
    )
    text = capsys.readouterr().out
    assert code == 0 and not (tmp_path / "d").exists()
    assert f"= {10 * 4 * 4:,} runs" in text and f"= {256 * 4 * 4:,} runs" in text
    assert "one run of the base configuration took" in text


def test_one_replicate_gives_indices_but_no_noise_estimate(morris_out):
    out, _ = morris_out
    one = gsa.Settings(**{**TINY.__dict__, "replicates": 1})
    runs = read_runs(out / "morris")
    runs = runs[runs.replicate == 0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no raw numpy warning on the way
        got = indices.morris(gsa.morris_experiment(one), runs, ["partnerships_formed"])
    assert got.table.ee_se.isna().all() and (got.table.mu_star >= 0).all()
    assert any("seed noise cannot be estimated" in n for n in got.notes)
