"""One row per partnership: the unit of analysis a researcher regresses on.

Two halves. :func:`record_month` adds each working partnership's month to its running sums
(:class:`~simulation.state.PartnershipHistory`), right after the month's joint work, so
that lifetime means weigh every month the partnership worked and do not depend on how it
looked when it ended. :func:`partnership_columns` turns the table of partnerships and those
sums into columns (plain numpy arrays, cheap to send from a sweep's workers), and
:func:`arrow_table` gives them their fixed types (:data:`COLUMNS`), the same for a single
run's ``partnerships.parquet`` and for every part of a sweep, so tables concatenate across
runs and sweeps.

Capability complementarity, per month, is the team's capability cover for its challenge
(each capability domain covered by its best member, as the synergy mechanism has it)
divided by the mean of its members' own fit to the challenge (what each would cover alone):
``((max_i k_i) · r) / mean_i (k_i · r)``. It is 1 when one member is best in every domain
the challenge needs, and grows as members bring strengths the others lack. It is the cover
ratio a lead estimates when forming a team (``Formation.worth_joining``).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from .codes import Behaviour
from .columns import Column
from .governance import RULES
from .params import PARAMS
from .partnerships import END_CAUSES, ENDED, Roster
from .sectors import SECTOR_TITLES, SECTORS
from .state import State, WorkRecord

if TYPE_CHECKING:
    import pandas as pd


# --- the monthly accumulation ---------------------------------------------------------------
def record_month(s: State, roster: Roster, work: WorkRecord) -> None:
    """Add this month's joint work to every working partnership's sums.

    Called once a month right after :func:`~simulation.mechanisms.work.work_together`,
    before trust, learning and review change the state, so the behaviours, skills and
    capabilities recorded are the ones that did the month's work. Roster entries run in
    partnership order, so per-part sums are ``reduceat`` over each part's first entry.
    """
    if not roster.n:
        return
    h, t, orgs = s.history, s.table, s.orgs
    pids, org, size = roster.active_pid, roster.org, roster.size
    cap = orgs.capability[org]  # (M, D)
    first = np.cumsum(size) - size
    fit = (cap * t.p_req[roster.pid]).sum(axis=1)  # each member's own cover of the challenge
    cover = (np.maximum.reduceat(cap, first, axis=0) * t.p_req[pids]).sum(axis=1)
    h.months[pids] += 1
    h.behaviour[pids] += np.add.reduceat(orgs.behaviour[org], first, axis=0) / size[:, None]
    h.skill[pids] += np.add.reduceat(orgs.skill[org], first) / size
    h.complementarity[pids] += cover / (np.add.reduceat(fit, first) / size)
    h.trust[pids] += work.trust_part
    h.understanding[pids] += work.understanding_part
    defined = ~np.isnan(work.synergy)
    h.synergy[pids[defined]] += work.synergy[defined]
    h.synergy_months[pids[defined]] += 1
    h.value[pids] += work.joint * t.p_value[pids]


# --- the table ------------------------------------------------------------------------------
def _rule_column(rule: str) -> Column:
    p = PARAMS[rule]
    kind = {int: "int64", float: "float64", bool: "bool", str: "string"}[p.kind]
    unit = "months" if rule == "review_interval" else ("" if p.kind in (bool, str) else "0..1")
    return Column(rule, kind, unit, f"governance rule in force (run-level): {p.help}")


BEHAVIOUR_COLUMNS = tuple(f"mean_{b.label}" for b in Behaviour)
SECTOR_COLUMNS = tuple(f"has_{s}" for s in SECTORS)

#: Every column, in order, with its type, unit and meaning (docs are generated from this).
COLUMNS: tuple[Column, ...] = (
    Column("partnership", "int64", "id", "partnership id, as in the event log"),
    Column("formed", "int64", "month", "month it formed (0 or below: during the burn-in)"),
    Column("ended", "int64", "month", "month it ended", nullable=True),
    Column("censored", "bool", "", "still active at the end of the run (no end observed)"),
    Column("lifespan", "int64", "months", "`ended` (or the run's last month) minus `formed`"),
    Column(
        "months_worked",
        "int64",
        "months",
        "months it did joint work (the weight of every lifetime mean below)",
    ),
    Column(
        "end_cause",
        "string",
        "",
        "why it ended: " + ", ".join(END_CAUSES),
        nullable=True,
    ),
    Column("completed", "bool", "", "met the goal of at least one challenge (success)"),
    Column("challenges", "int64", "count", "challenges taken on (1, plus one per renewal)"),
    Column("goals_met", "int64", "count", "challenges whose goal it met"),
    Column("planned_duration", "int64", "months", "planned life set at formation"),
    Column("size_at_start", "int64", "organisations", "members at formation"),
    Column(
        "size_at_end",
        "int64",
        "organisations",
        "members at its end (active members at the end of the run if censored)",
    ),
    Column("members_left", "int64", "organisations", "members who left before its end"),
    *(
        Column(c, "bool", "", f"a member (past or present) is from the {SECTOR_TITLES[s]}")
        for c, s in zip(SECTOR_COLUMNS, SECTORS, strict=True)
    ),
    Column("sectors", "string", "", "sectors present, in sector order, e.g. `public+third`"),
    Column("brokered", "bool", "", "formed by a broker (commissioner)"),
    Column("mandated", "bool", "", "mandated (members cannot leave of their own accord)"),
    *(_rule_column(r) for r in RULES),
    *(
        Column(c, "float64", "0..1", f"members' mean {b.label.replace('_', ' ')} behaviour")
        for c, b in zip(BEHAVIOUR_COLUMNS, Behaviour, strict=True)
    ),
    Column("mean_skill", "float64", "0..1", "members' mean partnering skill"),
    Column("mean_trust", "float64", "0..1", "mean trust between members (over ordered pairs)"),
    Column("mean_understanding", "float64", "0..1", "mean understanding between members"),
    Column(
        "mean_complementarity",
        "float64",
        "ratio >= 1",
        "capability cover of the challenge by the best member per domain over the members' "
        "mean own fit (see the definition above)",
    ),
    Column(
        "mean_synergy",
        "float64",
        "ratio",
        "mean monthly synergy ratio, joint output / output alone (NaN if never defined)",
    ),
    Column(
        "lifetime_synergy",
        "float64",
        "ratio",
        "cumulative joint output / cumulative output alone (NaN if alone is 0)",
    ),
    Column("output", "float64", "units of work", "cumulative joint output"),
    Column("target", "float64", "units of work", "output needed to meet its goal"),
    Column(
        "value",
        "float64",
        "value units",
        "value delivered to the community: Σ over months of joint output x the challenge's "
        "value per unit of output",
    ),
)
COLUMN_NAMES = tuple(c.name for c in COLUMNS)
_PANDAS = {"int64": "int64", "float64": "float64", "bool": "bool", "string": "str"}

# Sector string of every combination of sectors (bit k = sector k present).
_SECTOR_SETS = np.array(
    [
        "+".join(s for k, s in enumerate(SECTORS) if code >> k & 1)
        for code in range(2 ** len(SECTORS))
    ]
)


def pandas_dtype(c: Column) -> str:
    """What pandas reads column ``c`` as (nullable integers for ``ended``)."""
    return "Int64" if c.nullable and c.kind == "int64" else _PANDAS[c.kind]


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """``num / den``, NaN where ``den`` is 0 (a mean over no months, a ratio to nothing)."""
    safe = np.where(den > 0, den, 1)
    return np.where(den > 0, num / safe, np.nan)


def partnership_columns(s: State, p: Any) -> dict[str, np.ndarray]:
    """One entry per partnership at work during the record (formed in it, or formed during
    the burn-in and still running at its end), keyed as :data:`COLUMNS`.

    ``p`` holds the run's parameters (``model.p``). Null entries are marked by ``censored``
    (``ended`` holds -1, ``end_cause`` ""). The run's last month is ``s.month``.
    """
    out = _all_columns(s, p)
    t = s.table
    n = t.n_p
    ended = t.p_stage[:n] == ENDED
    keep = ~ended | (t.p_end[:n] >= 1)  # month 0 is the burn-in's last month
    return {k: v[keep] for k, v in out.items()}


def _all_columns(s: State, p: Any) -> dict[str, np.ndarray]:
    t, h, n = s.table, s.history, s.table.n_p
    formed, end, cause = t.p_start[:n], t.p_end[:n], t.p_cause[:n]
    censored = t.p_stage[:n] != ENDED
    end = np.where(censored, -1, end)
    months = h.months[:n]
    nrows, left = t.p_nrows[:n], h.left[:n]
    rows = slice(0, t.n_m)
    has = np.zeros((n, len(SECTORS)), dtype=bool)
    has[t.m_p[rows], s.orgs.sector[t.m_o[rows]]] = True
    cause_labels = np.array([*END_CAUSES, ""])
    out: dict[str, np.ndarray] = {
        "partnership": np.arange(n, dtype=np.int64),
        "formed": formed.copy(),
        "ended": end.copy(),
        "censored": censored,
        "lifespan": np.where(censored, s.month, end) - formed,
        "months_worked": months.copy(),
        "end_cause": cause_labels[np.where(cause >= 0, cause, len(END_CAUSES))],
        "completed": t.p_completed[:n] > 0,
        "challenges": t.p_challenges[:n].copy(),
        "goals_met": t.p_completed[:n].copy(),
        "planned_duration": t.p_duration[:n].copy(),
        "size_at_start": nrows.copy(),
        "size_at_end": nrows - left,
        "members_left": left.copy(),
        **{c: has[:, k].copy() for k, c in enumerate(SECTOR_COLUMNS)},
        "sectors": _SECTOR_SETS[has @ (1 << np.arange(len(SECTORS)))],
        "brokered": t.p_brokered[:n].copy(),
        "mandated": t.p_mandated[:n].copy(),
    }
    for c in COLUMNS:
        if c.name in RULES:  # run-level, repeated so that tables of many runs concatenate
            value = p[c.name]
            out[c.name] = np.full(n, value) if c.kind == "string" else np.full(n, value, c.kind)
    for k, c in enumerate(BEHAVIOUR_COLUMNS):
        out[c] = _ratio(h.behaviour[:n, k], months)
    out["mean_skill"] = _ratio(h.skill[:n], months)
    out["mean_trust"] = _ratio(h.trust[:n], months)
    out["mean_understanding"] = _ratio(h.understanding[:n], months)
    out["mean_complementarity"] = _ratio(h.complementarity[:n], months)
    out["mean_synergy"] = _ratio(h.synergy[:n], h.synergy_months[:n])
    out["lifetime_synergy"] = _ratio(t.p_output[:n], t.p_alone[:n])
    out["output"] = t.p_output[:n].copy()
    out["target"] = t.p_target[:n].copy()
    out["value"] = h.value[:n].copy()
    assert tuple(out) == COLUMN_NAMES
    return out


def arrow_fields() -> tuple[pa.Field, ...]:
    """The table's columns as Arrow fields (types fixed, whatever a run's values are)."""
    return tuple(c.field() for c in COLUMNS)


def with_pandas_dtypes(schema: pa.Schema, dtypes: dict[str, str]) -> pa.Schema:
    """``schema`` carrying pandas metadata, so that pandas reads these columns as ``dtypes``."""
    frame = schema.empty_table().to_pandas().astype(dtypes)
    return schema.with_metadata(pa.Schema.from_pandas(frame, preserve_index=False).metadata)


@functools.cache
def arrow_schema(keys: tuple[tuple[str, pa.DataType], ...] = ()) -> pa.Schema:
    """The table's schema, after ``keys`` (a sweep's run key columns: name and type) if
    given; pandas reads ``ended`` as nullable integers."""
    schema = pa.schema([pa.field(k, kind) for k, kind in keys] + list(arrow_fields()))
    return with_pandas_dtypes(
        schema, {c.name: pandas_dtype(c) for c in COLUMNS if c.kind == "int64" and c.nullable}
    )


def arrow_table(
    cols: dict[str, np.ndarray], keys: tuple[tuple[str, pa.DataType], ...] = (), key_arrays=()
) -> pa.Table:
    """``cols`` (:func:`partnership_columns`, or several runs' concatenated) as an Arrow
    table of the fixed schema, after the key columns ``key_arrays`` named and typed by
    ``keys``. Null where ``censored`` for the nullable columns."""
    null = cols["censored"]
    arrays = list(key_arrays)
    for f, c in zip(arrow_fields(), COLUMNS, strict=True):
        arrays.append(pa.array(cols[c.name], f.type, mask=null if c.nullable else None))
    return pa.Table.from_arrays(arrays, schema=arrow_schema(tuple(keys)))


def partnerships_frame(s: State, p: Any) -> pd.DataFrame:
    """The table as a pandas DataFrame with the documented dtypes."""
    return arrow_table(partnership_columns(s, p)).to_pandas()
