"""Run a sweep: serial, a local process pool, or a Dask cluster, streaming results to disk.

Each run is independent and seeded only by its own seed, so the results do not depend on
the number of workers or where they run. The parent keeps a bounded number of runs in
flight and a bounded buffer of finished ones, so its memory stays flat in the sweep size.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import json
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from .. import __version__
from ..errors import UserError
from ..params import PARAMS
from ..provenance import provenance
from ..readouts import columns
from . import store
from .checks import check_run_result, check_workers
from .designs import run_table
from .experiment import Experiment
from .pool import warm_forkserver, worker_count

if TYPE_CHECKING:
    from ..run import RunResult

# A part is written every FLUSH_RUNS finished runs or FLUSH_SECONDS, whichever comes first:
# often enough that a kill loses little work and the parent's buffer stays small, and
# seldom enough for short runs, since writing a Parquet file costs about as much for one
# run's rows as for a hundred's (its cost is per column).
FLUSH_RUNS = 100
FLUSH_SECONDS = 5.0


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
    runs = [
        ("run_id", pa.string()),
        ("condition", pa.int64()),
        ("replicate", pa.int64()),
        ("seed", pa.int64()),
        ("status", pa.string()),
        ("duration_s", pa.float64()),
        ("error", pa.string()),
        ("version", pa.string()),
        ("months_run", pa.int64()),
        ("params_json", pa.string()),
    ]
    runs += [(f.name, _arrow_type(f.name)) for f in exp.factors]
    runs += [(o, pa.float64()) for o in outcome_names()]
    return {
        "runs": pa.schema(runs),
        "timeseries": _SCHEMA_TIMESERIES,
        "partnerships": _SCHEMA_PARTNERSHIPS,
    }


def _with_pandas_dtypes(schema: pa.Schema, dtypes: dict[str, str]) -> pa.Schema:
    """``schema`` carrying pandas metadata, so that pandas reads these columns as ``dtypes``."""
    frame = schema.empty_table().to_pandas().astype(dtypes)
    return schema.with_metadata(pa.Schema.from_pandas(frame, preserve_index=False).metadata)


_KEY = [("run_id", pa.string()), ("condition", pa.int64()), ("replicate", pa.int64())]
_TS_VALUES = [c for c in columns() if c != "month"]
_SCHEMA_TIMESERIES = pa.schema(
    _KEY + [("month", pa.int64())] + [(c, pa.float64()) for c in _TS_VALUES]
)
# "ended" is null while a partnership is ongoing: pandas should read it as nullable integers.
_SCHEMA_PARTNERSHIPS = _with_pandas_dtypes(
    pa.schema(
        _KEY
        + [
            ("partnership", pa.int64()),
            ("formed", pa.int64()),
            ("ended", pa.int64()),
            ("duration", pa.int64()),
            ("censored", pa.bool_()),
            ("cause", pa.string()),
        ]
    ),
    {"ended": "Int64"},
)


# A finished run travels from worker to parent as its ``runs`` row plus plain numpy arrays
# (one 2-D block for its recorded months, one array per partnership field), which pickle as
# a few buffers each; the parent adds the run's key columns and builds one Arrow table per
# part. Pickling Arrow tables or DataFrames instead costs per column, on both sides.


def _timeseries(recorded: dict[str, list], keep: np.ndarray) -> dict[str, np.ndarray]:
    """The kept months of one run, straight from the model's DataCollector."""
    values = np.empty((int(keep.sum()), len(_TS_VALUES)))
    for j, c in enumerate(_TS_VALUES):
        values[:, j] = np.asarray(recorded[c], dtype=np.float64)[keep]
    return {"month": np.asarray(recorded["month"], dtype=np.int64)[keep], "values": values}


def _partnerships(events: list[dict], last_month: int) -> dict[str, np.ndarray]:
    """One entry per partnership: formation month, end month and cause (censored if ongoing)."""
    end: dict[int, tuple[int, str]] = {}
    formed = []
    for e in events:
        if e["event"] == "formed":
            formed.append((e["partnership"], e["month"]))
        elif e["event"] == "ended":
            end.setdefault(e["partnership"], (e["month"], e["cause"]))
    start = np.array([m for _, m in formed], dtype=np.int64)
    stop = np.array([end.get(p, (-1, ""))[0] for p, _ in formed], dtype=np.int64)
    censored = stop < 0
    return {
        "partnership": np.array([p for p, _ in formed], dtype=np.int64),
        "formed": start,
        "ended": stop,
        "duration": np.where(censored, last_month, stop) - start,
        "censored": censored,
        "cause": np.array([end.get(p, (-1, ""))[1] for p, _ in formed], dtype=object),
    }


def _key_columns(results: list[dict], lengths: list[int]) -> list[pa.Array]:
    return [pa.array(np.repeat([r["row"][k] for r in results], lengths), kind) for k, kind in _KEY]


def _timeseries_table(results: list[dict]) -> pa.Table:
    parts = [r["timeseries"] for r in results]
    values = np.concatenate([p["values"] for p in parts])
    return pa.Table.from_arrays(
        _key_columns(results, [p["month"].size for p in parts])
        + [pa.array(np.concatenate([p["month"] for p in parts]))]
        + [pa.array(values[:, j]) for j in range(values.shape[1])],
        schema=_SCHEMA_TIMESERIES,
    )


def _partnerships_table(results: list[dict]) -> pa.Table:
    parts = [r["partnerships"] for r in results]
    col = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    return pa.Table.from_arrays(
        _key_columns(results, [p["partnership"].size for p in parts])
        + [
            pa.array(col["partnership"]),
            pa.array(col["formed"]),
            pa.array(col["ended"], mask=col["censored"]),
            pa.array(col["duration"]),
            pa.array(col["censored"]),
            pa.array(col["cause"], pa.string()),
        ],
        schema=_SCHEMA_PARTNERSHIPS,
    )


def simulate_run(exp: Experiment, task: dict) -> RunResult:
    """The default run function: one model run for one (condition, replicate)."""
    from ..run import simulate

    return simulate(
        exp.scenario,
        seed=int(task["seed"]),
        steps=exp.steps,
        params={**exp.fixed, **task["values"]},
        stop_when=exp.stop.holds if exp.stop is not None else None,
    )


def execute(exp: Experiment, task: dict, run_fn: Callable | None = None) -> dict[str, Any]:
    """Run one task in a worker and return its row and arrays; errors become a failed record."""
    fn = run_fn or simulate_run
    t0 = time.perf_counter()
    row = {
        "run_id": task["run_id"],
        "condition": task["condition"],
        "replicate": task["replicate"],
        "seed": task["seed"],
        "version": __version__,
        **task["values"],
    }
    try:
        result = fn(exp, task)
        check_run_result(result, outcome_names())
    except Exception as exc:  # a failed run is data, not a reason to stop the sweep
        tb = traceback.extract_tb(exc.__traceback__)
        where = f" at {Path(tb[-1].filename).name}:{tb[-1].lineno}" if tb else ""
        row.update(
            status="failed",
            error=f"{type(exc).__name__}: {exc}{where}",
            duration_s=time.perf_counter() - t0,
            months_run=0,
            params_json=None,
        )
        return {"row": row, "timeseries": None, "partnerships": None}
    model = result.model
    recorded = model.datacollector.model_vars
    months = np.asarray(recorded["month"], dtype=np.int64)
    last = int(months[-1]) if months.size else 0
    k = exp.record_every
    keep = (months == last) if k == 0 else ((months % k == 0) | (months == last))
    ts = _timeseries(recorded, keep)
    ps = _partnerships(model.events, last)
    row.update(
        status="ok",
        error=None,
        duration_s=time.perf_counter() - t0,
        months_run=last,
        params_json=json.dumps(result.params, sort_keys=True, default=_plain),
        **{k: float(v) for k, v in result.outcomes.items()},
    )
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
        ok = [r for r in self.buf if r["timeseries"] is not None]
        tables = {
            "runs": pa.Table.from_pylist([r["row"] for r in self.buf], schema=self.schemas["runs"]),
            "timeseries": _timeseries_table(ok) if ok else _SCHEMA_TIMESERIES.empty_table(),
            "partnerships": _partnerships_table(ok) if ok else _SCHEMA_PARTNERSHIPS.empty_table(),
        }
        for name in store.TABLES:
            store.write_part(self.out, name, self.next, tables[name])
        self.next += 1
        self.buf.clear()
        self.last = time.monotonic()


def _prepare(exp: Experiment, out: Path, resume: bool, tasks: list[dict]) -> set[str]:
    meta_path = out / "sweep.json"
    if out.exists() and any(out.iterdir()):
        if not resume:
            raise UserError(
                f"output directory {out} already holds results; "
                "use --resume to continue it or --out for a new one"
            )
        if not meta_path.is_file():
            raise UserError(f"cannot resume: {out} has no sweep.json (not a sweep directory)")
        meta = json.loads(meta_path.read_text())
        if meta.get("fingerprint") != exp.fingerprint():
            raise UserError(
                f"cannot resume: {out} was made by a different experiment "
                f"({meta.get('source')}); use a new --out"
            )
        store.repair(out)
        # Each resume may run under other versions or another command: record it too.
        meta.setdefault("resumed", []).append(provenance())
        store.write_json(meta_path, meta)
        return store.done_run_ids(out)
    out.mkdir(parents=True, exist_ok=True)
    conds = {t["condition"]: t["values"] for t in tasks}
    store.write_json(
        meta_path,
        {
            "name": exp.name,
            "source": exp.source,
            "description": exp.description,
            "fingerprint": exp.fingerprint(),
            "experiment": exp.raw,
            "scenario": exp.scenario,
            "design": exp.design,
            "factors": [f.name for f in exp.factors],
            "conditions": [conds[c] for c in sorted(conds)],
            "replicates": exp.replicates,
            "base_seed": exp.base_seed,
            "steps": exp.steps,
            "total_runs": len(tasks),
            "collabsim_version": __version__,
            "provenance": provenance(),
        },
    )
    return set()


def _executor(workers: int, dask: str | None):
    """(executor, closer) for the chosen backend; None executor means run in-process."""
    if dask:
        from distributed import Client, LocalCluster

        if dask == "local":
            cluster = LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
            )
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
    pool = cf.ProcessPoolExecutor(max_workers=workers, mp_context=warm_forkserver())
    return pool, lambda: pool.shutdown(wait=True, cancel_futures=True)


class _Queue:
    """The runs not yet started, drawn by the parent and by the thread that starts the pool."""

    def __init__(self, tasks: list[dict]):
        self._tasks = iter(tasks)
        self._back: list[dict] = []
        self._lock = threading.Lock()

    def take(self) -> dict | None:
        with self._lock:
            return self._back.pop() if self._back else next(self._tasks, None)

    def put_back(self, task: dict) -> None:
        with self._lock:
            self._back.append(task)


def run_sweep(
    exp: Experiment,
    out: str | Path,
    *,
    workers: int | None = None,
    dask: str | None = None,
    resume: bool = False,
    progress: bool = True,
    run_fn: Callable | None = None,
) -> SweepSummary:
    """Run every missing run of ``exp`` into ``out``; see :mod:`simulation.sweep.store`.

    ``run_fn(exp, task)`` runs one task and returns a :class:`~simulation.run.RunResult`
    (default :func:`simulate_run`); with a pool it must be importable by the workers.
    """
    t0 = time.perf_counter()
    out = Path(out)
    workers = worker_count(check_workers(workers))
    if workers < 1:
        raise UserError(f"--workers {workers} is not allowed; allowed: an integer >= 1")
    tasks = run_table(exp)  # validates every design point before any run
    done = _prepare(exp, out, resume, tasks)
    todo = [t for t in tasks if t["run_id"] not in done]
    # Started before the parent's own preparations, so that workers' start-up overlaps them.
    executor, close = (None, lambda: None) if not todo else _executor(workers, dask)
    writer = _Writer(out, exp)
    failed = 0
    from tqdm import tqdm

    bar = tqdm(
        total=len(tasks),
        initial=len(tasks) - len(todo),
        unit="run",
        disable=not progress,
        desc=exp.name,
        file=sys.stderr,
        dynamic_ncols=True,
    )

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
            queue = _Queue(todo)
            limit = 4 * workers
            pending: dict[cf.Future, dict] = {}

            def fill() -> None:
                while len(pending) < limit and (task := queue.take()) is not None:
                    try:
                        pending[executor.submit(execute, exp, task, run_fn)] = task
                    except BaseException:
                        queue.put_back(task)  # not started, so not lost
                        raise

            def start() -> None:
                # A broken or shut-down pool raises again at the parent's next submit.
                with contextlib.suppress(RuntimeError):
                    fill()

            if not dask:
                # Starting a local worker waits for the forkserver's imports. A thread does
                # that waiting and hands the pool its first runs the moment a worker exists;
                # meanwhile the parent, which has everything imported, takes runs itself.
                starter = threading.Thread(target=start, name="collabsim-pool-start", daemon=True)
                starter.start()
                while starter.is_alive() and (task := queue.take()) is not None:
                    finish(execute(exp, task, run_fn))
                starter.join()
            while True:
                fill()
                if not pending:
                    break
                finished, _ = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
                for fut in finished:
                    task = pending.pop(fut)
                    try:
                        finish(fut.result())
                    except Exception as exc:  # the worker itself died
                        finish(
                            {
                                "row": {
                                    "run_id": task["run_id"],
                                    "condition": task["condition"],
                                    "replicate": task["replicate"],
                                    "seed": task["seed"],
                                    "version": __version__,
                                    **task["values"],
                                    "status": "failed",
                                    "months_run": 0,
                                    "error": f"{type(exc).__name__}: {exc}",
                                },
                                "timeseries": None,
                                "partnerships": None,
                            }
                        )
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
    return SweepSummary(
        out=out,
        total=len(tasks),
        ran=len(todo),
        skipped=len(done),
        failed=total_failed,
        interrupted=interrupted,
        seconds=time.perf_counter() - t0,
    )
