"""Provenance in summary.json and sweep.json: versions, platform, command line and UTC time."""

import json
import platform
import re
import shutil
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import mesa
import numpy as np
import pandas as pd
import pyarrow
import scipy

import simulation
from simulation.errors import UserError
from simulation.provenance import provenance, source_digest
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
    assert p["source_digest"] == source_digest()
    assert re.fullmatch("[0-9a-f]{16}", p["source_digest"])
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


def test_the_source_digest_changes_with_the_model_code_and_not_with_the_app(tmp_path):
    pkg = tmp_path / "simulation"
    shutil.copytree(
        Path(simulation.__file__).parent, pkg, ignore=shutil.ignore_patterns("__pycache__")
    )
    assert source_digest(pkg) == source_digest()  # path inside the package, not on disk
    trust = pkg / "mechanisms" / "trust.py"
    kept = trust.read_bytes()
    trust.write_bytes(kept + b"# a comment\n")
    assert source_digest(pkg) != source_digest()
    trust.write_bytes(kept)
    (pkg / "viz" / "app.py").write_bytes(b"# the app does not change a result\n")
    assert source_digest(pkg) == source_digest()
    # Windows line endings, editor files and notebook checkpoints give the same digest.
    trust.write_bytes(kept.replace(b"\n", b"\r\n"))
    (pkg / "mechanisms" / ".#trust.py").symlink_to(tmp_path / "nowhere")
    (pkg / ".ipynb_checkpoints").mkdir()
    (pkg / ".ipynb_checkpoints" / "model-checkpoint.py").write_text("X = 2\n")
    assert source_digest(pkg) == source_digest()
    trust.write_bytes(kept)
    (pkg / "mechanisms" / "extra.py").write_text("X = 1\n")
    assert source_digest(pkg) != source_digest()
    (pkg / "mechanisms" / "extra.py").unlink()
    trust.rename(pkg / "mechanisms" / "trust2.py")  # same bytes under another name
    assert source_digest(pkg) != source_digest()


def test_a_sweep_made_by_other_model_code_is_not_resumed_and_is_left_alone(tmp_path):
    exp = load_experiment(TINY)
    out = tmp_path / "o"
    run_sweep(exp, out, workers=1, progress=False)
    meta = json.loads((out / "sweep.json").read_text())
    meta["provenance"]["source_digest"] = "0" * 16
    (out / "sweep.json").write_text(json.dumps(meta))
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.name != "sweep.lock"}
    try:
        run_sweep(exp, out, workers=1, progress=False, resume=True)
    except UserError as exc:
        msg = str(exc)
    else:
        raise AssertionError("resumed a sweep made by other model code")
    assert "other code" in msg and "0" * 16 in msg and source_digest() in msg
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.name != "sweep.lock"} == before
    # A sweep recorded before the digest was (no "source") is still resumed.
    del meta["provenance"]["source_digest"]
    (out / "sweep.json").write_text(json.dumps(meta))
    assert run_sweep(exp, out, workers=1, progress=False, resume=True).ran == 0
