"""Input checks for sweeps, run before any work starts: each raises a
:class:`~simulation.errors.UserError` with one line that says what is wrong and what is
allowed, so that `collabsim sweep` and `collabsim report` exit with status 2 and write
nothing.

Light on purpose (nothing heavy imported at module level): the command line calls some of
these before it starts the worker pool.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import UserError, shown

#: Address schemes a Dask scheduler listens on (``distributed.comm`` backends).
DASK_SCHEMES = ("tcp", "tls", "ucx", "inproc", "ws", "wss")
_HOST = re.compile(r"^[A-Za-z0-9._-]+$")
_HOST_PORT = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):(\d{1,5})$")


def check_workers(workers: Any) -> int | None:
    """``workers`` as given to ``run_sweep``: None (one per core) or an integer >= 1.

    ``0`` is refused rather than read as "all cores", and ``True`` or ``2.0`` as not integers.
    """
    if workers is None:
        return None
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise UserError(
            f"workers = {shown(workers)} is not allowed; allowed: an integer >= 1 "
            "(or None, the default, for one per core)"
        )
    return workers


def parse_timeout(text: str) -> float:
    """``--timeout TEXT`` as a number of seconds > 0."""
    try:
        seconds = float(text.strip())
    except ValueError:
        seconds = -1.0
    if not 0 < seconds < float("inf"):
        raise UserError(f"--timeout {shown(text)} is not allowed; allowed: a number of seconds > 0")
    return seconds


def parse_workers(text: str) -> int:
    """``--workers TEXT`` as an integer >= 1."""
    try:
        workers = int(text.strip())
    except ValueError:
        workers = 0
    if workers < 1:
        raise UserError(f"--workers {shown(text)} is not allowed; allowed: an integer >= 1")
    return workers


def parse_max_runs(text: str | None) -> int | None:
    """``--max-runs TEXT`` as an integer >= 1 (``1_000_000`` and ``1,000,000`` read too)."""
    if text is None:
        return None
    try:
        n = int(text.strip().replace(",", "_"))
    except ValueError:
        n = 0
    if n < 1:
        raise UserError(f"--max-runs {shown(text)} is not allowed; allowed: an integer >= 1")
    return n


def check_dask(address: str | None) -> str | None:
    """``--dask``: ``local``, ``SCHEME://HOST:PORT`` (SCHEME one of :data:`DASK_SCHEMES`) or
    ``HOST:PORT``; checked before anything connects."""
    if address is None or address == "local":
        return address
    allowed = (
        "allowed: 'local', or a scheduler address such as tcp://HOST:8786 or HOST:8786 "
        f"(schemes {', '.join(DASK_SCHEMES)})"
    )
    scheme, sep, rest = address.partition("://")
    if not sep:
        scheme, rest = "tcp", address
    if scheme == "inproc":
        ok = bool(rest) and rest.isprintable() and " " not in rest
    else:  # HOST:PORT, or HOST alone (Dask's default port)
        ok = scheme in DASK_SCHEMES and (_is_host_port(rest) or bool(_HOST.match(rest)))
    if not ok:
        raise UserError(f"--dask {shown(address)} is not allowed; {allowed}")
    return address


def _is_host_port(text: str) -> bool:
    m = _HOST_PORT.match(text)
    return bool(m) and 0 < int(m.group(2)) < 65536


def read_sweep_json(folder: Path, *, why: str) -> dict:
    """``folder/sweep.json`` as a dict, or a one-line error (missing, empty, not JSON)."""
    meta_path = Path(folder) / "sweep.json"
    if not meta_path.is_file():
        raise UserError(f"{why}: {folder} has no sweep.json (not a sweep directory)")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        reason = "it is empty" if not meta_path.stat().st_size else type(exc).__name__
        raise UserError(
            f"{why}: {meta_path} cannot be read ({reason}); it is written when a sweep starts, "
            "so this directory's sweep did not start cleanly: use a new --out"
        ) from None
    if not isinstance(meta, dict) or not isinstance(meta.get("total_runs", 0), int):
        raise UserError(f"{why}: {meta_path} is not a sweep description; use a new --out")
    return meta


def check_sweep_out(out: Path, *, resume: bool, preview: bool = False) -> Path:
    """The sweep's ``--out``: a usable directory path; if it holds anything, a sweep that
    ``--resume`` may continue (its sweep.json readable). A ``preview`` (``--dry-run``) writes
    nothing, so it may look at a full directory without ``--resume``."""
    from ..run import check_output_dir

    out = check_output_dir(out, shared=True)
    if out.is_dir() and any(out.iterdir()):
        if preview and not resume:
            return out
        if not resume:
            raise UserError(
                f"output directory {out} already holds results; "
                "use --resume to continue it or --out for a new one"
            )
        read_sweep_json(out, why="cannot resume")
    return out


def completeness(folder: Path) -> str | None:
    """A one-line warning when a sweep directory holds fewer runs than its design has."""
    from . import store

    meta = read_sweep_json(folder, why="cannot report")
    total = meta.get("total_runs")
    present = len(store.done_run_ids(folder))
    if total is None or present >= total:
        return None
    return (
        f"only {present} of {total} runs are present in {folder}; the report covers those "
        "(finish the sweep with `collabsim sweep EXPERIMENT --out DIR --resume`)"
    )


def check_run_result(result: Any, outcomes: list[str]) -> None:
    """What a ``run_fn`` returned must be a run result whose outcomes the sweep can store;
    raised errors make the run a failed run with this cause."""
    missing = [a for a in ("model", "params", "outcomes") if not hasattr(result, a)]
    if missing:
        raise TypeError(
            f"run_fn returned {shown(result, 60)} (no {', '.join(missing)}); "
            "allowed: a simulation.run.RunResult, as simulate_run returns"
        )
    if not hasattr(result.model, "datacollector") or not isinstance(result.outcomes, Mapping):
        raise TypeError("run_fn returned a result without a model's datacollector or outcomes")
    extra = sorted(set(result.outcomes) - set(outcomes), key=str)
    if extra:
        raise ValueError(
            f"run_fn returned outcomes the sweep does not store: {', '.join(map(str, extra))}; "
            "allowed: the standard outcomes (simulation.readouts.headline); compute others "
            "afterwards from the stored time series"
        )
    for k, v in result.outcomes.items():
        try:
            float(v)
        except (TypeError, ValueError):
            raise ValueError(
                f"run_fn returned outcome {k} = {shown(v, 60)}; allowed: a number"
            ) from None


def duration(seconds: float) -> str:
    """A time estimate in the unit a reader takes in at a glance."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
