"""On-disk layout of a sweep: Parquet parts plus a JSON description, written atomically.

    DIR/sweep.json              the experiment, its design and fingerprint, package version
    DIR/runs/part-NNNNN.parquet one row per run: run id, condition, replicate, seed, status,
                                duration, error, version, varied parameters, final outcomes
    DIR/timeseries/part-*.parquet   recorded months of every successful run
    DIR/partnerships/part-*.parquet one row per partnership: formed, ended, cause (survival)

A part's ``runs`` file is written last, so it is the commit point: a run exists only when
its ``runs`` row does. Every file is written atomically (:mod:`simulation.files`: under a
dot-name, then renamed into place), and Parquet readers skip dot-files, so a reader never
sees a partial file.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from .. import files

TABLES = ("timeseries", "partnerships", "runs")  # write order; "runs" commits the part
PART = re.compile(r"^part-(\d{5,})\.parquet$")


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


def repair(out: Path) -> None:
    """Remove what an interrupted writer may leave: temporary files, and data parts whose
    ``runs`` part (the commit point) never landed, so that no run is counted twice."""
    committed = part_numbers(out, "runs")
    for name in TABLES:
        folder = Path(out) / name
        if not folder.is_dir():
            continue
        for p in folder.iterdir():
            m = PART.match(p.name)
            if p.name.startswith(".") or (
                m and name != "runs" and int(m.group(1)) not in committed
            ):
                p.unlink()


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
