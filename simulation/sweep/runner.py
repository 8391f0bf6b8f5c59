"""Run a sweep: serial, a local process pool, or a Dask cluster, streaming results to disk.

Each run is independent and seeded only by its own seed, so the results do not depend on
the number of workers or where they run. The parent keeps a bounded number of runs in
flight and a bounded buffer of finished ones, so its memory stays flat in the sweep size.
"""
from __future__ import annotations

import concurrent.futures as cf
import contextlib
import json
import multiprocessing as mp
import os
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from .. import __version__
from ..errors import UserError
from ..params import PARAMS
from ..readouts import columns
from . import store
from .designs import run_table
from .experiment import STOP_OPS, Experiment

FLUSH_RUNS = 25        # write a part at least every this many finished runs...
FLUSH_SECONDS = 5.0    # ...or this often, so a kill loses little work


@dataclass
class SweepSummary:
    out: Path
    total: int
    ran: int
    skipped: int
    failed: int
    interrupted: bool
    seconds: float


_OUTCOMES: list[str] | None = None


def outcome_names() -> list[str]:
    """Names of the scalar outcomes (the keys of ``readouts.headline``), from a tiny run."""
    global _OUTCOMES
    if _OUTCOMES is None:
        from ..run import simulate
        _OUTCOMES = list(simulate("baseline", seed=0, steps=1, params={"n_orgs": 8}).outcomes)
    return _OUTCOMES


def _arrow_type(name: str) -> pa.DataType:
    kind = PARAMS[name].kind
    return {int: pa.int64(), float: pa.float64(), bool: pa.bool_(), str: pa.string()}[kind]


def schemas(exp: Experiment) -> dict[str, pa.Schema]:
    runs = [("run_id", pa.string()), ("condition", pa.int64()), ("replicate", pa.int64()),
            ("seed", pa.int64()), ("status", pa.string()), ("duration_s", pa.float64()),
            ("error", pa.string()), ("version", pa.string()), ("months_run", pa.int64()),
            ("params_json", pa.string())]
    runs += [(f.name, _arrow_type(f.name)) for f in exp.factors]
    runs += [(o, pa.float64()) for o in outcome_names()]
    key = [("run_id", pa.string()), ("condition", pa.int64()), ("replicate", pa.int64())]
    ts = key + [("month", pa.int64())] + [(c, pa.float64()) for c in columns() if c != "month"]
    ps = key + [("partnership", pa.int64()), ("formed", pa.int64()), ("ended", pa.int64()),
                ("duration", pa.int64()), ("censored", pa.bool_()), ("cause", pa.string())]
    return {"runs": pa.schema(runs), "timeseries": pa.schema(ts), "partnerships": pa.schema(ps)}


def _partnerships(events: pd.DataFrame, last_month: int) -> pd.DataFrame:
    """One row per partnership: formation month, end month and cause (censored if ongoing)."""
    kind = events["event"].to_numpy()
    pid = events["partnership"].to_numpy()
    month = events["month"].to_numpy()
    cause = events["cause"].to_numpy()
    formed = kind == "formed"
    end = {}
    for p, m, c in zip(pid[kind == "ended"], month[kind == "ended"], cause[kind == "ended"]):
        end.setdefault(int(p), (int(m), str(c)))
    ids = pid[formed].astype("int64")
    start = month[formed].astype("int64")
    stop = np.array([end.get(int(p), (-1, ""))[0] for p in ids], dtype="int64")
    censored = stop < 0
    return pd.DataFrame({
        "partnership": ids, "formed": start,
        "ended": pd.arrays.IntegerArray(np.where(censored, 0, stop), censored),
        "cause": [end.get(int(p), (-1, ""))[1] for p in ids], "censored": censored,
        "duration": np.where(censored, last_month, stop) - start})


def simulate_run(exp: Experiment, task: dict) -> dict[str, Any]:
    """The default run function: one model run for one (condition, replicate)."""
    from ..run import simulate
    stop = None
    if exp.stop is not None:
        col, op, value = exp.stop
        fn = STOP_OPS[op]
        stop = lambda m: fn(m.readout[col], value)  # noqa: E731 (built inside the worker)
    result = simulate(exp.scenario, seed=int(task["seed"]), steps=exp.steps,
                      params={**exp.fixed, **task["values"]}, stop_when=stop)
    return {"params": result.params, "outcomes": result.outcomes,
            "timeseries": result.timeseries, "events": result.events}


def execute(exp: Experiment, task: dict, run_fn: Callable | None = None) -> dict[str, Any]:
    """Run one task in a worker and return plain tables; errors become a failed record."""
    fn = run_fn or simulate_run
    t0 = time.perf_counter()
    row = {"run_id": task["run_id"], "condition": task["condition"],
           "replicate": task["replicate"], "seed": task["seed"], "version": __version__,
           **task["values"]}
    try:
        res = fn(exp, task)
    except Exception as exc:  # a failed run is data, not a reason to stop the sweep
        tb = traceback.extract_tb(exc.__traceback__)
        where = f" at {Path(tb[-1].filename).name}:{tb[-1].lineno}" if tb else ""
        row.update(status="failed", error=f"{type(exc).__name__}: {exc}{where}",
                   duration_s=time.perf_counter() - t0, months_run=0, params_json=None)
        return {"row": row, "timeseries": None, "partnerships": None}
    ts = res["timeseries"]
    last = int(ts["month"].iloc[-1]) if len(ts) else 0
    k = exp.record_every
    keep = (ts["month"] == last) if k == 0 else ((ts["month"] % k == 0) | (ts["month"] == last))
    ts = ts.loc[keep].copy()
    for name, value in (("run_id", task["run_id"]), ("condition", task["condition"]),
                        ("replicate", task["replicate"])):
        ts.insert(0, name, value)
    ps = _partnerships(res["events"], last)
    for name, value in (("run_id", task["run_id"]), ("condition", task["condition"]),
                        ("replicate", task["replicate"])):
        ps.insert(0, name, value)
    row.update(status="ok", error=None, duration_s=time.perf_counter() - t0, months_run=last,
               params_json=json.dumps(res["params"], sort_keys=True, default=_plain),
               **{k: float(v) for k, v in res["outcomes"].items()})
    return {"row": row, "timeseries": ts, "partnerships": ps}


def _plain(x):
    return x.item() if isinstance(x, np.generic) else str(x)


class _Writer:
    """Buffers finished runs and writes them as one numbered part per flush."""

    def __init__(self, out: Path, exp: Experiment):
        self.out, self.schemas = out, schemas(exp)
        nums = store.part_numbers(out, "runs")
        self.next = max(nums) + 1 if nums else 0
        self.buf: list[dict] = []
        self.last = time.monotonic()

    def add(self, result: dict) -> None:
        self.buf.append(result)
        if len(self.buf) >= FLUSH_RUNS or time.monotonic() - self.last > FLUSH_SECONDS:
            self.flush()

    def flush(self) -> None:
        if not self.buf:
            return
        for name in store.TABLES:
            if name == "runs":
                rows = [r["row"] for r in self.buf]
                table = pa.Table.from_pylist(rows, schema=self.schemas["runs"])
            else:
                frames = [r[name] for r in self.buf if r[name] is not None and len(r[name])]
                schema = self.schemas[name]
                if frames:
                    df = pd.concat(frames, ignore_index=True)
                    df = df[[f.name for f in schema]]
                    table = pa.Table.from_pandas(df, schema=schema, preserve_index=False)
                else:
                    table = schema.empty_table()
            store.write_part(self.out, name, self.next, table)
        self.next += 1
        self.buf.clear()
        self.last = time.monotonic()


def _prepare(exp: Experiment, out: Path, resume: bool, tasks: list[dict]) -> set[str]:
    meta_path = out / "sweep.json"
    if out.exists() and any(out.iterdir()):
        if not resume:
            raise UserError(f"output directory {out} already holds results; "
                            "use --resume to continue it or --out for a new one")
        if not meta_path.is_file():
            raise UserError(f"cannot resume: {out} has no sweep.json (not a sweep directory)")
        meta = json.loads(meta_path.read_text())
        if meta.get("fingerprint") != exp.fingerprint():
            raise UserError(f"cannot resume: {out} was made by a different experiment "
                            f"({meta.get('source')}); use a new --out")
        store.repair(out)
        return store.done_run_ids(out)
    out.mkdir(parents=True, exist_ok=True)
    conds = {t["condition"]: t["values"] for t in tasks}
    store.write_json(meta_path, {
        "name": exp.name, "source": exp.source, "description": exp.description,
        "fingerprint": exp.fingerprint(), "experiment": exp.raw, "scenario": exp.scenario,
        "design": exp.design, "factors": [f.name for f in exp.factors],
        "conditions": [conds[c] for c in sorted(conds)], "replicates": exp.replicates,
        "base_seed": exp.base_seed, "steps": exp.steps, "total_runs": len(tasks),
        "collabsim_version": __version__})
    return set()


#: Modules the forkserver imports once, so that each worker it forks starts with them.
PRELOAD = ["simulation.sweep.runner", "simulation.run"]
#: One thread per library in the forkserver and its workers (unless the user set otherwise):
#: a process that forks should hold no threads, and a pool wants one thread per worker.
ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
              "JE_ARROW_MALLOC_CONF": "background_thread:false"}


def _warm_forkserver():
    """The forkserver context, its server started now and importing the model in the background.

    Without this every worker is a fresh interpreter importing collabsim, Mesa and pandas
    (about 1.5 s of CPU each) before its first run. With it, that import happens once, in
    the forkserver, while the parent gets on with other work, and workers are forked from
    it ready to run. Runs do not depend on any of this: each is seeded by its own seed.
    """
    from multiprocessing import forkserver
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)
    added = [k for k in ONE_THREAD if k not in os.environ]
    os.environ.update({k: ONE_THREAD[k] for k in added})
    try:
        forkserver.ensure_running()   # no-op if an earlier sweep started it
    finally:
        for k in added:
            os.environ.pop(k, None)
    return ctx


def _executor(workers: int, dask: str | None):
    """(executor, closer) for the chosen backend; None executor means run in-process."""
    if dask:
        from distributed import Client, LocalCluster
        if dask == "local":
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None)
            client = Client(cluster)
        else:
            cluster, client = None, Client(dask, timeout="30s")

        def close():
            client.close()
            if cluster is not None:
                cluster.close()
        return client.get_executor(pure=False), close
    if workers == 1:
        return None, lambda: None
    pool = cf.ProcessPoolExecutor(max_workers=workers, mp_context=_warm_forkserver())
    return pool, lambda: pool.shutdown(wait=True, cancel_futures=True)


def _worker_up() -> int:
    return os.getpid()


def _start_first_worker(pool: cf.ProcessPoolExecutor) -> threading.Thread:
    """Start the pool's first worker from a thread (the call blocks until it exists)."""
    def start():
        # A broken or closed pool (both RuntimeErrors) shows itself again at the next submit.
        with contextlib.suppress(RuntimeError):
            pool.submit(_worker_up)
    thread = threading.Thread(target=start, name="collabsim-pool-start", daemon=True)
    thread.start()
    return thread


def run_sweep(exp: Experiment, out: str | Path, *, workers: int | None = None,
              dask: str | None = None, resume: bool = False, progress: bool = True,
              run_fn: Callable | None = None) -> SweepSummary:
    """Run every missing run of ``exp`` into ``out``; see :mod:`simulation.sweep.store`."""
    t0 = time.perf_counter()
    out = Path(out)
    workers = int(workers or os.cpu_count() or 1)
    if workers < 1:
        raise UserError(f"--workers {workers} is not allowed; allowed: an integer >= 1")
    tasks = run_table(exp)          # validates every design point before any run
    done = _prepare(exp, out, resume, tasks)
    todo = [t for t in tasks if t["run_id"] not in done]
    # Started before the parent's own preparations, so that workers' start-up overlaps them.
    executor, close = (None, lambda: None) if not todo else _executor(workers, dask)
    writer = _Writer(out, exp)
    failed = 0
    from tqdm import tqdm
    bar = tqdm(total=len(tasks), initial=len(tasks) - len(todo), unit="run", disable=not progress,
               desc=exp.name, file=sys.stderr, dynamic_ncols=True)

    def finish(result):
        nonlocal failed
        failed += result["row"]["status"] != "ok"
        writer.add(result)
        bar.update(1)
        bar.set_postfix(failed=failed, refresh=False)

    interrupted = False
    try:
        if executor is None:
            for task in todo:
                finish(execute(exp, task, run_fn))
        else:
            queue = iter(todo)
            if not dask:
                # Starting a local worker waits for the forkserver's imports; meanwhile the
                # parent, which has everything imported already, takes runs itself.
                starting = _start_first_worker(executor)
                while starting.is_alive() and (task := next(queue, None)) is not None:
                    finish(execute(exp, task, run_fn))
                starting.join()
            limit = 4 * workers
            pending: dict[cf.Future, dict] = {}
            while True:
                while len(pending) < limit and (task := next(queue, None)) is not None:
                    pending[executor.submit(execute, exp, task, run_fn)] = task
                if not pending:
                    break
                finished, _ = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
                for fut in finished:
                    task = pending.pop(fut)
                    try:
                        finish(fut.result())
                    except Exception as exc:   # the worker itself died
                        finish({"row": {"run_id": task["run_id"], "condition": task["condition"],
                                        "replicate": task["replicate"], "seed": task["seed"],
                                        "version": __version__, **task["values"],
                                        "status": "failed", "months_run": 0,
                                        "error": f"{type(exc).__name__}: {exc}"},
                                "timeseries": None, "partnerships": None})
    except KeyboardInterrupt:
        interrupted = True
    finally:
        writer.flush()
        bar.close()
        close()
    total_failed = 0
    if store.part_numbers(out, "runs"):
        import pyarrow.parquet as pq
        status = pq.read_table(out / "runs", columns=["status"]).column("status").to_pylist()
        total_failed = sum(s != "ok" for s in status)
    return SweepSummary(out=out, total=len(tasks), ran=len(todo), skipped=len(done),
                        failed=total_failed, interrupted=interrupted,
                        seconds=time.perf_counter() - t0)


