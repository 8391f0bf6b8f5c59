"""Sweeps you can leave running: one writer per folder, worker deaths, timeouts, signals,
kills of the parent at any point, damaged folders, CPU affinity and Dask's threads.

Everything here uses real processes: forkserver pools, signals sent to real PIDs, Dask
LocalClusters. The run functions are module-level so that pool workers can import them.
"""

from __future__ import annotations

import importlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from simulation import __version__
from simulation.errors import UserError
from simulation.sweep import load_experiment, parse_experiment, run_sweep
from simulation.sweep import runner as sweep_runner
from simulation.sweep.runner import SweepStopped, simulate_run

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "experiments" / "tiny.toml"
# `python -m simulation.cli` is not used: the command line is called as the entry point is.
CLI = [sys.executable, "-c", "import sys; from simulation.cli import main; sys.exit(main())"]
TABLES = ("runs", "timeseries", "partnerships")


def small(tmp_path: Path, **over):
    raw = {
        "name": "t",
        "steps": 12,
        "replicates": 3,
        "base_seed": 5,
        "record_every": 4,
        "fixed": {"n_orgs": 20, "burn_in": 0},  # the sweep machinery needs no steady state
        "vary": {"governance": ["none", "six_principles"]},
    }
    raw.update(over)
    # The source names a folder the run functions below can find from inside a worker.
    return parse_experiment(raw, source=str(tmp_path / "exp.toml"))


def comparable(out: Path, table: str) -> pd.DataFrame:
    df = pd.read_parquet(out / table).drop(columns=["duration_s"], errors="ignore")
    keys = {"runs": ["run_id"], "timeseries": ["run_id", "month"]}.get(
        table, ["run_id", "partnership"]
    )
    return df.sort_values(keys).reset_index(drop=True)


def assert_same_tables(a: Path, b: Path) -> None:
    for table in TABLES:
        pd.testing.assert_frame_equal(comparable(a, table), comparable(b, table))
    assert comparable(a, "runs").run_id.is_unique


def script(body: str) -> list[str]:
    return [sys.executable, "-c", body]


# --- run functions (imported by pool workers) -------------------------------------------
def exits_for_one(exp, task):
    """Kills its worker process whenever it runs c00001-r0002."""
    if task["run_id"] == "c00001-r0002":
        os._exit(3)
    return simulate_run(exp, task)


def tells_its_pid(exp, task):
    """The first time c00000-r0002 runs, it writes its worker's PID for the test, and waits."""
    marker = Path(exp.source).parent / "victim"
    if task["run_id"] == "c00000-r0002" and not marker.exists():
        marker.write_text(str(os.getpid()))
        time.sleep(60)
    return simulate_run(exp, task)


def hangs_for_one(exp, task):
    """c00000-r0001 never ends; while it hangs it notes when the other five are on disk."""
    if task["run_id"] == "c00000-r0001":
        here = Path(exp.source).parent
        while True:
            try:
                if len(pd.read_parquet(here / "o" / "runs")) == 5:
                    (here / "seen").write_text("5")
            except Exception:
                pass
            time.sleep(0.1)
    return simulate_run(exp, task)


def sleepy(exp, task):
    time.sleep(0.4)
    return simulate_run(exp, task)


class NotOnTheWorkers:
    """A run function the Dask workers cannot load (as if its module were not installed)."""

    def __reduce__(self):
        return (importlib.import_module, ("collabsim_lab_code_not_installed",))

    def __call__(self, exp, task):
        return simulate_run(exp, task)


# --- 1. one writer per folder -------------------------------------------------------------
SLOW_CLI = """
import sys, time
import simulation.sweep.runner as r
real = r.simulate_run
def slow(exp, task):
    time.sleep(0.3)
    return real(exp, task)
r.simulate_run = slow
from simulation.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_two_resumers_at_once_one_runs_the_other_names_its_pid(tmp_path):
    exp = load_experiment(TINY)
    out = tmp_path / "o"
    # A partial sweep: 4 of its 12 runs done.
    stop = {"n": 0}

    def four(exp, task):
        stop["n"] += 1
        if stop["n"] > 4:
            raise KeyboardInterrupt
        return simulate_run(exp, task)

    s = run_sweep(exp, out, workers=1, progress=False, run_fn=four)
    assert s.interrupted and s.ran == 4
    cmd = script(SLOW_CLI) + ["sweep", str(TINY), "--out", str(out), "--workers", "1"]
    cmd += ["--resume", "--quiet"]
    procs = [
        subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    results = [(p.pid, p.wait(60), *p.communicate()) for p in procs]
    codes = sorted(r[1] for r in results)
    assert codes == [0, 2], results
    (winner,) = [r for r in results if r[1] == 0]
    (loser,) = [r for r in results if r[1] == 2]
    assert loser[3].strip().count("\n") == 0  # one line
    assert f"PID {winner[0]}" in loser[3] and "collabsim: error:" in loser[3]
    assert "8 run(s) this time, 4 already present" in winner[2]
    runs = pd.read_parquet(out / "runs")
    assert len(runs) == 12 and runs.run_id.is_unique and set(runs.status) == {"ok"}


def test_a_second_writer_changes_nothing(tmp_path):
    exp = load_experiment(TINY)
    out = tmp_path / "o"
    run_sweep(exp, out, workers=1, progress=False)
    holder = subprocess.Popen(
        script(
            "import fcntl, os, sys, time\n"
            f"fd = os.open({str(out / 'sweep.lock')!r}, os.O_RDWR)\n"
            "fcntl.flock(fd, fcntl.LOCK_EX); os.pwrite(fd, b'%d\\n' % os.getpid(), 0)\n"
            "print('held', flush=True); time.sleep(30)"
        ),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        before = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
        for resume in (False, True):
            with pytest.raises(UserError, match=f"PID {holder.pid}"):
                run_sweep(exp, out, workers=1, progress=False, resume=resume)
        assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == before
    finally:
        holder.kill()
        holder.wait()
    # The lock died with its holder.
    assert run_sweep(exp, out, workers=1, progress=False, resume=True).ran == 0


def test_the_writer_lock_names_its_holder_and_can_remove_its_file(tmp_path):
    from simulation.sweep.store import writer_lock

    path = tmp_path / ".w.lock"
    with writer_lock(path, "calibration", remove=True) as fd:
        assert os.pread(fd, 64, 0).decode().strip() == str(os.getpid())
        # flock is per open file, so a second taker in this process is refused too.
        with pytest.raises(UserError, match=f"another calibration \\(PID {os.getpid()}\\)"):
            with writer_lock(path, "calibration"):
                pass
        assert path.exists()
    assert not path.exists()
    with writer_lock(path, "sweep"):  # free again
        pass
    assert path.exists()  # kept unless asked


def test_the_writer_lock_holds_the_file_its_path_names(tmp_path, monkeypatch):
    """A holder that removes its lock file may do so after another process opened the
    file and before it locked it; that process must not keep a lock on the removed file."""
    from simulation.sweep import store

    path = tmp_path / ".w.lock"
    real, calls = store.fcntl.flock, []

    def flock_after_a_removal(fd, op):
        if not calls:  # the first attempt: the file is swapped under the opened fd
            path.unlink()
            path.touch()
        calls.append(fd)
        return real(fd, op)

    monkeypatch.setattr(store.fcntl, "flock", flock_after_a_removal)
    with store.writer_lock(path, "sweep") as fd:
        assert os.fstat(fd).st_ino == os.stat(path).st_ino
    assert len(calls) == 2  # locked, found stale, opened and locked again


# --- 2. worker deaths ------------------------------------------------------------------------
def test_sigkill_of_a_worker_mid_sweep_costs_no_run(tmp_path):
    exp = small(tmp_path)
    marker = tmp_path / "victim"
    killed = []

    def killer():
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and not marker.exists():
            time.sleep(0.02)
        time.sleep(0.1)
        pid = int(marker.read_text())
        os.kill(pid, signal.SIGKILL)
        killed.append(pid)

    t = threading.Thread(target=killer)
    t.start()
    s = run_sweep(exp, tmp_path / "o", workers=2, progress=False, run_fn=tells_its_pid)
    t.join()
    assert killed and s.worker_deaths == 1
    runs = pd.read_parquet(tmp_path / "o" / "runs")
    assert len(runs) == 6 and runs.run_id.is_unique and set(runs.status) == {"ok"}
    assert s.failed == 0 and s.ran == 6


def test_a_run_that_kills_its_worker_twice_fails_alone_and_resume_retries_it(tmp_path):
    exp = small(tmp_path)
    out = tmp_path / "o"
    s = run_sweep(exp, out, workers=2, progress=False, run_fn=exits_for_one)
    runs = pd.read_parquet(out / "runs")
    assert len(runs) == 6 and runs.run_id.is_unique and s.failed == 1
    bad = runs[runs.status != "ok"]
    assert list(bad.run_id) == ["c00001-r0002"]
    assert "worker died" in bad.error.iloc[0] and "twice" in bad.error.iloc[0]
    assert s.worker_deaths == 2  # once in the pool, once alone
    # --resume runs the failed run again (here with a run function that works).
    again = run_sweep(exp, out, workers=2, progress=False, resume=True)
    assert again.ran == 1 and again.skipped == 5 and again.failed == 0
    runs = pd.read_parquet(out / "runs")
    assert len(runs) == 6 and runs.run_id.is_unique and set(runs.status) == {"ok"}
    ref = tmp_path / "ref"
    run_sweep(exp, ref, workers=1, progress=False)
    assert_same_tables(out, ref)


def test_a_run_function_the_pool_cannot_send_stops_the_sweep_not_every_run(tmp_path):
    exp = small(tmp_path)
    with pytest.raises(SweepStopped, match="the worker pool cannot run .*pickle"):
        run_sweep(exp, tmp_path / "o", workers=2, progress=False, run_fn=lambda e, t: None)
    assert not (tmp_path / "o" / "runs").exists()  # no run recorded as failed
    assert run_sweep(exp, tmp_path / "o", workers=2, progress=False, resume=True).ran == 6


class KillsWorkersOnArrival:
    """A run function whose unpickling ends the worker, before any run can start."""

    def __reduce__(self):
        return (os._exit, (1,))


def test_workers_that_die_before_any_run_stop_the_sweep_instead_of_looping(tmp_path):
    exp = small(tmp_path)
    with pytest.raises(SweepStopped, match="die before they start any run"):
        run_sweep(exp, tmp_path / "o", workers=2, progress=False, run_fn=KillsWorkersOnArrival())
    assert not (tmp_path / "o" / "runs").exists()


@pytest.mark.cluster
def test_dask_infrastructure_failure_stops_resumably_instead_of_failing_every_run(tmp_path):
    exp = small(tmp_path)
    out = tmp_path / "o"
    with pytest.raises(SweepStopped, match="Dask cluster failed to run .*not an error of the run"):
        run_sweep(exp, out, workers=2, dask="local", progress=False, run_fn=NotOnTheWorkers())
    if (out / "runs").is_dir():
        assert (pd.read_parquet(out / "runs").status == "ok").all()
    s = run_sweep(exp, out, workers=1, progress=False, resume=True)
    assert s.failed == 0 and s.ran + s.skipped == 6


# --- 3. a kill at any point ------------------------------------------------------------------
KILLABLE = """
import sys, time
from pathlib import Path
import simulation.files as files
import simulation.sweep.runner as r
from simulation.sweep import load_experiment
r.FLUSH_RUNS = 2
if sys.argv[3] == "slow":  # every file lingers under its temporary name before the rename
    real = files._fsync_file
    def slow(path):
        real(path)
        time.sleep(0.4)
    files._fsync_file = slow
r.run_sweep(load_experiment(sys.argv[1]), sys.argv[2], workers=1, progress=False,
            resume=Path(sys.argv[2]).exists())
"""


@pytest.mark.slow
def test_parent_killed_at_many_points_then_resumed_gives_the_uninterrupted_tables(tmp_path):
    out, ref = tmp_path / "o", tmp_path / "ref"
    run_sweep(load_experiment(TINY), ref, workers=1, progress=False)

    def at(pattern, parts=0):
        """While a file matching ``pattern`` is under its temporary name, with at least
        ``parts`` parts committed."""
        return lambda: len(list(out.glob("runs/part-*"))) >= parts and any(out.glob(pattern))

    def later(parts, delay):
        seen = []

        def when():
            if len(list(out.glob("runs/part-*"))) >= parts and not seen:
                seen.append(time.monotonic())
            return bool(seen) and time.monotonic() - seen[0] > delay

        return when

    rng = random.Random(3)
    points = [
        ("during the first sweep.json write", at(".sweep.json.tmp*")),
        ("during a timeseries part write, 1 part stored", at("timeseries/.part-*", 1)),
        ("during a resume's sweep.json write", at(".sweep.json.tmp*")),
        ("during a partnerships part write, 2 parts stored", at("partnerships/.part-*", 2)),
        ("during a runs part write (the commit), 3 parts stored", at("runs/.part-*", 3)),
    ]
    for parts in (3, 4):
        delay = rng.uniform(0.0, 1.2)
        points.append((f"{delay:.2f} s after part {parts}", later(parts, delay)))
    recovered = []
    for what, when in points:
        p = subprocess.Popen(script(KILLABLE) + [str(TINY), str(out), "slow"], cwd=ROOT)
        t0 = time.monotonic()
        while p.poll() is None and time.monotonic() - t0 < 60 and not when():
            time.sleep(0.01)
        assert p.poll() is None, f"the sweep ended before the kill point: {what}"
        p.send_signal(signal.SIGKILL)
        p.wait()
        stored = 0
        if (out / "runs").is_dir():  # readable at once whatever the kill left
            stored = len(pd.read_parquet(out / "runs"))
        recovered.append((what, stored))
    done = subprocess.run(script(KILLABLE) + [str(TINY), str(out), "fast"], cwd=ROOT)
    assert done.returncode == 0
    assert_same_tables(out, ref)
    assert not [p for p in out.rglob(".*")]  # no temporary files left
    print(recovered)
    assert [n for _, n in recovered] == sorted(n for _, n in recovered)  # work is never lost


def test_damaged_folder_is_repaired_or_refused_clearly_on_resume(tmp_path, monkeypatch):
    monkeypatch.setattr(sweep_runner, "FLUSH_RUNS", 4)
    exp = load_experiment(TINY)
    out, ref = tmp_path / "o", tmp_path / "ref"
    run_sweep(exp, ref, workers=1, progress=False)
    run_sweep(exp, out, workers=1, progress=False)
    assert len(list((out / "runs").glob("part-*"))) == 3
    ts = out / "timeseries" / "part-00001.parquet"
    ts.write_bytes(ts.read_bytes()[: ts.stat().st_size // 2])  # a truncated time series
    (out / "runs" / "part-00002.parquet").write_bytes(b"")  # an empty runs part
    (out / "partnerships" / ".part-00009.parquet.tmp123").write_bytes(b"x")
    (out / ".sweep.json.tmp99").write_text("{")
    s = run_sweep(exp, out, workers=1, progress=False, resume=True)
    assert s.ran == 8 and s.skipped == 4  # parts 1 and 2 redone
    assert_same_tables(out, ref)
    assert not [p for p in out.rglob(".*")]

    meta = json.loads((out / "sweep.json").read_text())
    (out / "sweep.json").write_text(json.dumps({**meta, "collabsim_version": "0.0.1"}))
    with pytest.raises(
        UserError, match=f"made by collabsim 0.0.1 and this is collabsim {__version__}"
    ):
        run_sweep(exp, out, workers=1, progress=False, resume=True)
    (out / "sweep.json").write_text(json.dumps(meta)[:40])  # cut short
    with pytest.raises(UserError, match="sweep.json is missing or damaged, but .* 3 part"):
        run_sweep(exp, out, workers=1, progress=False, resume=True)
    (out / "sweep.json").unlink()
    with pytest.raises(UserError, match="missing or damaged"):
        run_sweep(exp, out, workers=1, progress=False, resume=True)


# --- 4. signals and orphans ------------------------------------------------------------------
def test_sigterm_flushes_exits_143_and_resume_completes_with_right_totals(tmp_path):
    exp_file = tmp_path / "term.toml"
    exp_file.write_text(TINY.read_text().replace("replicates = 3", "replicates = 25"))
    out = tmp_path / "o"
    body = (
        "import sys\nimport simulation.sweep.runner as r\nr.FLUSH_RUNS = 5\n"
        "from simulation.cli import main\nsys.exit(main(sys.argv[1:]))"
    )
    cmd = script(body) + ["sweep", str(exp_file), "--out", str(out), "--workers", "2", "--quiet"]
    p = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and not list((out / "runs").glob("part-*")):
        time.sleep(0.02)
    p.send_signal(signal.SIGTERM)
    stdout, stderr = p.communicate(timeout=30)
    assert p.returncode == 143, stderr
    n = len(pd.read_parquet(out / "runs"))
    assert 0 < n < 100
    assert f"interrupted: {n} run(s) this time, 0 already present, 100 in all" in stdout
    assert "--resume" in stderr
    done = subprocess.run(cmd + ["--resume"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert f"done: {100 - n} run(s) this time, {n} already present" in done.stdout
    runs = pd.read_parquet(out / "runs")
    assert len(runs) == 100 and runs.run_id.is_unique


def test_workers_are_gone_soon_after_the_parent_is_killed(tmp_path):
    psutil = pytest.importorskip("psutil")
    exp = small(tmp_path, replicates=10)
    (tmp_path / "exp.json").write_text(json.dumps(exp.raw))
    body = (
        "import json, sys\nsys.path.insert(0, sys.argv[1])\n"
        "import simulation.sweep.runner as r\nfrom simulation.sweep import parse_experiment\n"
        "from test_sweep_robust import sleepy\nr.FLUSH_RUNS = 1\n"
        "exp = parse_experiment(json.load(open(sys.argv[2])), source=sys.argv[2])\n"
        "r.run_sweep(exp, sys.argv[3], workers=2, progress=False, run_fn=sleepy)"
    )
    out = tmp_path / "o"
    p = subprocess.Popen(
        script(body) + [str(ROOT / "tests"), str(tmp_path / "exp.json"), str(out)], cwd=ROOT
    )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and not list((out / "runs").glob("part-*")):
        time.sleep(0.02)
    family = psutil.Process(p.pid).children(recursive=True)
    assert len(family) >= 3  # the forkserver and two workers at least
    os.kill(p.pid, signal.SIGKILL)
    p.wait()
    gone, alive = psutil.wait_procs(family, timeout=5)
    assert not alive, [(q.pid, q.name()) for q in alive]


# --- 5. timeouts ------------------------------------------------------------------------
def test_a_hung_run_times_out_and_the_others_reach_disk_while_it_hangs(tmp_path, monkeypatch):
    monkeypatch.setattr(sweep_runner, "FLUSH_SECONDS", 0.5)
    exp = small(tmp_path, timeout=20)  # generous: a loaded machine runs slowly
    # The hung run never ends by itself, so the sweep returning at all shows it was stopped;
    # no wall-clock bound (a loaded machine takes its time starting the pool).
    s = run_sweep(exp, tmp_path / "o", workers=2, progress=False, run_fn=hangs_for_one)
    runs = pd.read_parquet(tmp_path / "o" / "runs").set_index("run_id")
    assert len(runs) == 6 and s.failed == 1
    assert runs.loc["c00000-r0001"].status == "failed"
    assert runs.loc["c00000-r0001"].error.startswith("timeout")
    assert (runs.drop(index="c00000-r0001").status == "ok").all()
    assert (tmp_path / "seen").exists()  # the hung run saw the five others stored


@pytest.mark.parametrize("value", [0, -1, "10", float("inf"), float("nan"), True])
def test_bad_timeouts_are_user_errors_naming_the_key(tmp_path, value):
    with pytest.raises(UserError, match=r"exp.toml: timeout = .* is not allowed; allowed"):
        small(tmp_path, timeout=value)
    with pytest.raises(UserError, match="--timeout"):
        run_sweep(small(tmp_path), tmp_path / "o", timeout=value if value != "10" else -5)
    assert not (tmp_path / "o").exists()


def test_cli_timeout_flag_is_checked_before_anything_runs(tmp_path):
    out = tmp_path / "o"
    p = subprocess.run(
        CLI + ["sweep", str(TINY), "--out", str(out), "--timeout", "soon"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert p.returncode == 2 and p.stderr.count("\n") == 1
    assert "--timeout 'soon' is not allowed" in p.stderr and not out.exists()
    assert small(tmp_path, timeout=2.5).timeout == 2.5


# --- 6. cores and threads --------------------------------------------------------------------
def test_default_workers_follow_cpu_affinity():
    if not shutil.which("taskset"):
        pytest.skip("taskset not available")
    p = subprocess.run(
        [
            "taskset",
            "-c",
            "0",
            sys.executable,
            "-c",
            "from simulation.pools import worker_count; print(worker_count(None))",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "1"


def test_more_workers_than_cores_warns_once_and_uses_the_cores(tmp_path, capfd):
    s = run_sweep(load_experiment(TINY), tmp_path / "o", workers=64, progress=False)
    err = capfd.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--workers 64 is more than" in err[0] and s.ran == 12
    assert s.max_in_flight <= 2 * len(os.sched_getaffinity(0))


@pytest.mark.cluster
def test_dask_runs_in_flight_follow_the_clusters_threads(tmp_path):
    from distributed import LocalCluster

    exp = load_experiment(TINY)
    with LocalCluster(
        n_workers=3, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        s = run_sweep(exp, tmp_path / "o", dask=cluster.scheduler_address, progress=False)
    # 4 per thread, all 12 runs at once; the local core count would have said 4 x 2 = 8.
    assert s.max_in_flight == 12 and s.ran == 12 and s.failed == 0


# --- a scheduler that cannot be reached ---------------------------------------------------
@pytest.mark.cluster
def test_an_unreachable_scheduler_costs_one_line_and_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(sweep_runner, "DASK_CONNECT_TIMEOUT", "2s")
    exp = small(tmp_path)
    out = tmp_path / "o"
    with pytest.raises(SweepStopped, match="cannot reach the Dask scheduler") as err:
        run_sweep(exp, out, dask="tcp://127.0.0.1:1", progress=False)
    assert "\n" not in str(err.value)
    assert not out.exists()  # no folder, no sweep.json, no lock


def test_a_bad_dask_address_is_refused_by_the_api_too(tmp_path):
    with pytest.raises(UserError, match="dask"):
        run_sweep(small(tmp_path), tmp_path / "o", dask="foo://x", progress=False)
    assert not (tmp_path / "o").exists()


# --- a full disk ----------------------------------------------------------------------------
@pytest.fixture
def small_disk(tmp_path):
    """A 40 KiB tmpfs (root only; skipped elsewhere), and a way to make it bigger."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("needs root to mount a small tmpfs")
    r = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=40k", "tmpfs", str(disk)], capture_output=True
    )
    if r.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {r.stderr.decode().strip()}")

    def grow():
        subprocess.run(["mount", "-o", "remount,size=8m", str(disk)], check=True)

    try:
        yield disk, grow
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def test_a_full_disk_costs_one_line_keeps_what_was_written_and_resumes(
    small_disk, tmp_path, capsys
):
    from simulation.cli import main

    disk, grow = small_disk
    args = ["sweep", str(TINY), "--out", str(disk / "o"), "--workers", "1", "--quiet"]
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "No space left on device" in err[0] and "--resume" in err[0]
    grow()
    assert main([*args, "--resume"]) == 0
    assert (
        main(["sweep", str(TINY), "--out", str(tmp_path / "ref"), "--workers", "1", "--quiet"]) == 0
    )
    for table in ("runs", "timeseries", "partnerships"):
        got, want = comparable(disk / "o", table), comparable(tmp_path / "ref", table)
        pd.testing.assert_frame_equal(got, want)  # nothing lost, nothing twice


def test_a_run_on_a_full_disk_costs_one_line(small_disk, capsys):
    from simulation.cli import main

    disk, _ = small_disk
    assert main(["run", "--steps", "6", "--out", str(disk / "r"), "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "No space left on device" in err[0]
    assert not [p for p in disk.iterdir() if p.name != "lost+found"]  # nothing half-written


def test_a_second_interrupt_while_winding_down_exits_at_once(tmp_path):
    # The first Ctrl-C (or SIGTERM) starts an orderly wind-down; a second one during it ends
    # the process at once with 128 + the signal, whatever the wind-down was doing.
    code = """
import os, signal, sys, time
from simulation.sweep.runner import Signals
with Signals():
    try:
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(5)
    except KeyboardInterrupt:
        print("winding down", flush=True)
        os.kill(os.getpid(), signal.SIGTERM)  # the second signal
        time.sleep(30)  # a wind-down that would hang
print("not reached", flush=True)
"""
    t0 = time.monotonic()
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.stdout.strip() == "winding down"
    assert r.returncode == 128 + signal.SIGTERM
    assert time.monotonic() - t0 < 20
