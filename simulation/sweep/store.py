"""On-disk layout of a sweep: Parquet parts plus a JSON description, written atomically.

    DIR/sweep.json              the experiment, its design and fingerprint, package version
    DIR/runs/part-NNNNN.parquet one row per run: run id, condition, replicate, seed, status,
                                duration, error, version, varied parameters, final outcomes
    DIR/timeseries/part-*.parquet   recorded months of every successful run
    DIR/partnerships/part-*.parquet one row per partnership of every successful run (the
                                columns of simulation.partnership_records, after run_id,
                                condition, replicate and seed)
    DIR/organisations/part-*.parquet  the organisation panel, if the experiment asks for it
                                (simulation.org_records: one row per organisation per
                                panel month, after the same keys)
    DIR/networks/RUN-network-monthNNNNN.graphml  network snapshots at the network_at months

A part's ``runs`` file is written last, so it is the commit point: a run exists only when
its ``runs`` row does (a snapshot of a run that was never committed is removed on resume,
and written again, identically, when the run runs again). Every file is written
atomically (:mod:`simulation.files`: under a dot-name, then renamed into place), and
Parquet readers skip dot-files, so a reader never sees a partial file.

``DIR/sweep.lock`` is held (``fcntl.flock``) by the one process writing the folder; the
kernel releases it when that process ends, however it ends.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .. import files
from ..errors import UserError

# Write order; "runs" commits the part. "organisations" (the panel) only when asked for.
TABLES = ("timeseries", "partnerships", "organisations", "runs")
PART = re.compile(r"^part-(\d{5,})\.parquet$")
LOCK = "sweep.lock"
NETWORKS = "networks"  # folder of the GraphML snapshots
TEMP = re.compile(r"^\..*\.tmp\d+")  # simulation.files' temporary names


def lock(out: Path) -> contextlib.AbstractContextManager[int]:
    """The folder's writer lock (:func:`writer_lock`), for a ``with`` block; the folder is
    made if it is missing. Another holder is a ``UserError`` naming its PID."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    return writer_lock(out / LOCK, "sweep")


def _holder(fd: int) -> str:
    """The PID a lock's holder wrote in it ("" if none yet)."""
    for _ in range(20):  # the holder writes its PID just after it takes the lock
        holder = os.pread(fd, 64, 0).decode(errors="replace").strip()
        if holder:
            return holder
        time.sleep(0.05)
    return ""


@contextlib.contextmanager
def writer_lock(path: str | Path, writer: str, *, remove: bool = False) -> Iterator[int]:
    """Hold the lock file ``path`` (``fcntl.flock``, with this process's PID written in it)
    for the block; the kernel also releases it when the process ends, however it ends.

    Another holder is a :class:`UserError` naming its PID and the ``writer`` it is ("another
    sweep"); nothing is changed. ``remove`` deletes the file on leaving the block, while it is
    still held. A file can be removed between another process opening it and locking it, so
    the lock is kept only on the file that ``path`` still names; otherwise it is opened again.
    """
    path = Path(path)
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            try:
                if os.fstat(fd).st_ino == os.stat(path).st_ino:
                    break
            except FileNotFoundError:
                pass
        except BlockingIOError:
            try:
                holder = _holder(fd)
            finally:
                os.close(fd)
            raise UserError(
                f"{path.parent} is being written by another {writer} (PID "
                f"{holder or 'unknown'}); allowed: wait for it to finish or stop it, then "
                "use --resume, or another --out"
            ) from None
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)  # removed by the holder that has just let go: lock the new file
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield fd
    finally:
        if remove:
            path.unlink(missing_ok=True)
        os.close(fd)


def has_results(out: Path) -> bool:
    """Whether ``out`` holds anything but the lock and temporary files."""
    out = Path(out)
    return out.is_dir() and any(p.name != LOCK and not TEMP.match(p.name) for p in out.iterdir())


def write_json(path: Path, obj: Any) -> None:
    files.write_text(path, json.dumps(obj, indent=2, sort_keys=True, default=str) + "\n")


def write_part(out: Path, table_name: str, number: int, table: pa.Table) -> None:
    folder = out / table_name
    folder.mkdir(parents=True, exist_ok=True)
    with files.atomic_path(folder / f"part-{number:05d}.parquet") as tmp:
        pq.write_table(table, tmp, compression="zstd")


def part_numbers(out: Path, table_name: str) -> set[int]:
    folder = Path(out) / table_name
    if not folder.is_dir():
        return set()
    return {int(m.group(1)) for p in folder.iterdir() if (m := PART.match(p.name))}


def _readable(path: Path) -> bool:
    """Whether ``path`` is a whole Parquet file (its footer and metadata read back)."""
    try:
        pq.ParquetFile(path).metadata  # noqa: B018 (reading it is the check)
    except Exception:
        return False
    return True


def stale_tables(out: Path, schemas: dict[str, pa.Schema]) -> list[str]:
    """Tables whose stored parts have other columns or types than ``schemas`` (written by a
    collabsim with another table layout), which a resume must not add to."""
    stale = []
    for name in TABLES:
        for n in sorted(part_numbers(out, name)):
            try:
                got = pq.read_schema(Path(out) / name / f"part-{n:05d}.parquet")
            except Exception:
                continue  # damaged: repair() removes it
            if not got.remove_metadata().equals(schemas[name].remove_metadata()):
                stale.append(name)
            break
    return stale


def repair(out: Path) -> list[str]:
    """Bring a folder an interrupted or damaged writer left back to a consistent state, and
    say what was done: temporary files go; a part any of whose files is not a whole Parquet
    file goes with all its tables, so its runs are redone; data parts whose ``runs`` part
    (the commit point) never landed go, so that no run is counted twice."""
    out = Path(out)
    notes = []
    temps = [p for p in out.iterdir() if TEMP.match(p.name)]
    for name in (*TABLES, NETWORKS):
        if (out / name).is_dir():
            temps += [p for p in (out / name).iterdir() if p.name.startswith(".")]
    for p in temps:
        p.unlink()
    if temps:
        notes.append(f"removed {len(temps)} temporary file(s)")
    bad = sorted(
        {
            n
            for name in TABLES
            for n in part_numbers(out, name)
            if not _readable(out / name / f"part-{n:05d}.parquet")
        }
    )
    for n in bad:  # the commit point first: without it the rest is uncommitted
        for name in ("runs", *TABLES[:-1]):
            (out / name / f"part-{n:05d}.parquet").unlink(missing_ok=True)
    if bad:
        numbers = ", ".join(map(str, bad))
        notes.append(f"removed {len(bad)} damaged part(s) ({numbers}); their runs run again")
    committed = part_numbers(out, "runs")
    for name in TABLES:
        if name != "runs":
            for n in part_numbers(out, name) - committed:
                (out / name / f"part-{n:05d}.parquet").unlink()
    if (out / NETWORKS).is_dir():
        done = done_run_ids(out)
        for p in (out / NETWORKS).glob("*.graphml"):
            if p.name.rsplit("-network-", 1)[0] not in done:
                p.unlink()
    for name in (*TABLES, NETWORKS):
        if (out / name).is_dir():
            files.fsync_dir(out / name)
    return notes


def drop_failed(out: Path) -> int:
    """Remove the rows of failed runs (so that a resume runs them again); their number.

    A part is rewritten atomically without them, or removed if it held nothing else (failed
    runs have no time series or partnerships).
    """
    dropped = 0
    for n in sorted(part_numbers(out, "runs")):
        path = Path(out) / "runs" / f"part-{n:05d}.parquet"
        table = pq.read_table(path)
        ok = pc.equal(table.column("status"), "ok")
        kept = table.filter(ok)
        if kept.num_rows == table.num_rows:
            continue
        dropped += table.num_rows - kept.num_rows
        if kept.num_rows:
            write_part(out, "runs", n, kept)
        else:
            for name in TABLES:
                (Path(out) / name / f"part-{n:05d}.parquet").unlink(missing_ok=True)
    return dropped


def done_run_ids(out: Path) -> set[str]:
    folder = Path(out) / "runs"
    if not part_numbers(out, "runs"):
        return set()
    return set(pq.read_table(folder, columns=["run_id"]).column("run_id").to_pylist())


def read_runs(out: Path):
    """All runs as a pandas DataFrame (one row per run)."""
    import pandas as pd

    return pd.read_parquet(Path(out) / "runs")


def export_csv(out: Path) -> list[Path]:
    """BehaviorSpace-style tables: one row per run, and one row per run and recorded month."""
    import duckdb

    out = Path(out)
    written = []
    for name in ("runs", "timeseries"):
        if not part_numbers(out, name):
            continue
        target = out / f"{name}.csv"
        order = "run_id" if name == "runs" else "run_id, month"
        # The paths go in as values, never pasted into SQL: a folder may hold a quote or a
        # glob character.
        parts = sorted(p.as_posix() for p in (out / name).glob("part-*.parquet"))
        with files.atomic_path(target) as tmp:
            con = duckdb.connect()
            try:
                con.read_parquet(parts).order(order).write_csv(tmp.as_posix(), header=True, sep=",")
            finally:
                con.close()
        written.append(target)
    return written


def sweep_db(out: Path):
    """An in-memory DuckDB connection with a view of each table of the sweep in ``out``
    (``runs``, ``timeseries``, ``partnerships``, ``organisations``: the parts present now)
    and ``partnerships_runs`` (with a panel, ``organisations_runs`` too): every partnership
    (every panel row) with its run's varied parameters, months run and ``params_json`` (all
    parameters used), joined on ``run_id``. Columns the partnerships already hold (the
    governance rules) come from the partnerships table. Likewise ``timeseries_runs``: every
    recorded month with its run's seed, varied parameters (and arms), months run and
    ``params_json``, so a query over time needs no join.
    """
    import duckdb

    out = Path(out)
    con = duckdb.connect()
    for name in TABLES:
        parts = sorted(p.as_posix() for p in (out / name).glob("part-*.parquet"))
        if parts:  # the paths go in as values, never pasted into SQL (see export_csv)
            con.read_parquet(parts).create_view(name)
    tables = {r[0] for r in con.sql("SELECT view_name FROM duckdb_views()").fetchall()}
    factors = None
    for table in ("partnerships", "organisations"):
        if {"runs", table} <= tables:
            have = {r[0] for r in con.sql(f"DESCRIBE {table}").fetchall()}
            if factors is None:
                factors = json.loads((out / "sweep.json").read_text()).get("factors", [])
            extra = [c for c in [*factors, "months_run", "params_json"] if c not in have]
            picked = "".join(f', r."{c}"' for c in extra)
            con.execute(
                f"CREATE VIEW {table}_runs AS SELECT p.*"
                + picked
                + f" FROM {table} p JOIN runs r USING (run_id)"
            )
    if {"runs", "timeseries"} <= tables:
        meta = json.loads((out / "sweep.json").read_text())
        arms = list(meta.get("experiment", {}).get("cross", {}))
        have = {r[0] for r in con.sql("DESCRIBE timeseries").fetchall()}
        runs_have = {r[0] for r in con.sql("DESCRIBE runs").fetchall()}
        wanted = ["seed", *meta.get("factors", []), *arms, "months_run", "params_json"]
        extra = [c for c in dict.fromkeys(wanted) if c in runs_have and c not in have]
        picked = "".join(f', r."{c}"' for c in extra)
        con.execute(
            "CREATE VIEW timeseries_runs AS SELECT t.*"
            + picked
            + " FROM timeseries t JOIN runs r USING (run_id)"
        )
    return con
