"""Running the model: one run in memory, its scalar outcomes, and its files on disk."""

from __future__ import annotations

import functools
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import mesa
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from . import __version__
from .collector import ReadoutCollector
from .errors import UserError, shown
from .files import atomic_dir
from .model import CollabModel
from .org_records import Recorder, Recording, network_filename, panel_table, write_graphml
from .params import validate_run
from .partnership_records import arrow_table, partnership_columns
from .provenance import provenance
from .readouts import column_dtypes, columns, headline, reporters
from .scenarios import resolve

OUTPUT_FILES = (
    "timeseries.parquet",
    "events.parquet",
    "partnerships.parquet",
    "summary.json",
    "dashboard.png",
)


@dataclass
class RunResult:
    """A finished run: its inputs, headline outcomes and model, with its per-month time series,
    event log and per-partnership table as tables (built when first asked for, since many
    callers never do)."""

    scenario: str
    seed: int
    steps: int
    params: dict[str, Any]
    outcomes: dict[str, float]
    model: CollabModel
    #: The organisation panel and network snapshots, when the run was asked for them.
    records: Recorder | None = None

    @cached_property
    def timeseries(self) -> pd.DataFrame:
        return timeseries_frame(self.model)

    @cached_property
    def events(self) -> pd.DataFrame:
        return events_frame(self.model)

    @cached_property
    def partnerships(self) -> pd.DataFrame:
        """One row per partnership formed (:mod:`simulation.partnership_records`)."""
        return self.partnerships_arrow.to_pandas()

    @cached_property
    def partnerships_arrow(self) -> pa.Table:
        return arrow_table(partnership_columns(self.model.state, self.model.p))

    @cached_property
    def panel_arrow(self) -> pa.Table | None:
        """One row per organisation per recorded month (:mod:`simulation.org_records`)."""
        if self.records is None or self.records.panel is None:
            return None
        return panel_table(self.records.panel)

    def summary(self) -> dict[str, Any]:
        return {
            "collabsim_version": __version__,
            "mesa_version": mesa.__version__,
            "scenario": self.scenario,
            "seed": self.seed,
            "steps": self.steps,
            "parameters": self.params,
            "outcomes": self.outcomes,
            "provenance": provenance(),
        }


def simulate(
    scenario: str = "baseline",
    *,
    seed: int | None = None,
    steps: int | None = None,
    params: dict[str, Any] | None = None,
    stop_when: Callable[[CollabModel], bool] | None = None,
    record: Recording | None = None,
) -> RunResult:
    """Run one scenario with optional parameter overrides; everything is validated first.

    ``record`` asks for the organisation panel and network snapshots
    (:func:`simulation.org_records.check_recording` builds it from the options).
    """
    full = resolve(scenario, params)
    from .scenarios import get

    steps, seed = validate_run(get(scenario).steps if steps is None else steps, seed)
    model = CollabModel(seed=seed, **full)
    rec = record.recorder() if record else None
    if rec is not None:
        rec.observe(model.state)
    for _ in range(steps):
        model.step()
        if rec is not None:
            rec.observe(model.state)
        if stop_when is not None and stop_when(model):
            break
    if rec is not None:
        rec.finish(model.state)
    return RunResult(
        scenario=scenario,
        seed=seed,
        steps=steps,
        params=full,
        outcomes=headline(model),
        model=model,
        records=rec,
    )


def timeseries_frame(model: CollabModel) -> pd.DataFrame:
    """One row per month from the model's DataCollector, with a fixed dtype per column."""
    recorded = model.datacollector.model_vars
    return pd.DataFrame(
        {c: np.asarray(recorded[c], dtype=dtype) for c, dtype in column_dtypes().items()}
    )


EVENT_COLUMNS = ("month", "event", "partnership", "organisations", "sectors", "cause", "story")


def events_frame(model: CollabModel) -> pd.DataFrame:
    """The event log, one row per event (numbers as int64, text as pandas strings)."""
    ev = model.events
    return pd.DataFrame(
        {
            c: np.array([e[c] for e in ev], dtype=np.int64)
            if c in ("month", "partnership")
            else pd.array([e[c] for e in ev], dtype="str")
            for c in EVENT_COLUMNS
        }
    )


def run_model(
    seed: int = 42, steps: int = 120, scenario: str = "baseline", **params: Any
) -> dict[str, float]:
    """Run once and return the scalar outcomes: the entry point for SALib and EMA Workbench.

    Example: ``run_model(seed=1, steps=120, clarity=0.8)["failure_share"]``.
    """
    # No int() here: validation refuses seed=1.5 or steps=2.9 instead of truncating them.
    return simulate(scenario, seed=seed, steps=steps, params=params).outcomes


#: Headline outcomes that share a name with a monthly read-out of another meaning (the
#: read-out is over this month's partnerships, the headline over the run's): in
#: :class:`BatchModel`'s rows they carry this prefix.
HEADLINE_PREFIX = "headline_"


class BatchModel(CollabModel):
    """:class:`~simulation.model.CollabModel` whose DataCollector also records the run's
    headline outcomes (:func:`~simulation.readouts.headline`, what ``run_model`` returns)
    every month, for ``mesa.batch_run``: with ``data_collection_period=-1`` each row then
    holds the parameters, the last month's read-outs and the headline outcomes.

    Headline outcomes that equal the month's read-out of the same name
    (:data:`SAME_AS_READOUT`: ``cross_trust``, ``failure_share``, ...) are that column;
    those whose name is a read-out of another meaning (``mean_synergy`` and
    ``share_advantage``, over the run's partnerships rather than this month's;
    ``went_alone``, ``value_alone`` and the ``ended_*`` counts, over the run rather than this
    month) carry the prefix ``headline_``. The model itself is
    unchanged (same seed, same numbers); computing the headline each month costs a few per
    cent of a month's work, so plain runs do not do it.
    """

    def __init__(self, seed: int | None = None, **params: Any):
        super().__init__(seed=seed, **params)
        self._headline: tuple[int, dict[str, float]] | None = None
        extra = {
            batch_column(name): functools.partial(BatchModel._outcome, name=name)
            for name in headline(self)
            if batch_column(name) not in SAME_AS_READOUT
        }
        # A new collector, so that month 0 is recorded once with every column.
        self.datacollector = ReadoutCollector(model_reporters={**reporters(), **extra})
        self.datacollector.collect(self)

    def _outcome(self, name: str) -> float:
        if self._headline is None or self._headline[0] != self.month:
            self._headline = (self.month, headline(self))
        return self._headline[1][name]


#: Headline outcomes that are the last month's read-out of the same name (see ``headline``).
SAME_AS_READOUT = frozenset(
    [
        "failure_share",
        "early_end_share",
        "cross_trust",
        "mean_myth",
        "isolated_share",
        "isolated_long_share",
        "total_value",
    ]
)


def batch_column(name: str) -> str:
    """The column of :class:`BatchModel`'s rows that holds headline outcome ``name``."""
    return name if name in SAME_AS_READOUT or name not in columns() else HEADLINE_PREFIX + name


# --- files ---------------------------------------------------------------------------------
def check_output_dir(out: Path, *, shared: bool = False) -> Path:
    """Fail early, with a clear message, if results cannot be written to ``out``.

    A run replaces its directory whole, so it refuses a directory holding other things;
    ``shared=True`` is for commands that only add or replace their own named files.
    """
    try:
        return _check_output_dir(out, shared)
    except (OSError, ValueError) as exc:  # too long a path, a NUL byte, an I/O error
        if isinstance(exc, UserError):
            raise
        reason = getattr(exc, "strerror", None) or str(exc)
        raise UserError(
            f"--out {shown(str(out))}: cannot be used ({reason}); allowed: a directory path"
        ) from None


def _check_output_dir(out: Path, shared: bool) -> Path:
    if str(out) == "":
        raise UserError("--out '': is empty; allowed: a directory path")
    if "\x00" in str(out):
        raise UserError(f"--out {shown(str(out))}: holds a NUL byte; allowed: a directory path")
    out = Path(out)
    try:
        name_max = os.pathconf(out.parent if out.parent.exists() else ".", "PC_NAME_MAX")
    except (OSError, ValueError):
        name_max = 255
    long = next((part for part in out.parts if len(os.fsencode(part)) > name_max), None)
    if long is not None:
        raise UserError(
            f"--out {shown(str(out))}: the name {long[:20]}... is {len(os.fsencode(long))} bytes "
            f"long; allowed: names of at most {name_max} bytes"
        )
    if out.exists() and not out.is_dir():
        raise UserError(f"--out {out}: exists and is not a directory; allowed: a directory path")
    if not shared and out.is_dir() and any(out.iterdir()) and not (out / "summary.json").exists():
        raise UserError(
            f"--out {out}: is a non-empty directory that holds no collabsim run; "
            "allowed: a new or empty directory, or an earlier run's directory"
        )
    probe = out if out.exists() else out.parent
    while not probe.exists():
        probe = probe.parent
    if not probe.is_dir():
        raise UserError(
            f"--out {out}: cannot be created because {probe} is a file; allowed: a directory path"
        )
    if not os.access(probe, os.W_OK | os.X_OK) or (out.exists() and not os.access(out, os.W_OK)):
        raise UserError(
            f"--out {out}: cannot be written (permission denied); "
            "allowed: a directory you can write to"
        )
    # Permissions do not tell the whole story (root, read-only mounts, /proc): try it, with
    # an empty directory removed at once, so that nothing is left behind.
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".collabsim-probe-", dir=probe))
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise UserError(
            f"--out {out}: cannot be written under {probe} ({reason}); "
            "allowed: a directory you can write to"
        ) from None
    return out


def write_outputs(result: RunResult, out: Path) -> list[Path]:
    """Write the run's files so that ``out`` holds either the complete old or new results."""
    from .viz.dashboard import dashboard

    out = check_output_dir(Path(out))
    with atomic_dir(out) as tmp:
        result.timeseries.to_parquet(tmp / "timeseries.parquet", index=False)
        result.events.to_parquet(tmp / "events.parquet", index=False)
        pq.write_table(result.partnerships_arrow, tmp / "partnerships.parquet")
        (tmp / "summary.json").write_text(
            json.dumps(result.summary(), indent=2, default=_json_default) + "\n"
        )
        dashboard(result, tmp / "dashboard.png")
        extra = write_records(result, tmp)
    return [out / f for f in OUTPUT_FILES] + [out / p.relative_to(tmp) for p in extra]


def write_records(result: RunResult, out: Path) -> list[Path]:
    """The run's panel (``organisations.parquet``) and network snapshots
    (``network-monthNNNNN.graphml``), if it recorded them, into ``out``."""
    written = []
    if result.panel_arrow is not None:
        pq.write_table(result.panel_arrow, out / "organisations.parquet")
        written.append(out / "organisations.parquet")
    nets = result.records.networks if result.records is not None else {}
    for month, net in nets.items():
        path = out / network_filename(month)
        write_graphml(net, path, {"scenario": result.scenario, "seed": result.seed})
        written.append(path)
    return written


def _json_default(x: Any) -> Any:
    if hasattr(x, "item"):
        return x.item()
    raise TypeError(f"not JSON serialisable: {type(x)}")


def format_summary(result: RunResult) -> str:
    """A readable summary of a run for the terminal."""
    o = result.outcomes
    p = result.params

    def pct(x: float) -> str:
        return "n/a" if x != x else f"{x:.0%}"

    ended = o["partnerships_ended"]
    causes = ", ".join(
        f"{k.removeprefix('ended_').replace('_', ' ')} {o[k]}"
        for k in o
        if k.startswith("ended_") and o[k]
    )
    lines = [
        f"collabsim {__version__} - scenario '{result.scenario}', seed {result.seed}, "
        f"{result.steps} months after a {p['burn_in']}-month burn-in, {p['n_orgs']} organisations",
        f"governance: {p['governance']} (formation {p['formation_mode']}, clarity "
        f"{p['clarity']}, reviews every {p['review_interval'] or 'never'} months, sanctions "
        f"{'on' if p['sanctions'] else 'off'}, exit arrangements "
        f"{'on' if p['exit_arrangements'] else 'off'}, sharing {p['sharing_rule']})",
        "",
        f"partnerships formed      {o['partnerships_formed']}  (leads went alone "
        f"{o['went_alone']} times)",
        f"partnerships ended       {ended}  ({causes or 'none'})",
        f"still active at the end  {o['partnerships_active']}",
        f"renewed                  {o['partnerships_renewed']}  (took up a new challenge; "
        f"{pct(o['challenge_success_share'])} of challenges met their goal)",
        f"met no goal              {pct(o['failure_share'])} of those ended",
        f"mean synergy ratio       {o['mean_synergy']:.2f}  (advantage in "
        f"{pct(o['share_advantage'])} of partnerships)",
        f"cross-sector trust       {o['cross_trust']:.2f}",
        f"myths about others       {o['mean_myth']:.2f}  ({o['myth_change']:+.3f} since month 0)",
        f"isolated for 2+ years    {pct(o['isolated_long_share'])} of organisations  "
        f"({o['challenges_per_org_year']:.2f} challenges per organisation a year; "
        f"{pct(o['isolated_share'])} in no partnership at the end)",
        f"organisations closed     {o['organisations_closed']}  (each replaced by a new one)",
        f"value to the community   {o['total_value']:.0f}",
        f"members at a loss        {pct(o['mean_share_loss'])} of member-months  (net return "
        f"below going alone)",
        f"fairness of shares       {o['mean_fairness']:.2f}  (Jain index of equity, 1 = even)",
    ]
    return "\n".join(lines)
