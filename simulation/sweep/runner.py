"""Run a sweep: serial, a local process pool, or a Dask cluster, streaming results to disk.

Each run is independent and seeded only by its own seed, so the results do not depend on
the number of workers or where they run. The parent keeps a bounded number of runs in
flight and a bounded buffer of finished ones, so its memory stays flat in the sweep size.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import json
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from .. import __version__, files, pools
from ..errors import UserError
from ..org_records import network_filename, panel_schema, panel_table, write_graphml
from ..params import PARAMS
from ..partnership_records import arrow_schema, arrow_table, partnership_columns
from ..provenance import provenance, source_digest
from ..readouts import columns
from . import store
from .checks import check_dask, check_run_result, check_workers, duration
from .designs import arms, run_table
from .experiment import Experiment, check_timeout, design_size
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
    signal: int | None = None  # the signal that interrupted the sweep (SIGINT, SIGTERM)
    max_in_flight: int = 0  # the most runs handed to workers at once
    worker_deaths: int = 0  # workers that died under a run (the runs went on elsewhere)


class SweepStopped(RuntimeError):
    """The sweep cannot go on for a reason outside any one run (the pool or the cluster
    cannot run tasks at all). The runs finished so far are saved; ``--resume`` continues."""


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
    runs += [(f.name, _arrow_type(f.name)) for f in (*exp.factors, *exp.arms)]
    runs += [(o, pa.float64()) for o in outcome_names()]
    runs += [(m.name, pa.float64()) for m in exp.measures]
    return {
        "runs": pa.schema(runs),
        "timeseries": _SCHEMA_TIMESERIES,
        "partnerships": _SCHEMA_PARTNERSHIPS,
        "organisations": _SCHEMA_ORGANISATIONS,
    }


_KEY = [("run_id", pa.string()), ("condition", pa.int64()), ("replicate", pa.int64())]
_TS_VALUES = [c for c in columns() if c != "month"]
_SCHEMA_TIMESERIES = pa.schema(
    _KEY + [("month", pa.int64())] + [(c, pa.float64()) for c in _TS_VALUES]
)
# One row per partnership, typed by simulation.partnership_records (the same table a single
# run writes), after the run's key columns and seed.
_PS_KEY = (*_KEY, ("seed", pa.int64()))
_SCHEMA_PARTNERSHIPS = arrow_schema(_PS_KEY)
# One row per organisation per panel month (simulation.org_records), keyed likewise.
_SCHEMA_ORGANISATIONS = panel_schema(_PS_KEY)


# A finished run travels from worker to parent as its ``runs`` row plus plain numpy arrays
# (one 2-D block for its recorded months, one array per partnership column), which pickle as
# a few buffers each; the parent adds the run's key columns and builds one Arrow table per
# part. Pickling Arrow tables or DataFrames instead costs per column, on both sides.


def _timeseries(recorded: dict[str, list], keep: np.ndarray) -> dict[str, np.ndarray]:
    """The kept months of one run, straight from the model's DataCollector."""
    values = np.empty((int(keep.sum()), len(_TS_VALUES)))
    for j, c in enumerate(_TS_VALUES):
        values[:, j] = np.asarray(recorded[c], dtype=np.float64)[keep]
    return {"month": np.asarray(recorded["month"], dtype=np.int64)[keep], "values": values}


def _key_columns(results: list[dict], lengths: list[int], keys=_KEY) -> list[pa.Array]:
    return [pa.array(np.repeat([r["row"][k] for r in results], lengths), kind) for k, kind in keys]


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
    cols = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    keys = _key_columns(results, [p["partnership"].size for p in parts], _PS_KEY)
    return arrow_table(cols, _PS_KEY, keys)


def _organisations_table(results: list[dict]) -> pa.Table:
    parts = [r["organisations"] for r in results if r.get("organisations") is not None]
    if not parts:
        return _SCHEMA_ORGANISATIONS.empty_table()
    cols = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    with_panel = [r for r in results if r.get("organisations") is not None]
    keys = _key_columns(with_panel, [p["month"].size for p in parts], _PS_KEY)
    return panel_table(cols, _PS_KEY, keys)


def network_path(out: Path, run_id: str, month: int) -> Path:
    """Where a sweep keeps run ``run_id``'s network snapshot at ``month``."""
    return Path(out) / "networks" / network_filename(month, f"{run_id}-")


def _write_networks(out: Path, results: list[dict]) -> None:
    for r in results:
        for month, net in (r.get("networks") or {}).items():
            path = network_path(out, r["row"]["run_id"], month)
            path.parent.mkdir(exist_ok=True)
            row = r["row"]
            graph = {k: row[k] for k in ("run_id", "condition", "replicate", "seed")}
            with files.atomic_path(path) as tmp:
                write_graphml(net, tmp, graph)


def simulate_run(exp: Experiment, task: dict) -> RunResult:
    """The default run function: one model run for one (condition, replicate)."""
    from ..run import simulate

    return simulate(
        exp.scenario,
        seed=int(task["seed"]),
        steps=exp.steps,
        params={**exp.fixed, **task["values"]},
        stop_when=exp.stop.holds if exp.stop is not None else None,
        record=exp.recording,
    )


def execute(exp: Experiment, task: dict, run_fn: Callable | None = None) -> dict[str, Any]:
    """Run one task in a worker and return its row and arrays; errors become a failed record."""
    fn = run_fn or simulate_run
    pools.announce(task["run_id"])
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
        # Every month the model recorded, whatever record_every keeps on disk.
        recorded = result.model.datacollector.model_vars
        measures = {m.name: m.evaluate(recorded) for m in exp.measures}
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
        return _no_data(row)
    model = result.model
    months = np.asarray(recorded["month"], dtype=np.int64)
    last = int(months[-1]) if months.size else 0
    k = exp.record_every
    keep = (months == last) if k == 0 else ((months % k == 0) | (months == last))
    ts = _timeseries(recorded, keep)
    ps = partnership_columns(model.state, model.p)
    row.update(
        status="ok",
        error=None,
        duration_s=time.perf_counter() - t0,
        months_run=last,
        params_json=json.dumps(result.params, sort_keys=True, default=_plain),
        **{k: float(v) for k, v in result.outcomes.items()},
        **measures,
    )
    rec = getattr(result, "records", None)  # a run function of one's own may keep none
    return {
        "row": row,
        "timeseries": ts,
        "partnerships": ps,
        "organisations": rec.panel if rec is not None else None,
        "networks": rec.networks if rec is not None else {},
    }


def _no_data(row: dict) -> dict[str, Any]:
    return {"row": row, "timeseries": None, "partnerships": None, "organisations": None}


def _plain(x):
    return x.item() if isinstance(x, np.generic) else str(x)


class _Writer:
    """Buffers finished runs and writes them as one numbered part per flush."""

    def __init__(self, out: Path, exp: Experiment):
        self.out, self.schemas = out, schemas(exp)
        self.panel = bool(exp.recording.panel_every)
        nums = set().union(*(store.part_numbers(out, t) for t in store.TABLES))
        self.next = max(nums) + 1 if nums else 0
        self.buf: list[dict] = []
        self.last = time.monotonic()

    def add(self, result: dict) -> None:
        self.buf.append(result)
        self.tick()

    def tick(self) -> None:
        """Flush if the buffer is full or has waited FLUSH_SECONDS (called while runs go on)."""
        if len(self.buf) >= FLUSH_RUNS or (
            self.buf and time.monotonic() - self.last > FLUSH_SECONDS
        ):
            self.flush()

    def flush(self) -> None:
        if not self.buf:
            return
        ok = [r for r in self.buf if r["timeseries"] is not None]
        tables = {
            "runs": pa.Table.from_pylist([r["row"] for r in self.buf], schema=self.schemas["runs"]),
            "timeseries": _timeseries_table(ok) if ok else _SCHEMA_TIMESERIES.empty_table(),
            "partnerships": _partnerships_table(ok) if ok else _SCHEMA_PARTNERSHIPS.empty_table(),
            "organisations": _organisations_table(ok),
        }
        _write_networks(self.out, ok)  # before the runs part, which commits them too
        for name in store.TABLES:
            if name != "organisations" or self.panel:
                store.write_part(self.out, name, self.next, tables[name])
        self.next += 1
        self.buf.clear()
        self.last = time.monotonic()


def _read_meta(path: Path) -> dict | None:
    """``sweep.json``, or None if it is missing, empty or not whole."""
    try:
        meta = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) else None


def _prepare(exp: Experiment, out: Path, resume: bool, tasks: list[dict]) -> set[str]:
    """Check ``out`` and bring it to a state to write to; the ids of the runs already done."""
    meta_path = out / "sweep.json"
    if store.has_results(out):
        if not resume:
            raise UserError(
                f"output directory {out} already holds results; "
                "use --resume to continue it or --out for a new one"
            )
        meta = _read_meta(meta_path)
        parts = store.part_numbers(out, "runs")
        if meta is None and parts:
            raise UserError(
                f"cannot resume: {meta_path} is missing or damaged, but {out} holds "
                f"{len(parts)} part(s) of results; restore sweep.json (from a backup or a copy "
                "of this folder) to resume, or start again with a new --out"
            )
        if meta is None and meta_path.exists():
            meta_path.unlink()  # damaged before any run was stored: start the folder again
        elif meta is None:
            raise UserError(f"cannot resume: {out} has no sweep.json (not a sweep directory)")
        else:
            if meta.get("fingerprint") != exp.fingerprint():
                raise UserError(
                    f"cannot resume: {out} was made by a different experiment "
                    f"({meta.get('source')}); use a new --out"
                )
            made_by = meta.get("collabsim_version")
            if made_by != __version__:
                raise UserError(
                    f"cannot resume: {out} was made by collabsim {made_by} and this is "
                    f"collabsim {__version__}; resume it with {made_by}, or use a new --out"
                )
            made_from = (meta.get("provenance") or {}).get("source_digest")
            if made_from is not None and made_from != source_digest():
                raise UserError(
                    f"cannot resume: {out} was made by other code (source digest "
                    f"{made_from}; this install's is {source_digest()}); resume it with the "
                    "code that began it, or use a new --out"
                )
            stale = store.stale_tables(out, schemas(exp))
            if stale:
                raise UserError(
                    f"cannot resume: the {', '.join(stale)} table(s) in {out} were written with "
                    "another layout (by an earlier collabsim); use a new --out"
                )
            for note in store.repair(out):
                print(f"collabsim: {out}: {note}", file=sys.stderr)
            retried = store.drop_failed(out)
            if retried:
                print(f"collabsim: {out}: {retried} failed run(s) will run again", file=sys.stderr)
            # Each resume may run under other versions or another command: record it too.
            meta.setdefault("resumed", []).append(provenance())
            store.write_json(meta_path, meta)
            return store.done_run_ids(out)
    store.repair(out)  # temporary files of a writer killed before sweep.json landed
    conds = {t["condition"]: t["values"] for t in tasks}
    crossed = arms(exp) if exp.arms else []
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
            # Every varied parameter (sampled, then crossed): the runs table's columns.
            "factors": [f.name for f in (*exp.factors, *exp.arms)],
            "crossed": [f.name for f in exp.arms],
            "arms": crossed,
            "measures": {m.name: m.text for m in exp.measures},
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


def _one_line(exc: BaseException) -> str:
    """``Type: message`` on one line, with the exception that caused it, if any."""
    text = f"{type(exc).__name__}: {' '.join(str(exc).split())}"
    cause = exc.__cause__ or exc.__context__
    if cause is None or type(cause).__name__ == "_RemoteTraceback":  # a worker's traceback
        return text
    return f"{text} (from {_one_line(cause)})"


def _failed(task: dict, error: str) -> dict[str, Any]:
    """The record of a run that left no result of its own (its worker died or it timed out)."""
    row = {
        "run_id": task["run_id"],
        "condition": task["condition"],
        "replicate": task["replicate"],
        "seed": task["seed"],
        "version": __version__,
        **task["values"],
        "status": "failed",
        "months_run": 0,
        "error": error,
    }
    return _no_data(row)


class _Queue:
    """The runs not yet started; runs handed back (their pool broke first) come out first."""

    def __init__(self, tasks: list[dict]):
        self._tasks = iter(tasks)
        self._back: list[dict] = []

    def take(self) -> dict | None:
        return self._back.pop() if self._back else next(self._tasks, None)

    def put_back(self, task: dict) -> None:
        self._back.append(task)


class Signals:
    """SIGINT and SIGTERM end the sweep as Ctrl-C does (finished runs flushed, resumable);
    a second one while it winds down exits at once."""

    def __init__(self):
        self.received: int | None = None
        self._old: dict = {}

    def _handle(self, signum, frame):
        if self.received is not None:
            os._exit(128 + signum)
        self.received = signum
        raise KeyboardInterrupt

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            for s in (signal.SIGINT, signal.SIGTERM):
                self._old[s] = signal.signal(s, self._handle)
        return self

    def __exit__(self, *exc):
        for s, old in self._old.items():
            signal.signal(s, old)


class _Local:
    """The local pools: ``main`` with the sweep's workers, and ``alone``, one worker that runs
    again, one at a time, the runs that were running when a worker died. A run whose worker
    dies while it runs alone has killed its worker twice, and is recorded as failed; every
    other run goes on. Workers announce each run they start, so the parent knows which
    process runs what, since when (for the timeout), and which runs a death interrupted."""

    def __init__(self, workers: int):
        self.ctx = warm_forkserver()
        self.started = self.ctx.SimpleQueue()
        self.size = {"main": workers, "alone": 1}
        self.pools = {name: self._new(name) for name in self.size}

    def _new(self, name: str) -> cf.ProcessPoolExecutor:
        return cf.ProcessPoolExecutor(
            max_workers=self.size[name],
            mp_context=self.ctx,
            initializer=pools.worker_init,
            initargs=(os.getpid(), self.started),
        )

    def replace(self, name: str, broken: cf.ProcessPoolExecutor) -> None:
        if self.pools[name] is broken:
            broken.shutdown(wait=False, cancel_futures=True)
            self.pools[name] = self._new(name)

    def starts(self) -> list[tuple[str, int, float]]:
        got = []
        while not self.started.empty():
            got.append(self.started.get())
        return got

    def close(self, *, kill: bool) -> None:
        for pool in self.pools.values():
            if kill:  # interrupted: the runs in flight are lost anyway, so do not wait for them
                for proc in list(getattr(pool, "_processes", {}).values()):
                    with contextlib.suppress(Exception):
                        proc.kill()
            pool.shutdown(wait=True, cancel_futures=True)
        self.started.close()


def _run_local(
    exp, todo, run_fn, workers: int, timeout: float | None, finish, writer, stats
) -> None:
    local = _Local(workers)
    queue = _Queue(todo)
    limit = 2 * workers
    pending: dict[cf.Future, tuple[dict, str, cf.ProcessPoolExecutor]] = {}
    running: dict[str, tuple[int, float]] = {}  # run id -> (worker pid, start)
    suspects: list[dict] = []  # runs a worker's death interrupted: to run again, alone
    stopped: dict[str, cf.ProcessPoolExecutor] = {}  # run id -> pool whose worker we killed
    fruitless = 0  # pools broken in a row with no run started in between
    ok = False

    def broken(name: str, pool: cf.ProcessPoolExecutor) -> None:
        """Count a pool's breakdown once, stop if pools keep dying unused, and replace it."""
        nonlocal fruitless
        if local.pools[name] is pool and pool not in stopped.values():
            stats["worker_deaths"] += 1  # once per broken pool
            fruitless += 1
            if fruitless >= 3:
                raise SweepStopped(
                    f"the pool's workers die before they start any run ({fruitless} "
                    "pools in a row); run one to see why, e.g. with --workers 1"
                ) from None
        local.replace(name, pool)

    def submit(name: str, task: dict) -> bool:
        pool = local.pools[name]
        try:
            pending[pool.submit(execute, exp, task, run_fn)] = (task, name, pool)
            return True
        except BrokenProcessPool:  # it broke since the last look: the task waits for the next
            if name == "main":
                queue.put_back(task)
            else:
                suspects.insert(0, task)
            if not any(p is pool for _, _, p in pending.values()):
                broken(name, pool)  # no future of its own will report it
            return False

    try:
        while True:
            handed_back = False
            while sum(n == "main" for _, n, _ in pending.values()) < limit:
                task = queue.take()
                if task is None:
                    break
                if not submit("main", task):
                    handed_back = True
                    break
            if suspects and not any(n == "alone" for _, n, _ in pending.values()):
                handed_back |= not submit("alone", suspects.pop(0))
            if not pending:
                if handed_back:
                    continue  # its pool was replaced: submit again
                break
            stats["max_in_flight"] = max(stats["max_in_flight"], len(pending))
            finished, _ = cf.wait(pending, timeout=0.25, return_when=cf.FIRST_COMPLETED)
            for rid, pid, t0 in local.starts():  # written before the run's result: in order
                running[rid] = (pid, t0)
                fruitless = 0
            for fut in finished:
                task, name, pool = pending.pop(fut)
                rid = task["run_id"]
                was_running = running.pop(rid, None) is not None
                try:
                    result = fut.result()
                except BrokenProcessPool:
                    broken(name, pool)
                    if rid in stopped:
                        continue  # recorded as timed out when it was stopped
                    if not was_running or pool in stopped.values():
                        # not started, or stopped by us for another run's timeout
                        if name == "main":
                            queue.put_back(task)
                        else:
                            suspects.insert(0, task)
                    elif name == "alone":
                        finish(_failed(task, "worker died: the run killed its worker twice"))
                    else:
                        suspects.append(task)
                    continue
                except cf.CancelledError:
                    queue.put_back(task)
                    continue
                except Exception as exc:  # cannot even be sent to a worker, e.g. not picklable
                    raise SweepStopped(
                        f"the worker pool cannot run {rid}: {_one_line(exc)}"
                    ) from exc
                finish(result)
            if timeout is not None:
                now = time.monotonic()
                for rid, (pid, t0) in list(running.items()):
                    if now - t0 > timeout and rid not in stopped:
                        task, _, pool = next(v for v in pending.values() if v[0]["run_id"] == rid)
                        stopped[rid] = pool
                        with contextlib.suppress(ProcessLookupError):
                            os.kill(pid, signal.SIGKILL)
                        running.pop(rid)
                        finish(_failed(task, f"timeout: still running after {timeout:g} s"))
            writer.tick()
        ok = True
    finally:
        local.close(kill=not ok)


#: How long to wait for a Dask scheduler to answer before giving up (a running scheduler
#: answers in milliseconds; a cluster still starting may take a while).
DASK_CONNECT_TIMEOUT = "30s"


@contextlib.contextmanager
def _dask_client(address: str, workers: int):
    """A client of the scheduler at ``address`` (or of a new LocalCluster for ``"local"``).

    Opened before the results folder is touched, so that an unreachable scheduler costs one
    line and leaves nothing behind.
    """
    from distributed import Client, LocalCluster

    cluster = None
    try:
        if address == "local":
            cluster = LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
            )
        client = Client(cluster or address, timeout=DASK_CONNECT_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as exc:
        if cluster is not None:
            cluster.close()
        raise SweepStopped(
            f"cannot reach the Dask scheduler at {address!r} within {DASK_CONNECT_TIMEOUT} "
            f"({_one_line(exc)}); is it running, and is the address right?"
        ) from None
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _run_dask(exp, todo, run_fn, workers: int, client, finish, writer, stats) -> None:
    from distributed.scheduler import KilledWorker

    # Enough runs in flight to keep every thread of the cluster busy, and no more.
    threads = sum(client.nthreads().values()) or workers
    limit = 4 * threads
    executor = client.get_executor(pure=False)
    queue = _Queue(todo)
    pending: dict[cf.Future, dict] = {}
    while True:
        while len(pending) < limit and (task := queue.take()) is not None:
            try:
                pending[executor.submit(execute, exp, task, run_fn)] = task
            except Exception as exc:
                raise SweepStopped(
                    f"the Dask cluster cannot take {task['run_id']}: {_one_line(exc)}"
                ) from exc
        if not pending:
            break
        stats["max_in_flight"] = max(stats["max_in_flight"], len(pending))
        finished, _ = cf.wait(pending, timeout=0.25, return_when=cf.FIRST_COMPLETED)
        for fut in finished:
            task = pending.pop(fut)
            try:
                result = fut.result()
            except KilledWorker as exc:  # Dask's own retries are used up: this run's doing
                finish(_failed(task, f"worker died: {exc}"))
                continue
            except Exception as exc:  # execute() catches the run's own exceptions
                raise SweepStopped(
                    f"the Dask cluster failed to run {task['run_id']} ({_one_line(exc)}); "
                    "this is not an error of the run itself"
                ) from exc
            finish(result)
        writer.tick()


def plan(exp: Experiment, out: Path, *, workers: int, dask: str | None, resume: bool) -> list[str]:
    """What ``collabsim sweep --dry-run`` prints: the design's size and how it was counted,
    what each run simulates and records, and the time it would take, from a pilot run of the
    first design point timed here. Nothing is written."""
    tasks = run_table(exp)  # validates every design point, as a real sweep would
    levels = [len(f.values) if f.values is not None else 1 for f in exp.factors]
    _, how = design_size(
        exp.design,
        levels,
        exp.samples,
        exp.replicates,
        exp.second_order,
        [len(a.values) for a in exp.arms],
    )
    done = len(store.done_run_ids(out)) if resume else 0
    left = max(0, len(tasks) - done)
    lines = [
        f"{exp.name}: {how} = {len(tasks):,} runs"
        + (f" ({done:,} already done, {left:,} to go)" if done else "")
    ]
    varied = {f.name for f in (*exp.factors, *exp.arms)}
    from ..scenarios import resolve

    if "burn_in" in varied:
        warm = "a warm-up of burn_in months (varied by the design), not recorded"
    else:
        burn = resolve(exp.scenario, exp.fixed)["burn_in"]
        warm = f"a {burn}-month warm-up (burn_in), not recorded" if burn else "no warm-up"
    k = exp.record_every
    every = "the last month only" if k == 0 else "every month" if k == 1 else f"every {k} months"
    rec = exp.recording
    lines.append(
        f"  each run: {warm}, then {exp.steps} months recorded ({every})"
        + (
            "; a run stops early when "
            + " and ".join(f"{c} {op} {v:g}" for c, op, v in exp.stop.clauses)
            if exp.stop is not None
            else ""
        )
    )
    if rec.panel_every:
        lines.append(f"  organisation panel every {rec.panel_every} months (and the last)")
    if rec.network_at:
        lines.append(
            f"  network snapshots at months {', '.join(map(str, rec.network_at))}: "
            f"{len(rec.network_at) * len(tasks):,} GraphML files"
        )
    if left:
        outcome_names()  # a tiny run first: loads the compiled kernels outside the timing
        t0 = time.perf_counter()
        simulate_run(exp, tasks[0])
        seconds = time.perf_counter() - t0
        where = f"Dask workers ({dask})" if dask else "workers"
        lines.append(
            f"  pilot: design point 0 ({tasks[0]['run_id']}) took {seconds:.2f} s here: about "
            f"{duration(left * seconds / workers)} for {left:,} runs on {workers} {where} "
            "(other design points take longer or shorter)"
        )
    return lines


def run_sweep(
    exp: Experiment,
    out: str | Path,
    *,
    workers: int | None = None,
    dask: str | None = None,
    resume: bool = False,
    progress: bool = True,
    run_fn: Callable | None = None,
    timeout: float | None = None,
) -> SweepSummary:
    """Run every missing run of ``exp`` into ``out``; see :mod:`simulation.sweep.store`.

    ``run_fn(exp, task)`` runs one task and returns a :class:`~simulation.run.RunResult`
    (default :func:`simulate_run`); with a pool it must be importable by the workers.
    ``timeout`` (default ``exp.timeout``) stops a run after that many seconds and records it
    as failed; it needs a pool, so with a timeout even one worker is a separate process.
    On resume, runs recorded as failed run again.
    """
    t0 = time.perf_counter()
    out = Path(out)
    workers = check_workers(workers)
    dask = check_dask(dask)
    if workers is not None and workers < 1:
        raise UserError(f"--workers {workers} is not allowed; allowed: an integer >= 1")
    cores = pools.cores()
    if workers is not None and workers > cores and not (dask and dask != "local"):
        print(
            f"collabsim: warning: --workers {workers} is more than the {cores} core(s) this "
            f"process may use; using {cores}",
            file=sys.stderr,
        )
        workers = cores
    workers = worker_count(workers)
    timeout = exp.timeout if timeout is None else check_timeout(timeout, "--timeout")
    if timeout is not None and dask:
        raise UserError("--timeout is not allowed with --dask; allowed: a local pool")
    tasks = run_table(exp)  # validates every design point before any run
    with contextlib.ExitStack() as stack:
        # A scheduler that cannot be reached is found out before the folder is touched.
        client = stack.enter_context(_dask_client(dask, workers)) if dask else None
        stack.enter_context(store.lock(out))
        return _sweep(exp, out, tasks, workers, client, resume, progress, run_fn, timeout, t0)


def _sweep(exp, out, tasks, workers, client, resume, progress, run_fn, timeout, t0):
    done = _prepare(exp, out, resume, tasks)
    todo = [t for t in tasks if t["run_id"] not in done]
    writer = _Writer(out, exp)
    ran = failed = 0
    stats = {"max_in_flight": 0, "worker_deaths": 0}
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
        nonlocal ran, failed
        ran += 1
        failed += result["row"]["status"] != "ok"
        writer.add(result)
        bar.update(1)
        bar.set_postfix(failed=failed, refresh=False)

    interrupted = False
    with Signals() as signals:
        try:
            if not todo:
                pass
            elif client is not None:
                _run_dask(exp, todo, run_fn, workers, client, finish, writer, stats)
            elif workers == 1 and timeout is None:
                for task in todo:
                    finish(execute(exp, task, run_fn))
            else:
                _run_local(exp, todo, run_fn, workers, timeout, finish, writer, stats)
        except KeyboardInterrupt:
            interrupted = True
        finally:
            writer.flush()
            bar.close()
    total_failed = 0
    if store.part_numbers(out, "runs"):
        import pyarrow.parquet as pq

        status = pq.read_table(out / "runs", columns=["status"]).column("status").to_pylist()
        total_failed = sum(s != "ok" for s in status)
    return SweepSummary(
        out=out,
        total=len(tasks),
        ran=ran,
        skipped=len(done),
        failed=total_failed,
        interrupted=interrupted,
        seconds=time.perf_counter() - t0,
        signal=signals.received if interrupted else None,
        max_in_flight=stats["max_in_flight"],
        worker_deaths=stats["worker_deaths"],
    )
