"""A real Dask scheduler and two workers on 127.0.0.1 give the local pool's results."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from simulation.sweep import load_experiment, run_sweep

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def scheduler():
    port = free_port()
    addr = f"tcp://127.0.0.1:{port}"
    procs = [
        subprocess.Popen(
            [
                str(BIN / "dask"),
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--dashboard-address",
                ":0",
                "--no-show",
            ],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    ]
    time.sleep(1.0)
    for _ in range(2):
        procs.append(
            subprocess.Popen(
                [
                    str(BIN / "dask"),
                    "worker",
                    addr,
                    "--nthreads",
                    "1",
                    "--host",
                    "127.0.0.1",
                    "--no-dashboard",
                ],
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
    from distributed import Client

    with Client(addr, timeout="30s") as c:
        c.wait_for_workers(2, timeout=60)
    yield addr
    for p in reversed(procs):
        p.terminate()
    for p in procs:
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()


def table(out: Path, name: str, keys: list[str]) -> pd.DataFrame:
    df = pd.read_parquet(out / name)
    return (
        df.drop(columns=[c for c in ["duration_s"] if c in df])
        .sort_values(keys)
        .reset_index(drop=True)
    )


@pytest.mark.cluster
@pytest.mark.slow
def test_dask_cluster_matches_local_pool(scheduler, tmp_path):
    exp = load_experiment(ROOT / "experiments" / "tiny.toml")
    local = run_sweep(exp, tmp_path / "pool", workers=2, progress=False)
    dask = run_sweep(exp, tmp_path / "dask", workers=2, dask=scheduler, progress=False)
    assert local.failed == dask.failed == 0 and dask.ran == 12
    from distributed import Client

    with Client(scheduler) as c:  # the runs really went to the two worker processes
        assert len(c.scheduler_info()["workers"]) == 2
    for name, keys in (
        ("runs", ["run_id"]),
        ("timeseries", ["run_id", "month"]),
        ("partnerships", ["run_id", "partnership"]),
    ):
        pd.testing.assert_frame_equal(
            table(tmp_path / "pool", name, keys), table(tmp_path / "dask", name, keys)
        )
