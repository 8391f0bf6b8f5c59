"""`collabsim calibrate`: targets files, the distance, the measures, and ABC-SMC end to end."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulation import cli
from simulation.params import PARAMS
from simulation.run import simulate
from simulation.validation import measures as M
from simulation.validation.calibrate import OUTPUT_FILES, calibrate
from simulation.validation.patterns import run_stats
from simulation.validation.targets import (
    NAN_DISTANCE,
    Target,
    distance,
    load_targets,
    parse_targets,
)

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TARGETS = ROOT / "experiments" / "calibration" / "targets.toml"


def main(args, capsys, monkeypatch, cwd: Path):
    """``collabsim ARGS`` in this process: (exit status, stdout, stderr)."""
    monkeypatch.chdir(cwd)
    try:
        code = cli.main([str(a) for a in args])
    except SystemExit as exc:  # argparse usage errors
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


GOOD = """
name = "t"
[settings]
population = 10
[parameters]
synergy_gain = [0.2, 2.0]
[targets.failure_share]
interval = [0.4, 0.65]
source = "Harrigan 1988"
"""


def edit(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new)


# --- targets files ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "content,fragments",
    [
        ("colour = 'red'\n" + GOOD, ["colour = 'red'", "allowed: keys name, description"]),
        (
            edit(GOOD, "[targets.failure_share]", "[targets.failure_rate]"),
            ["targets.failure_rate = 'failure_rate'", "a measure: failure_share"],
        ),
        (
            edit(GOOD, "population = 10", 'population = "ten"'),
            ["settings.population = 'ten'", "an integer from 2 to"],
        ),
        (edit(GOOD, "population = 10", "population = 1.5"), ["settings.population = 1.5"]),
        (edit(GOOD, "population = 10", "populaton = 10"), ["settings.populaton = 10", "keys"]),
        (
            edit(GOOD, "interval = [0.4, 0.65]", "interval = [0.5, 0.5]"),
            ["targets.failure_share.interval = [0.5, 0.5]", "low < high (the range is empty)"],
        ),
        (
            edit(GOOD, "interval = [0.4, 0.65]", "interval = [0.4]"),
            ["targets.failure_share.interval = [0.4]", "a list of two finite numbers"],
        ),
        (
            edit(GOOD, "interval = [0.4, 0.65]", "interval = [0.4, 0.65]\nvalue = 0.9"),
            ["targets.failure_share.value = 0.9", "inside the interval [0.4, 0.65]"],
        ),
        (
            edit(GOOD, 'source = "Harrigan 1988"', 'source = ""'),
            ["targets.failure_share.source = ''", "the citation"],
        ),
        (
            edit(GOOD, 'source = "Harrigan 1988"', 'source = "H"\nweight = 2'),
            ["targets.failure_share.weight = 2", "keys interval, value, source"],
        ),
        (
            edit(GOOD, "synergy_gain = [0.2, 2.0]", "synergy_gain = [0.2, 9.0]"),
            ["parameters.synergy_gain.range = [0.2, 9.0]", "inside synergy_gain's own"],
        ),
        (
            edit(GOOD, "synergy_gain = [0.2, 2.0]", "synergy_gain = [2.0, 0.2]"),
            ["parameters.synergy_gain.range = [2.0, 0.2]", "low < high"],
        ),
        (
            edit(GOOD, "synergy_gain = [0.2, 2.0]", "n_orgs = [10, 50]"),
            ["parameters.n_orgs = 'n_orgs'", "(a float)"],
        ),
        (
            edit(GOOD, "synergy_gain = [0.2, 2.0]", "synergy_gian = [0.2, 2.0]"),
            ["parameters.synergy_gian = 'synergy_gian'", "a parameter name"],
        ),
        (
            edit(
                GOOD,
                "synergy_gain = [0.2, 2.0]",
                'synergy_gain = {range = [0.2, 2], dist = "beta"}',
            ),
            ["parameters.synergy_gain.dist = 'beta'", "uniform, loguniform"],
        ),
        (
            GOOD + "[fixed]\nsynergy_gain = 1.0\n",
            ["parameters.synergy_gain", "not also under [fixed]"],
        ),
        (GOOD + "[fixed]\nclarity = 7\n", ["fixed.clarity = 7", "a number from 0 to 1"]),
        (
            edit(GOOD, "[targets.failure_share]", "[other]"),
            ["other", "allowed: keys"],
        ),
        ("name = 't'\n[parameters]\nsynergy_gain = [0.2, 2.0]\n", ["targets = None"]),
        ("name = 't'\n[targets.failure_share]\ninterval=[0,1]\nsource='x'\n", ["parameters"]),
        ("name = [1\n", ["not valid TOML"]),
    ],
)
def test_bad_targets_files_are_refused_in_one_line(
    tmp_path, capsys, monkeypatch, content, fragments
):
    f = tmp_path / "bad.toml"
    f.write_text(content)
    code, out, err = main(["calibrate", f, "--out", tmp_path / "o"], capsys, monkeypatch, tmp_path)
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert err.startswith(f"collabsim: error: {f}: "), err
    for frag in fragments:
        assert frag in err, err
    assert not (tmp_path / "o").exists() and out == ""


@pytest.mark.parametrize(
    "args,fragment",
    [
        (["--population", "1"], "--population: population = '1' is not allowed"),
        (["--generations", "two"], "--generations: generations = 'two'"),
        (["--replicates", "0"], "--replicates: replicates = '0'"),
        (["--seed", "-1"], "--seed: seed = '-1'"),
        (["--steps", "1.5"], "--steps: steps = '1.5'"),
        (["--workers", "0"], "--workers: workers = '0'"),
        (["--out", "/proc/calibration"], "cannot be written"),
        (["missing.toml"], "targets file missing.toml not found"),
    ],
)
def test_bad_options_are_refused_before_any_run(tmp_path, capsys, monkeypatch, args, fragment):
    f = tmp_path / "good.toml"
    f.write_text(GOOD)
    if not args[0].endswith(".toml"):
        args = [f, *args]
    if "--out" not in args:
        args = [*args, "--out", tmp_path / "o"]
    code, out, err = main(["calibrate", *args], capsys, monkeypatch, tmp_path)
    assert code == 2 and fragment in err and "Traceback" not in err, err
    assert len(err.strip().splitlines()) == 1 and out == ""
    assert not (tmp_path / "o").exists()


def test_the_default_targets_file_holds_the_literature_table():
    t = load_targets(DEFAULT_TARGETS)
    got = {x.measure: (x.low, x.high) for x in t.targets}
    assert got == {
        "failure_share": (0.40, 0.65),
        "governance_gain": (0.05, 0.25),
        "success_share": (0.35, 0.60),
        "contact_myth_r": (-0.35, -0.10),
        "median_lifespan": (36, 120),
    }
    assert all(x.source for x in t.targets)
    # The free parameters are the constants the shipped Morris screen ranks highest (top 20
    # of 146 by overall score), over their screening ranges, and myth_erosion for the
    # contact target, at most myth_confirmation (good contact never weighs more than bad).
    names = [p.name for p in t.priors]
    assert names == [
        "misunderstanding_waste",
        "expected_understanding",
        "base_understanding",
        "accept_trust",
        "w_clarity",
        "myth_erosion",
    ]
    # The ranges are those the screen used (morris.json), around the hand-set defaults the
    # calibration started from; the defaults have since moved to the posterior medians.
    morris = pd.read_csv(ROOT / "results" / "sensitivity" / "morris.csv")
    rank = morris.drop_duplicates("parameter").set_index("parameter").overall_rank
    screened = {
        f["parameter"]: f
        for f in json.loads((ROOT / "results" / "sensitivity" / "morris.json").read_text())[
            "factors"
        ]
    }
    for p in t.priors[:5]:
        assert rank[p.name] <= 20, p.name
        r = screened[p.name]
        assert (p.low, p.high) == pytest.approx((r["low"], r["high"])), p.name
    erosion = t.priors[5]
    assert erosion.high <= PARAMS["myth_confirmation"].default
    assert "[targets.failure_share]" in t.text  # kept whole for provenance


# --- the distance ----------------------------------------------------------------------------
def test_distance_is_zero_inside_every_interval_and_grows_outside():
    ts = (Target("a", 0.4, 0.6, "s"), Target("b", 10.0, 20.0, "s"))
    assert distance({"a": 0.4, "b": 20.0}, ts) == 0.0
    assert distance({"a": 0.5, "b": 15.0}, ts) == 0.0
    # Outside by half a width below a, and by two widths above b: 0.5 + 2.
    assert distance({"a": 0.3, "b": 15.0}, ts) == pytest.approx(0.5)
    assert distance({"a": 0.5, "b": 40.0}, ts) == pytest.approx(2.0)
    assert distance({"a": 0.3, "b": 40.0}, ts) == pytest.approx(2.5)
    d = [distance({"a": x, "b": 15.0}, ts) for x in (0.6, 0.7, 0.8, 0.9)]
    assert d == pytest.approx([0, 0.5, 1.0, 1.5])  # linear in interval widths
    assert distance({"a": float("nan"), "b": 15.0}, ts) == NAN_DISTANCE


# --- measures --------------------------------------------------------------------------------
SMALL = {"n_orgs": 40, "burn_in": 60}  # a short burn-in keeps these tests quick
SEEDS = [3, 4, 5]
STEPS = 48


def test_shares_are_the_replicate_means_of_the_run_headlines():
    got = M.evaluate(["failure_share", "success_share", "formation_rate"], SMALL, SEEDS, STEPS)
    runs = [simulate(seed=s, steps=STEPS, params=SMALL) for s in SEEDS]
    fail = np.nanmean([r.outcomes["failure_share"] for r in runs])
    succ = np.nanmean([r.outcomes["success_share"] for r in runs])
    assert got["failure_share"] == pytest.approx(fail)
    assert got["success_share"] == pytest.approx(succ)
    assert got["failure_share"] + got["success_share"] == pytest.approx(1.0)
    rate = np.mean([r.outcomes["partnerships_formed"] / STEPS for r in runs])
    assert got["formation_rate"] == pytest.approx(rate) and rate > 0


def test_governance_gain_is_the_paired_difference_of_two_simulate_calls():
    got = M.evaluate(["governance_gain"], SMALL, SEEDS, STEPS)["governance_gain"]
    diffs = [
        simulate(seed=s, steps=STEPS, params={**SMALL, "governance": "six_principles"}).outcomes[
            "success_share"
        ]
        - simulate(seed=s, steps=STEPS, params=SMALL).outcomes["success_share"]
        for s in SEEDS
    ]
    assert got == pytest.approx(np.nanmean(diffs))
    assert got != 0  # the arm really ran under another preset


def _km_median_by_hand(duration, censored) -> float:
    """Product-limit estimate, written out: S drops at each event time by (1 - d / at risk)."""
    s = 1.0
    for t in np.unique(duration[~censored]):
        at_risk = np.sum(duration >= t)
        deaths = np.sum((duration == t) & ~censored)
        s *= 1 - deaths / at_risk
        if s <= 0.5:
            return float(t)
    return float(duration.max())


def test_median_lifespan_matches_the_event_log_by_hand():
    runs = [simulate(seed=s, steps=STEPS, params=SMALL) for s in SEEDS]
    durations, censored = [], []
    for r in runs:
        ev = r.events
        start = ev[ev.event == "formed"].set_index("partnership").month
        end = ev[ev.event == "ended"].set_index("partnership").month
        d = end.reindex(start.index).fillna(STEPS) - start
        durations.append(d.to_numpy(float))
        censored.append(~start.index.isin(end.index))
        # The event log agrees with the partnership table (those formed in the record).
        ps = r.partnerships[r.partnerships.formed >= 1]
        assert sorted(d) == sorted(ps.lifespan)
    d, c = np.concatenate(durations), np.concatenate(censored)
    assert c.any() and (~c).any()  # both kinds present, so censoring matters
    got = M.evaluate(["median_lifespan"], SMALL, SEEDS, STEPS)["median_lifespan"]
    assert got == _km_median_by_hand(d, c)
    # Ignoring censoring would give another answer: the measure does handle it.
    assert got != float(np.median(d))


def test_km_median_edge_cases():
    assert math.isnan(M.km_median(np.array([]), np.array([], bool)))
    assert M.km_median(np.array([5.0, 7.0]), np.array([True, True])) == 7.0  # a lower bound
    assert M.km_median(np.array([1.0, 2.0, 3.0, 4.0]), np.zeros(4, bool)) == 2.0


def test_contact_myth_r_is_the_validators_statistic():
    got = M.evaluate(["contact_myth_r"], {}, [3], 60)["contact_myth_r"]
    assert got == pytest.approx(run_stats((3, 60, 0, {})).contact_r) and got < 0


def test_each_arm_runs_once_per_seed_for_all_the_measures_that_need_it():
    names = ["failure_share", "governance_gain", "median_lifespan"]
    jobs = M.plan(names, SMALL, SEEDS, STEPS)
    assert [(arm, job[2]) for arm, job in jobs] == [("base", s) for s in SEEDS] + [
        ("six_principles", s) for s in SEEDS
    ]
    assert all(job[3]["governance"] == "six_principles" for arm, job in jobs if arm != "base")
    assert jobs[0][1][4] == tuple(names) and jobs[-1][1][4] == ("governance_gain",)


def test_an_arm_means_one_set_of_overrides():
    clash = M.Measure("x", "x", M.formations_per_month, lambda p: 0.0, {"six_principles": {}})
    with pytest.raises(ValueError, match="arm 'six_principles' is already"):
        M.register(clash)
    assert "x" not in M.MEASURES


# --- end to end ------------------------------------------------------------------------------
def tiny_file(tmp_path: Path) -> Path:
    """The shipped targets and priors on a small model: 30 organisations."""
    text = edit(DEFAULT_TARGETS.read_text(), "[fixed]\n", "[fixed]\nn_orgs = 30\nburn_in = 12\n")
    text = edit(text, "check_replicates = 10", "check_replicates = 2")
    f = tmp_path / "tiny.toml"
    f.write_text(text)
    return f


TINY = ["--population", "10", "--generations", "2", "--replicates", "1", "--steps", "24"]


def test_a_tiny_calibration_writes_every_file_and_is_reproducible(tmp_path, capsys, monkeypatch):
    f = tiny_file(tmp_path)
    outs = {}
    for label, extra in (
        ("a", []),
        ("other_seed", ["--seed", "2"]),
        ("two", ["--workers", "2"]),
    ):
        out = tmp_path / label
        code, stdout, err = main(
            ["calibrate", f, "--out", out, *TINY, "--workers", "1", *extra],
            capsys,
            monkeypatch,
            tmp_path,
        )
        assert code == 0, err
        outs[label] = out
        if label == "a":
            assert "= 20 runs" in stdout and "one run took" in stdout  # the plan, before
            assert "generation 1: epsilon" in err
            assert "written to" in stdout and "| `accept_trust` |" in stdout  # the summary
    a = outs["a"]
    assert sorted(p.name for p in a.iterdir()) == sorted(OUTPUT_FILES)  # no temporaries left
    post = pd.read_csv(a / "posterior.csv")
    t = load_targets(f)
    assert len(post) == 10 and post.weight.sum() == pytest.approx(1.0)
    for p in t.priors:
        assert post[p.name].between(p.low, p.high).all()
    assert (post.distance >= 0).all() and post.seeds.notna().all()
    meta = json.loads((a / "calibrate.json").read_text())
    assert meta["targets_toml"] == f.read_text() and meta["settings"]["population"] == 10
    assert meta["sampler"].endswith("SingleCoreSampler") and meta["provenance"]["versions"]["pyabc"]
    assert [g["generation"] for g in meta["generations"]] == [0, 1]
    assert math.isinf(meta["generations"][0]["epsilon"])
    md = (a / "posterior.md").read_text()
    assert "| `myth_erosion` | uniform [0.005, 0.06]" in md and "Bleeke & Ernst 1995" in md
    assert (a / "diagnostics.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (a / "history.db").read_bytes()[:16] == b"SQLite format 3\x00"
    # Same seed, same posterior (both runs use the SingleCoreSampler; the second runs the
    # particles' runs in two processes, which must not matter); another seed, another.
    assert (outs["two"] / "posterior.csv").read_bytes() == (a / "posterior.csv").read_bytes()
    assert (outs["other_seed"] / "posterior.csv").read_bytes() != (a / "posterior.csv").read_bytes()


def test_the_last_generation_meets_its_threshold(tmp_path):
    t = load_targets(tiny_file(tmp_path)).with_settings(
        {"population": "10", "generations": "3", "replicates": "1", "steps": "24"}
    )
    np.random.seed(99)  # noqa: NPY002 (pyabc draws from the legacy global state)
    before = np.random.get_state()[1].copy()  # noqa: NPY002
    c = calibrate(t, tmp_path / "o")
    # The caller's global random state is as it was (the calibration seeds its own).
    assert (np.random.get_state()[1] == before).all()  # noqa: NPY002
    eps = c.generations[-1]["epsilon"]
    assert all(p["distance"] <= eps for p in c.particles)
    assert [g["epsilon"] for g in c.generations] == sorted(
        (g["epsilon"] for g in c.generations), reverse=True
    )  # the median schedule never rises


def test_an_interrupted_calibration_resumes_to_the_same_posterior(tmp_path, capsys, monkeypatch):
    from simulation.errors import UserError
    from simulation.validation.calibrate import PARTIAL_DB, PARTIAL_STATE, check_resume

    t = load_targets(tiny_file(tmp_path)).with_settings(
        {"population": "8", "generations": "3", "replicates": "1", "steps": "24"}
    )
    whole = calibrate(t, tmp_path / "whole")

    def stop_after_generation_1(line: str) -> None:
        if line.startswith("generation 1:"):
            raise KeyboardInterrupt

    part = tmp_path / "part"
    with pytest.raises(KeyboardInterrupt):
        calibrate(t, part, say=stop_after_generation_1)
    assert sorted(p.name for p in part.iterdir()) == sorted([PARTIAL_DB, PARTIAL_STATE])
    state = json.loads((part / PARTIAL_STATE).read_text())
    assert state["generation"] == 1 and state["runs"] > 0 and state["stopped"] is None
    # Starting afresh over it is refused; so is resuming with other settings.
    with pytest.raises(UserError, match="holds an interrupted calibration"):
        calibrate(t, part)
    other = t.with_settings({"population": "9"})
    with pytest.raises(UserError, match="made from other targets"):
        calibrate(other, part, resume=True)
    said: list[str] = []
    resumed = calibrate(t, part, resume=True, say=said.append)
    assert said[0].startswith("resuming after generation 1")
    gens = [s for s in said if s.startswith("generation")]
    assert len(gens) == 1 and gens[0].startswith("generation 2: ")
    assert sorted(p.name for p in part.iterdir()) == sorted(OUTPUT_FILES)
    # The same posterior, particle for particle, and the same runs counted.
    assert (part / "posterior.csv").read_bytes() == (
        tmp_path / "whole" / "posterior.csv"
    ).read_bytes()
    assert resumed.runs == whole.runs
    # A state left without its history (a stop while the final files were written) belongs
    # to a finished calibration: neither resumable nor in the way of a fresh one.
    (part / PARTIAL_STATE).write_text(json.dumps(state))
    assert check_resume(t, part, resume=False) is None
    with pytest.raises(UserError, match="holds no interrupted calibration"):
        check_resume(t, part, resume=True)
    assert [g["epsilon"] for g in resumed.generations] == [g["epsilon"] for g in whole.generations]
    # Nothing to resume: one line, exit 2, before any run.
    code, _, err = main(
        ["calibrate", tiny_file(tmp_path), "--out", tmp_path / "none", "--resume"],
        capsys,
        monkeypatch,
        tmp_path,
    )
    assert code == 2 and "holds no interrupted calibration" in err and err.count("\n") == 1


def test_a_second_calibration_into_the_same_out_is_refused_and_changes_nothing(tmp_path):
    import os
    import subprocess
    import sys

    from simulation.errors import UserError
    from simulation.validation.calibrate import LOCK

    t = load_targets(tiny_file(tmp_path)).with_settings(
        {"population": "8", "generations": "1", "replicates": "1", "steps": "12"}
    )
    from simulation.validation.calibrate import PARTIAL_DB

    out = tmp_path / "o"
    out.mkdir()
    # The holder's first generation is running: it has a history and no state file yet.
    (out / PARTIAL_DB).write_bytes(b"the running calibration's history")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, os, time\n"
            f"fd = os.open({str(out / LOCK)!r}, os.O_RDWR | os.O_CREAT)\n"
            "fcntl.flock(fd, fcntl.LOCK_EX); os.pwrite(fd, b'%d\\n' % os.getpid(), 0)\n"
            "print('held', flush=True); time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(UserError, match=f"another calibration \\(PID {holder.pid}\\)"):
            calibrate(t, out)
        assert sorted(p.name for p in out.iterdir()) == sorted([LOCK, PARTIAL_DB])
        assert (out / PARTIAL_DB).read_bytes() == b"the running calibration's history"
        assert (out / LOCK).read_text().strip() == str(holder.pid)
    finally:
        holder.kill()
        holder.wait()
    assert os.path.exists(out / LOCK)


def test_a_calibration_begun_by_other_model_code_is_not_resumed(tmp_path):
    from simulation.errors import UserError
    from simulation.provenance import source_digest
    from simulation.validation.calibrate import (
        PARTIAL_DB,
        PARTIAL_STATE,
        check_resume,
        fingerprint,
    )

    t = load_targets(tiny_file(tmp_path))
    out = tmp_path / "o"
    out.mkdir()
    (out / PARTIAL_DB).write_bytes(b"")
    state = {"generation": 1, "fingerprint": fingerprint(t), "source_digest": "0" * 16}
    (out / PARTIAL_STATE).write_text(json.dumps(state))
    with pytest.raises(UserError, match="made by other code .*" + "0" * 16):
        check_resume(t, out, resume=True)
    for source in (source_digest(), None):  # the same code, or a state from before the digest
        state["source_digest"] = source
        (out / PARTIAL_STATE).write_text(json.dumps(state))
        assert check_resume(t, out, resume=True)["generation"] == 1


def test_a_known_formation_rate_recovers_its_challenge_rate(tmp_path):
    # Synthetic target: the formation rate measured at challenge_rate = 3 on many seeds,
    # with an interval of +-15%. ABC must put 3 inside its 95% credible interval and narrow
    # the prior [0.5, 8] to well under half its spread (measured: 0.35; renewals leave fewer
    # new partnerships to count than before, so the rate is noisier).
    truth, model = 3.0, {"n_orgs": 40, "burn_in": 0}  # the rate needs no steady state
    rate = M.evaluate(["formation_rate"], {**model, "challenge_rate": truth}, range(100, 112), 24)
    m = rate["formation_rate"]
    raw = {
        "name": "recovery",
        "settings": {
            "population": 20,
            "generations": 4,
            "replicates": 2,
            "steps": 24,
            "seed": 5,
            "check_replicates": 4,
        },
        "fixed": model,
        "parameters": {"challenge_rate": [0.5, 8.0]},
        "targets": {
            "formation_rate": {"interval": [0.85 * m, 1.15 * m], "value": m, "source": "synthetic"}
        },
    }
    c = calibrate(parse_targets(raw), tmp_path / "o")
    (row,) = c.summary
    assert row["ci_low"] <= truth <= row["ci_high"], row
    assert row["sd_ratio"] < 0.45 and row["verdict"] == "identified", row
    assert abs(row["median"] - truth) < 0.5, row
    (check,) = c.check
    # The posterior median, run again on four fresh seeds, lands within one interval width
    # of the target (four 24-month runs of 40 organisations count few formations).
    assert check["posterior_distance"] < 1.0


# --- the shipped calibration -------------------------------------------------------------------


def test_the_defaults_are_the_shipped_posterior_medians():
    """Issue 14, point 7: the default parameterisation is taken from the shipped calibration.

    Each calibrated parameter's default is its posterior median in results/calibration, to the
    three significant figures the defaults carry, so a new calibration cannot ship without its
    defaults (or the other way round)."""
    shipped = json.loads((ROOT / "results" / "calibration" / "calibrate.json").read_text())
    posterior = {row["parameter"]: row["median"] for row in shipped["posterior"]}
    assert set(posterior) == {prior["parameter"] for prior in shipped["priors"]}
    for name, median in posterior.items():
        default = PARAMS[name].default
        assert default == float(f"{median:.3g}"), (name, default, median)
