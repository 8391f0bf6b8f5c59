"""Provenance in summary.json and sweep.json: versions, platform, command line and UTC time."""

import json
import platform
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import mesa
import numpy as np
import pandas as pd
import pyarrow
import scipy

import simulation
from simulation.provenance import provenance
from simulation.run import simulate, write_outputs
from simulation.sweep import load_experiment, run_sweep

TINY = Path(__file__).resolve().parents[1] / "experiments" / "tiny.toml"


def check(p: dict) -> None:
    assert p["versions"] == {
        "collabsim": simulation.__version__,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "pandas": pd.__version__,
        "pyarrow": pyarrow.__version__,
        "mesa": mesa.__version__,
    }
    assert p["platform"] == platform.platform() and p["command"] == sys.argv
    when = datetime.fromisoformat(p["time"])
    assert when.utcoffset() == timedelta(0)
    assert abs(datetime.now(UTC) - when) < timedelta(minutes=10)


def test_provenance_records_versions_platform_command_and_utc_time():
    check(provenance())
    json.dumps(provenance())  # plain JSON


def test_summary_json_records_provenance(tmp_path):
    write_outputs(simulate(seed=3, steps=3, params={"n_orgs": 20}), tmp_path / "r")
    check(json.loads((tmp_path / "r" / "summary.json").read_text())["provenance"])


def test_sweep_json_records_provenance_and_resume_still_matches(tmp_path):
    exp = load_experiment(TINY)
    run_sweep(exp, tmp_path / "o", workers=1, progress=False)
    meta = json.loads((tmp_path / "o" / "sweep.json").read_text())
    check(meta["provenance"])
    assert meta["fingerprint"] == exp.fingerprint()  # of the experiment only
    # A later resume under another command line is accepted, and recorded.
    sys.argv, argv = ["collabsim", "sweep", "--resume"], sys.argv
    try:
        again = run_sweep(exp, tmp_path / "o", workers=1, progress=False, resume=True)
    finally:
        sys.argv = argv
    assert again.ran == 0 and again.skipped == again.total
    meta2 = json.loads((tmp_path / "o" / "sweep.json").read_text())
    assert meta2["resumed"][0]["command"] == ["collabsim", "sweep", "--resume"]
    assert meta2["provenance"] == meta["provenance"]
