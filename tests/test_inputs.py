"""Every kind of bad input is refused with one line, exit status 2 (or a UserError from the
Python API), no traceback and nothing written; and the inputs at the edge of what is allowed
(the largest seed, the largest design) are accepted exactly."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from simulation import cli
from simulation.errors import ParameterError, UserError
from simulation.params import RUN_PARAMS, parse_assignments, validate_run
from simulation.run import run_model
from simulation.sweep import parse_experiment, run_sweep
from simulation.sweep.designs import run_table
from simulation.sweep.experiment import DEFAULT_MAX_RUNS
from simulation.sweep.runner import simulate_run

ROOT = Path(__file__).resolve().parents[1]
FACTORS = [  # 20 float parameters with ranges inside [0, 0.5]
    "clarity",
    "trust_gain",
    "trust_loss",
    "myth_bias",
    "jargon_penalty",
    "synergy_gain",
    "coordination_cost",
    "freeride_temptation",
    "exit_threshold",
    "skill_learning",
    "behaviour_drift",
    "myth_erosion",
    "myth_confirmation",
    "reputation_weight",
    "language_learning",
    "shock_rate",
    "shock_size",
    "turbulence_rate",
    "share_public",
    "network_cross_sector",
]


def small(**over) -> dict:
    raw = {
        "name": "t",
        "steps": 4,
        "replicates": 2,
        "base_seed": 5,
        "fixed": {"n_orgs": 12, "burn_in": 0},  # input handling needs no steady state
        "vary": {"governance": ["none", "contract"]},
    }
    raw.update(over)
    return raw


def main(args, capsys, monkeypatch, cwd: Path):
    """``collabsim ARGS`` in this process: (exit status, stdout, stderr)."""
    monkeypatch.chdir(cwd)
    try:
        code = cli.main([str(a) for a in args])
    except SystemExit as exc:  # argparse usage errors
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def assert_refused(code, err, *fragments):
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert err.startswith("collabsim: error: "), err
    for f in fragments:
        assert f in err, err


def write(path: Path, text: str | bytes) -> Path:
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


TINY_TOML = 'name = "t"\nsteps = 2\nreplicates = 1\n[fixed]\nn_orgs = 8\n'


# --- 1. huge designs ------------------------------------------------------------------
def test_huge_factorial_from_a_tiny_step_is_refused_at_once():
    # Listing 10^9 levels would take minutes and gigabytes: refused from the count alone.
    with pytest.raises(UserError) as err:
        parse_experiment(small(vary={"clarity": {"low": 0, "high": 1, "step": 1e-9}}), source="x")
    msg = str(err.value)
    assert "1,000,000,001 levels x 2 replicates" in msg and "2,000,000,002 runs" in msg
    assert "max_runs" in msg and "--max-runs" in msg and "\n" not in msg


def test_factorial_of_a_billion_runs_is_refused():
    vary = {n: {"low": 0.0, "high": 0.999, "step": 0.001} for n in FACTORS[:3]}
    with pytest.raises(UserError, match=r"1,000,000,000 runs \(1,000 x 1,000 x 1,000 levels"):
        parse_experiment(small(vary=vary, replicates=1), source="x")


@pytest.mark.parametrize(
    "design, samples, runs",
    [("sobol", 10**6, 22 * 10**6), ("morris", 10**6, 21 * 10**6), ("lhs", 10**6, 2 * 10**6)],
)
def test_sampled_designs_are_counted_before_sampling(design, samples, runs):
    vary = {n: {"low": 0.0, "high": 0.5} for n in FACTORS}
    reps = 2 if design == "lhs" else 1
    # Sampling 10^6 x 22 points would take minutes and gigabytes: refused from the count.
    with pytest.raises(UserError, match=f"has {runs:,} runs"):
        parse_experiment(
            small(design={"type": design, "samples": samples}, vary=vary, replicates=reps)
        )


def test_the_limit_is_raised_in_the_file_or_on_the_command_line(tmp_path, capsys, monkeypatch):
    vary = {"clarity": {"low": 0, "high": 1, "step": 0.01}}  # 101 levels
    over = small(vary=vary, replicates=10)  # 1,010 runs
    with pytest.raises(UserError, match="1,010 runs"):
        parse_experiment({**over, "max_runs": 1000})
    assert len(run_table(parse_experiment({**over, "max_runs": 1010}))) == 1010
    assert len(run_table(parse_experiment(over, max_runs=1010))) == 1010
    assert DEFAULT_MAX_RUNS == 1_000_000
    with pytest.raises(UserError, match="max_runs = 0"):
        parse_experiment({**over, "max_runs": 0})
    exp = write(tmp_path / "e.toml", TINY_TOML + "[vary]\nclarity = [0.1, 0.2, 0.3]\n")
    code, _, err = main(
        ["sweep", exp, "--out", tmp_path / "o", "--max-runs", "2"], capsys, monkeypatch, tmp_path
    )
    assert_refused(code, err, "3 runs", "limit of 2")
    code, _, err = main(
        ["sweep", exp, "--out", tmp_path / "o", "--max-runs", "lots"], capsys, monkeypatch, tmp_path
    )
    assert_refused(code, err, "--max-runs 'lots'")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e.toml"]


# --- 2. exact seeds -------------------------------------------------------------------
def test_cli_seed_is_recorded_exactly(tmp_path, capsys, monkeypatch):
    for seed in ("9007199254740993", "9223372036854775807"):
        out = tmp_path / seed
        args = ["run", "--seed", seed, "--steps", "1", "--set", "n_orgs=8", "--quiet"]
        code, _, err = main([*args, "--out", out], capsys, monkeypatch, tmp_path)
        assert code == 0, err
        assert json.loads((out / "summary.json").read_text())["seed"] == int(seed)


def test_seed_strings_are_exact_and_bounded():
    assert validate_run("1", "9007199254740993") == (1, 9007199254740993)
    assert validate_run(1, 2**63 - 1)[1] == RUN_PARAMS["seed"].high == 9223372036854775807
    assert validate_run("1e3", " 7 ") == (1000, 7)
    for bad in (2**63, "9223372036854775808", "1e400", "1.5", "nan", "inf", "", "0x10"):
        with pytest.raises(ParameterError, match="seed"):
            validate_run(1, bad)


def test_huge_base_seed_gives_distinct_exact_seeds():
    exp = parse_experiment(small(base_seed=9007199254740992, replicates=3))
    seeds = [r["seed"] for r in run_table(exp) if r["condition"] == 0]
    assert seeds == [9007199254740992, 9007199254740993, 9007199254740994]
    assert all(type(s) is int for s in seeds)
    top = parse_experiment(small(base_seed=2**63 - 1, replicates=1))
    assert run_table(top)[0]["seed"] == 2**63 - 1
    with pytest.raises(UserError, match="base_seed = 9223372036854775807"):
        parse_experiment(small(base_seed=2**63 - 1, replicates=2))  # seed 2**63 would follow


def test_ordinary_base_seeds_keep_their_seeds_and_design_seed():
    exp = parse_experiment(small(base_seed=1000, replicates=3))
    assert sorted({r["seed"] for r in run_table(exp)}) == [1000, 1001, 1002]
    lhs = parse_experiment(
        small(
            base_seed=77,
            design={"type": "lhs", "samples": 4},
            vary={"clarity": {"low": 0, "high": 1}},
        )
    )
    assert lhs.design_seed == 77


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"seed": 1.5}, "seed"),
        ({"seed": True}, "seed"),
        ({"seed": "abc"}, "seed"),
        ({"seed": -1}, "seed"),
        ({"steps": 2.9}, "steps"),
        ({"steps": False}, "steps"),
        ({"n_orgs": 10.5}, "n_orgs"),
    ],
)
def test_api_refuses_inexact_seeds_and_steps(kwargs, field):
    with pytest.raises(ParameterError) as err:
        run_model(**kwargs)
    assert err.value.field == field and "\n" not in str(err.value)


# --- 3. one line for every bad input --------------------------------------------------
def sweep_refused(tmp_path, capsys, monkeypatch, args, *fragments, experiment=TINY_TOML):
    exp = write(tmp_path / "e.toml", experiment) if isinstance(experiment, str | bytes) else None
    before = sorted(p.name for p in tmp_path.iterdir())
    code, _, err = main(["sweep", exp, "--workers", "1", *args], capsys, monkeypatch, tmp_path)
    assert_refused(code, err, *fragments)
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written
    return err


def test_sweep_out_at_a_file_under_a_file_too_long_or_empty(tmp_path, capsys, monkeypatch):
    blocker = write(tmp_path / "file.txt", "mine")
    sweep_refused(tmp_path, capsys, monkeypatch, ["--out", blocker], "not a directory")
    sweep_refused(tmp_path, capsys, monkeypatch, ["--out", blocker / "sub"], "is a file")
    sweep_refused(tmp_path, capsys, monkeypatch, ["--out", tmp_path / ("x" * 300)], "300 bytes")
    sweep_refused(tmp_path, capsys, monkeypatch, ["--out", ""], "--out ''")
    assert blocker.read_text() == "mine"


def test_out_in_a_place_that_cannot_be_written(tmp_path, capsys, monkeypatch):
    if not Path("/proc/self").is_dir():
        pytest.skip("no /proc here")
    sweep_refused(tmp_path, capsys, monkeypatch, ["--out", "/proc/collabsim"], "cannot be written")

    def never(*a, **k):
        raise AssertionError("the simulation ran")

    monkeypatch.setattr("simulation.run.simulate", never)
    code, _, err = main(["run", "--steps", "1", "--out", "/proc/x"], capsys, monkeypatch, tmp_path)
    assert_refused(code, err, "--out /proc/x", "cannot be written")
    code, _, err = main(["run", "--steps", "1", "--out", ""], capsys, monkeypatch, tmp_path)
    assert_refused(code, err, "--out ''")
    assert [p.name for p in tmp_path.iterdir()] == ["e.toml"]


@pytest.mark.parametrize(
    "content, fragment",
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00binary", "not UTF-8"),
        ('name = "café"\n'.encode("latin-1"), "not UTF-8"),
        ("a = " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply"),
        (TINY_TOML + "[vary]\nclarity = { low = 0, high = 1, step = nan }\n", "step = nan"),
        (TINY_TOML + "[vary]\nclarity = { low = 0, high = 1, step = inf }\n", "step = inf"),
        (TINY_TOML + '[stop]\nwhen = "active == 0"\nuntil = 3\n', "stop.until"),
        (TINY_TOML + '[stop]\nwhen = "activ == 0"\n', "collabsim readouts"),
        (TINY_TOML + '[stop]\nwhen = ["active == 0", "month >> 3"]\n', "stop.when[1]"),
        (TINY_TOML + '[stop]\nwhen = "active == 0"\nmin_month = 99\n', "stop.min_month"),
        ('"a\\nb" = 1\n', "'a\\nb'"),  # a key holding a line break stays on one line
    ],
)
def test_bad_experiment_files(tmp_path, capsys, monkeypatch, content, fragment):
    sweep_refused(tmp_path, capsys, monkeypatch, ["--out", "o"], fragment, experiment=content)


def test_bad_stop_column_points_at_a_command_that_exists(tmp_path, capsys, monkeypatch):
    code, out, _ = main(["readouts"], capsys, monkeypatch, tmp_path)
    assert code == 0 and "active" in out.split() and "month" in out.split()


@pytest.mark.parametrize(
    "dask, fragment",
    [("foo://x", "--dask 'foo://x'"), ("", "--dask ''"), ("tcp://", "--dask"), ("a b:1", "a b")],
)
def test_bad_dask_addresses(tmp_path, capsys, monkeypatch, dask, fragment):
    sweep_refused(tmp_path, capsys, monkeypatch, ["--out", "o", "--dask", dask], fragment)


def test_bad_workers_and_repeated_set(tmp_path, capsys, monkeypatch):
    for w in ("0", "-2", "two", "1.5"):
        sweep_refused(tmp_path, capsys, monkeypatch, ["--out", "o", "--workers", w], "--workers")
    code, _, err = main(
        ["run", "--set", "clarity=abc", "--set", "clarity=0.5", "--out", tmp_path / "r"],
        capsys,
        monkeypatch,
        tmp_path,
    )
    assert_refused(code, err, "clarity", "each parameter once")
    with pytest.raises(ParameterError, match="already set to '0.5'"):
        parse_assignments(["clarity=0.5", " clarity = 0.6"])


def test_run_sweep_workers_zero_raises(tmp_path):
    exp = parse_experiment(small())
    for bad in (0, -1, True, 2.0, "2"):
        with pytest.raises(UserError, match="workers"):
            run_sweep(exp, tmp_path / "o", workers=bad, progress=False)
    assert not (tmp_path / "o").exists()


def test_resume_with_an_empty_or_broken_sweep_json(tmp_path, capsys, monkeypatch):
    out = tmp_path / "o"
    out.mkdir()
    for text in ("", "{not json", "[1, 2]"):
        (out / "sweep.json").write_text(text)
        sweep_refused(tmp_path, capsys, monkeypatch, ["--out", out, "--resume"], "cannot resume")
        assert (out / "sweep.json").read_text() == text
    assert sorted(p.name for p in out.iterdir()) == ["sweep.json"]
    code, _, err = main(["report", out], capsys, monkeypatch, tmp_path)
    assert_refused(code, err, "cannot report")


def test_csv_export_under_a_path_with_a_quote(tmp_path, capsys, monkeypatch):
    out = tmp_path / "it's [a] *test*" / "o"
    exp = write(tmp_path / "e.toml", TINY_TOML + "[vary]\nclarity = [0.1, 0.2]\n")
    code, _, err = main(
        ["sweep", exp, "--out", out, "--workers", "1", "--csv", "--quiet"],
        capsys,
        monkeypatch,
        tmp_path,
    )
    assert code == 0, err
    csv = pd.read_csv(out / "runs.csv")
    assert list(csv.run_id) == sorted(pd.read_parquet(out / "runs").run_id)
    assert len(pd.read_csv(out / "timeseries.csv")) == len(pd.read_parquet(out / "timeseries"))


def returns_none(exp, task):
    return None


def extra_outcomes(exp, task):
    result = simulate_run(exp, task)
    result.outcomes["my_index"] = 1.0
    return result


@pytest.mark.parametrize(
    "run_fn, fragment",
    [
        (returns_none, "run_fn returned None"),
        (extra_outcomes, "outcomes the sweep does not store: my_index"),
    ],
)
def test_custom_run_fn_bad_results_become_failed_runs_with_a_cause(tmp_path, run_fn, fragment):
    exp = parse_experiment(small(replicates=1))
    s = run_sweep(exp, tmp_path / "o", workers=1, progress=False, run_fn=run_fn)
    runs = pd.read_parquet(tmp_path / "o" / "runs")
    assert s.failed == len(runs) == 2
    assert runs.error.str.contains(fragment, regex=False).all()


def test_stop_conditions_with_several_clauses_and_a_minimum_month(tmp_path):
    # "active >= 0" reads the model's state yet holds every month, so when each run
    # stops depends on the stop rules alone, not on how the model behaves.
    old = parse_experiment(small(steps=30, stop={"when": "active >= 0"}))
    listed = parse_experiment(small(steps=30, stop={"when": ["active >= 0"]}))
    assert old.stop == listed.stop and old.stop.min_month == 0
    late = parse_experiment(small(steps=30, stop={"when": ["active >= 0"], "min_month": 12}))
    both = parse_experiment(small(steps=30, stop={"when": ["active >= 0", "month >= 12"]}))
    assert parse_experiment(small(stop="active >= 0")).stop == old.stop  # the short form
    months = {}
    for name, exp in {"old": old, "late": late, "both": both}.items():
        run_sweep(exp, tmp_path / name, workers=1, progress=False)
        months[name] = pd.read_parquet(tmp_path / name / "runs").sort_values("run_id").months_run
    assert (months["old"] == 1).all()  # the clause alone stops at the first month
    assert (months["late"] == 12).all() and list(months["late"]) == list(months["both"])


def test_report_on_a_partial_sweep_warns_in_one_line(tmp_path, capsys, monkeypatch):
    import simulation.sweep.runner as runner

    def stop_after_two(exp, task):
        if task["run_id"] >= "c00001":
            raise KeyboardInterrupt
        return simulate_run(exp, task)

    exp = parse_experiment(small())
    s = run_sweep(exp, tmp_path / "o", workers=1, progress=False, run_fn=stop_after_two)
    assert s.interrupted and runner.store.done_run_ids(tmp_path / "o")
    code, _, err = main(["report", tmp_path / "o"], capsys, monkeypatch, tmp_path)
    assert code == 0
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "only 2 of 4 runs are present" in lines[0], err
    assert lines[0].startswith("collabsim: warning: ")


def test_subprocess_cases_are_one_line_exit_2(tmp_path):
    """The same checks through the installed command (argument parsing, real exit codes)."""
    exp = write(
        tmp_path / "e.toml", 'name = "t"\n[vary]\nclarity = { low = 0, high = 1, step = 1e-9 }\n'
    )
    cases = [
        (["sweep", str(exp), "--out", str(tmp_path / "o")], "max_runs"),
        (["run", "--seed", "1.5", "--out", str(tmp_path / "o")], "seed = '1.5'"),
        (["sweep", str(exp), "--dask", "foo://x", "--out", str(tmp_path / "o")], "--dask"),
    ]
    for args, fragment in cases:
        p = subprocess.run(
            [sys.executable, "-m", "simulation.cli", *args],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=120,
        )
        assert p.returncode == 2 and fragment in p.stderr, p.stderr
        assert len(p.stderr.strip().splitlines()) == 1 and "Traceback" not in p.stderr
    assert sorted(x.name for x in tmp_path.iterdir()) == ["e.toml"]


def test_numbers_are_read_from_ascii_digits_only():
    # Python reads other scripts' digits as numbers (int("١") == 1); a command line should not.
    from simulation.errors import ParameterError
    from simulation.params import PARAMS, validate_run

    with pytest.raises(ParameterError, match="steps"):
        validate_run(steps="١", seed=1)
    with pytest.raises(ParameterError, match="clarity"):
        PARAMS["clarity"].coerce("٠.٥")
    assert validate_run(steps="12", seed="7") == (12, 7)
