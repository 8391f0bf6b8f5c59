"""The `collabsim` command end to end, and every kind of bad input."""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

EXE = str(Path(sys.executable).with_name("collabsim"))


def cli(*args, cwd=None):
    return subprocess.run([EXE, *args], capture_output=True, text=True, cwd=cwd, timeout=600)


def test_run_writes_results_and_prints_a_summary(tmp_path):
    out = tmp_path / "r"
    r = cli("run", "--steps", "36", "--seed", "5", "--set", "clarity=0.7", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert "partnerships formed" in r.stdout and "synergy" in r.stdout and str(out) in r.stdout
    assert sorted(p.name for p in out.iterdir()) == [
        "dashboard.png",
        "events.parquet",
        "partnerships.parquet",
        "summary.json",
        "timeseries.parquet",
    ]
    ts = pd.read_parquet(out / "timeseries.parquet")
    ev = pd.read_parquet(out / "events.parquet")
    s = json.loads((out / "summary.json").read_text())
    assert len(ts) == 37 and ts["total_formed"].iloc[-1] == s["outcomes"]["partnerships_formed"]
    assert (ev.event == "formed").sum() == s["outcomes"]["partnerships_formed"]
    assert s["seed"] == 5 and s["parameters"]["clarity"] == 0.7
    assert (out / "dashboard.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_run_default_output_directory_and_scenario(tmp_path):
    r = cli(
        "run", "--scenario", "governance_six_principles", "--steps", "6", "--quiet", cwd=tmp_path
    )
    assert r.returncode == 0, r.stderr
    out = tmp_path / r.stdout.strip()
    assert out == tmp_path / "results/runs/governance_six_principles-seed42"
    assert (
        json.loads((out / "summary.json").read_text())["parameters"]["governance"]
        == "six_principles"
    )


def test_scenarios_and_params_list():
    r = cli("scenarios")
    assert r.returncode == 0
    lines = r.stdout.strip().splitlines()
    names = [line.split()[0] for line in lines]
    assert "baseline" in names and "governance_forced_marriage" in names
    assert all(len(line.split(None, 1)) == 2 for line in lines)  # each has a description
    p = cli("params", "--group", "governance")
    assert p.returncode == 0 and "review_interval" in p.stdout and "n_orgs" not in p.stdout


@pytest.mark.parametrize(
    "args,fragment",
    [
        (["--scenario", "utopia"], "unknown scenario 'utopia'"),
        (["--set", "charisma=1"], "charisma"),
        (["--set", "clarity=high"], "clarity = 'high' is not allowed"),
        (["--set", "clarity=2"], "from 0 to 1"),
        (["--set", "sanctions=perhaps"], "true or false"),
        (["--set", "clarity"], "NAME=VALUE"),
        (["--steps", "0"], "steps = '0'"),
        (["--steps", "-5"], "steps = '-5'"),
        (["--steps", "ten"], "steps = 'ten'"),
        (["--seed", "-1"], "seed"),
    ],
)
def test_bad_input_one_line_exit_2_nothing_written(tmp_path, args, fragment):
    out = tmp_path / "out"
    r = cli("run", *args, "--out", str(out))
    assert r.returncode == 2
    assert fragment in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_unwritable_output_directory(tmp_path):
    blocker = tmp_path / "file.txt"
    blocker.write_text("not a directory")
    for out in (blocker, blocker / "sub"):
        r = cli("run", "--steps", "3", "--out", str(out))
        assert r.returncode == 2 and "--out" in r.stderr and "Traceback" not in r.stderr
    stray = tmp_path / "notes"
    stray.mkdir()
    (stray / "keep.txt").write_text("mine")
    r = cli("run", "--steps", "3", "--out", str(stray))
    assert r.returncode == 2 and "non-empty directory" in r.stderr
    assert blocker.read_text() == "not a directory" and (stray / "keep.txt").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt", "notes"]


def test_a_failed_rerun_leaves_earlier_results_intact(tmp_path):
    out = tmp_path / "r"
    assert cli("run", "--steps", "4", "--out", str(out)).returncode == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    r = cli("run", "--steps", "4", "--set", "clarity=9", "--out", str(out))
    assert r.returncode == 2
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    # a good rerun replaces the results whole, leaving no temporary directories behind
    assert cli("run", "--steps", "5", "--out", str(out)).returncode == 0
    assert json.loads((out / "summary.json").read_text())["steps"] == 5
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]


def test_usage_errors_are_one_line_exit_2():
    r = cli("run", "--no-such-flag")
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    r = cli("frobnicate")
    assert r.returncode == 2 and "invalid choice" in r.stderr


#: Every subcommand, in the order `collabsim --help` lists them.
COMMANDS = [
    "run",
    "scenarios",
    "params",
    "readouts",
    "sweep",
    "report",
    "discover",
    "validate",
    "sensitivity",
    "calibrate",
    "viz",
]


def test_every_command_is_registered_once_with_help_text():
    import argparse

    from simulation import cli as collabsim_cli

    parser = collabsim_cli.build_parser()
    assert list(collabsim_cli.COMMANDS) == COMMANDS
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert list(sub.choices) == COMMANDS
    for name, command in collabsim_cli.COMMANDS.items():
        assert command.help.strip(), name
        assert callable(command.handler), name
        sub_help = sub.choices[name].format_help()
        assert command.help in " ".join(sub_help.split()), name  # shown by `NAME --help`


def test_help_lists_exactly_the_expected_commands():
    r = cli("--help")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    start = lines.index("  COMMAND") + 1
    listed = []
    for line in lines[start:]:
        if not line.strip():
            break
        if line.startswith("    ") and not line.startswith("     "):
            listed.append(line.split()[0])
    assert listed == COMMANDS
