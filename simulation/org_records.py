"""Organisations and their network, as a researcher reads them: a panel and snapshots.

Two opt-in records, both taken from the state as it stands after a month's work (month 0
is the state the record starts from, after the burn-in):

* the **panel**: one row per organisation per recorded month (:data:`PANEL_COLUMNS`),
  typed by Arrow as the per-partnership table is, so that the panels of a single run and of
  every part of a sweep concatenate;
* **network snapshots** at chosen months: every organisation a node (sector, name,
  memberships, partnerships) and every directed relationship an edge (trust, familiarity,
  shared language, kind), kept as plain arrays (cheap to send from a sweep's worker) and
  written as GraphML, which networkx and Gephi read.

An organisation's row number (``org``) is a slot: when an organisation closes, a new one
founded in its sector takes the slot (``simulation.mechanisms.demography``), so across
months an organisation is followed by its ``name``, which is never reused.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from .codes import Behaviour
from .columns import Column
from .errors import UserError, shown
from .sectors import SECTORS

if TYPE_CHECKING:  # only for annotations: the state (and its compiled kernels) loads late
    from .state import State


BEHAVIOUR_COLUMNS = tuple(b.label for b in Behaviour)
MYTH_COLUMNS = tuple(f"myth_{s}" for s in SECTORS)

#: Every panel column, in order, with its type, unit and meaning (docs/sweeps.md lists them).
PANEL_COLUMNS: tuple[Column, ...] = (
    Column("month", "int64", "month", "month of the record (0: the state after the burn-in)"),
    Column("org", "int64", "slot", "row of the organisation (reused when one closes)"),
    Column("name", "string", "", "the organisation's name, never reused, e.g. `Public 3`"),
    Column("sector", "string", "", "its sector: " + ", ".join(SECTORS)),
    Column("founded", "int64", "month", "month it was founded (0 for the first population)"),
    Column("base_capacity", "float64", "units of work", "normal resources per month"),
    Column("capacity", "float64", "units of work", "resources this month (after any shock)"),
    Column("memberships", "int64", "count", "partnerships it is a member of now"),
    Column("skill", "float64", "0..1", "partnering skill"),
    *(Column(c, "float64", "0..1", f"{c.replace('_', ' ')} behaviour") for c in BEHAVIOUR_COLUMNS),
    Column(
        "trust_given",
        "float64",
        "0..1",
        "mean trust it holds in the organisations it knows (NaN if it knows none)",
    ),
    Column(
        "trust_received",
        "float64",
        "0..1",
        "mean trust the organisations that know it hold in it (NaN if none does)",
    ),
    Column("known", "int64", "count", "organisations it holds a view of (relationships)"),
    *(
        Column(c, "float64", "0..1", f"myth it holds about the {s} sector (NaN for its own)")
        for c, s in zip(MYTH_COLUMNS, SECTORS, strict=True)
    ),
    Column("ties", "int64", "count", "personal networking ties"),
    Column("months_alone", "int64", "months", "months since it was last in a partnership"),
)
PANEL_NAMES = tuple(c.name for c in PANEL_COLUMNS)

#: Kinds of edge in a network snapshot (each relationship is one of them).
EDGE_KINDS = ("tie_and_worked", "tie", "worked", "former")


def panel_rows(s: State) -> dict[str, np.ndarray]:
    """This month's panel rows, one per organisation, keyed as :data:`PANEL_COLUMNS`."""
    o, rel, n = s.orgs, s.relations, s.orgs.n
    given = np.bincount(rel.src, weights=rel.trust, minlength=n)
    n_given = np.bincount(rel.src, minlength=n)
    got = np.bincount(rel.dst, weights=rel.trust, minlength=n)
    n_got = np.bincount(rel.dst, minlength=n)
    myth = o.myth.astype(np.float64, copy=True)
    myth[np.arange(n), o.sector] = np.nan  # no myth is held about one's own sector
    with np.errstate(invalid="ignore", divide="ignore"):
        out: dict[str, np.ndarray] = {
            "month": np.full(n, s.month, np.int64),
            "org": np.arange(n, dtype=np.int64),
            "name": np.array(o.name, dtype=object),
            "sector": np.array(SECTORS, dtype=object)[o.sector],
            "founded": o.founded.astype(np.int64),
            "base_capacity": o.base_capacity.copy(),
            "capacity": o.capacity.copy(),
            "memberships": o.n_memberships.astype(np.int64),
            "skill": o.skill.copy(),
            **{c: o.behaviour[:, k].copy() for k, c in enumerate(BEHAVIOUR_COLUMNS)},
            "trust_given": np.where(n_given > 0, given / np.maximum(n_given, 1), np.nan),
            "trust_received": np.where(n_got > 0, got / np.maximum(n_got, 1), np.nan),
            "known": n_given.astype(np.int64),
            **{c: myth[:, k] for k, c in enumerate(MYTH_COLUMNS)},
            "ties": s.ties.degree.astype(np.int64),
            "months_alone": (s.month - o.last_partnered).astype(np.int64),
        }
    assert tuple(out) == PANEL_NAMES
    return out


@functools.cache
def panel_schema(keys: tuple[tuple[str, pa.DataType], ...] = ()) -> pa.Schema:
    """The panel's schema, after ``keys`` (a sweep's run key columns) if given."""
    return pa.schema([pa.field(k, t) for k, t in keys] + [c.field() for c in PANEL_COLUMNS])


def panel_table(
    cols: dict[str, np.ndarray], keys: tuple[tuple[str, pa.DataType], ...] = (), key_arrays=()
) -> pa.Table:
    """``cols`` (:attr:`Recorder.panel`, or several runs' concatenated) as an Arrow table."""
    schema = panel_schema(tuple(keys))
    arrays = list(key_arrays) + [pa.array(cols[c.name], c.arrow) for c in PANEL_COLUMNS]
    return pa.Table.from_arrays(arrays, schema=schema)


# --- network snapshots ----------------------------------------------------------------------
def network_arrays(s: State) -> dict[str, np.ndarray]:
    """The network now, as plain arrays: nodes (``node_*``) and directed edges (``edge_*``).

    Edges are the relationships (who holds a view of whom). A personal tie with no
    relationship behind it would be an edge of its own, with no trust or familiarity.
    """
    o, rel, t = s.orgs, s.relations, s.table
    rows = np.flatnonzero(t.m_active[: t.n_m])
    member_of = [[] for _ in range(o.n)]
    for org, pid in zip(t.m_o[rows].tolist(), t.m_p[rows].tolist(), strict=True):
        member_of[org].append(str(pid))
    src, dst = rel.src.copy(), rel.dst.copy()
    trust, fam, lang, tie = rel.trust.copy(), rel.familiarity.copy(), rel.language.copy(), rel.tie
    a = np.repeat(np.arange(o.n), s.ties.table.shape[1])
    b = s.ties.table.ravel()
    a, b = a[b >= 0], b[b >= 0]
    missing = rel.lookup(a, b) < 0
    tied = tie.copy()
    if missing.any():  # ties the relationship store has no edge for (not expected)
        src, dst = np.concatenate([src, a[missing]]), np.concatenate([dst, b[missing]])
        nan = np.full(int(missing.sum()), np.nan)
        trust, fam, lang = (np.concatenate([x, nan]) for x in (trust, fam, lang))
        tied = np.concatenate([tied, np.ones(int(missing.sum()), bool)])
    worked = np.nan_to_num(fam) > 0
    kind = np.where(tied, np.where(worked, 0, 1), np.where(worked, 2, 3))
    return {
        "month": np.array(s.month, np.int64),
        "node_name": np.array(o.name, dtype=object),
        "node_sector": np.array(SECTORS, dtype=object)[o.sector],
        "node_memberships": o.n_memberships.astype(np.int64),
        "node_partnerships": np.array([" ".join(m) for m in member_of], dtype=object),
        "node_skill": o.skill.copy(),
        "edge_src": src,
        "edge_dst": dst,
        "edge_trust": trust,
        "edge_familiarity": fam,
        "edge_language": lang,
        "edge_kind": np.array(EDGE_KINDS, dtype=object)[kind],
    }


def network_graph(net: dict[str, np.ndarray], graph: dict[str, Any] | None = None):
    """A snapshot (:func:`network_arrays`) as a networkx ``DiGraph``: node ids are the
    organisations' slots, ``label`` their names (what Gephi shows); ``graph`` adds
    attributes of the whole graph (a run's seed, scenario, month)."""
    import networkx as nx

    g = nx.DiGraph(**(graph or {}), month=int(net["month"]))
    for i in range(net["node_name"].size):
        g.add_node(
            i,
            label=str(net["node_name"][i]),
            sector=str(net["node_sector"][i]),
            memberships=int(net["node_memberships"][i]),
            partnerships=str(net["node_partnerships"][i]),
            skill=float(net["node_skill"][i]),
        )
    g.add_edges_from(
        (int(a), int(b), {"trust": t, "familiarity": f, "language": la, "kind": str(k)})
        for a, b, t, f, la, k in zip(
            net["edge_src"].tolist(),
            net["edge_dst"].tolist(),
            net["edge_trust"].tolist(),
            net["edge_familiarity"].tolist(),
            net["edge_language"].tolist(),
            net["edge_kind"].tolist(),
            strict=True,
        )
    )
    return g


def write_graphml(net: dict[str, np.ndarray], path: Path, graph: dict[str, Any] | None = None):
    """Write a snapshot as GraphML at ``path`` (the caller makes the write atomic)."""
    import networkx as nx

    nx.write_graphml(network_graph(net, graph), str(path))


def network_filename(month: int, prefix: str = "") -> str:
    return f"{prefix}network-month{month:05d}.graphml"


# --- what a run records ---------------------------------------------------------------------
@dataclass(frozen=True)
class Recording:
    """Which organisation records a run keeps: the panel every ``panel_every`` months
    (0: no panel) and network snapshots at the months ``network_at``."""

    panel_every: int = 0
    network_at: tuple[int, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.panel_every or self.network_at)

    def recorder(self) -> Recorder:
        return Recorder(self)


@dataclass
class Recorder:
    """Takes the records of :class:`Recording` from a model as it runs: call :meth:`observe`
    after building it and after every month, and :meth:`finish` at the end (the panel
    always holds the run's last month, as a sweep's time series does)."""

    what: Recording
    chunks: list[dict[str, np.ndarray]] = field(default_factory=list)
    networks: dict[int, dict[str, np.ndarray]] = field(default_factory=dict)
    _last: int | None = None

    def observe(self, s: State) -> None:
        every = self.what.panel_every
        if every and s.month % every == 0:
            self._take(s)
        if s.month in self.what.network_at:
            self.networks[s.month] = network_arrays(s)

    def finish(self, s: State) -> None:
        if self.what.panel_every and self._last != s.month:
            self._take(s)

    def _take(self, s: State) -> None:
        self.chunks.append(panel_rows(s))
        self._last = s.month

    @property
    def panel(self) -> dict[str, np.ndarray] | None:
        """Every recorded month's rows, concatenated (None without a panel)."""
        if not self.what.panel_every:
            return None
        if not self.chunks:
            return {c.name: np.zeros(0) for c in PANEL_COLUMNS}
        return {k: np.concatenate([c[k] for c in self.chunks]) for k in PANEL_NAMES}


# --- options --------------------------------------------------------------------------------
def parse_months(text: str, option: str = "--network-at") -> list[int]:
    """``"60,120"`` as a list of months (each checked by :func:`check_recording`)."""
    try:
        return [int(part) for part in text.split(",")]
    except ValueError:
        raise UserError(
            f"{option} {shown(text)} is not allowed; allowed: comma-separated months, e.g. 60,120"
        ) from None


def parse_every(text: str | None) -> int | str | None:
    """``"12"`` as 12; other text is left for :func:`check_recording` to refuse."""
    try:
        return None if text is None else int(text)
    except ValueError:
        return text


def check_recording(
    steps: int,
    *,
    panel: Any = False,
    panel_every: Any = None,
    network_at: Any = (),
    default_every: int = 1,
    names: tuple[str, str, str] = ("--panel", "--panel-every", "--network-at"),
) -> Recording:
    """Validate the options into a :class:`Recording`; one-line ``UserError`` otherwise.

    ``panel_every`` implies the panel; ``panel`` alone records every ``default_every``
    months. Snapshot months run from 0 (the state the record starts from) to ``steps``.
    ``names`` are the options' names as the user wrote them (flags, or experiment keys
    followed by ``=``).
    """
    p_name, e_name, n_name = names
    if not isinstance(panel, bool):
        raise UserError(f"{p_name} {shown(panel)} is not allowed; allowed: true or false")
    every = 0
    if panel_every is not None:
        if (
            isinstance(panel_every, bool)
            or not isinstance(panel_every, int)
            or not 1 <= panel_every <= steps
        ):
            raise UserError(
                f"{e_name} {shown(panel_every)} is not allowed; allowed: an integer from 1 to "
                f"{steps} (the months run)"
            )
        every = panel_every
    elif panel:
        every = max(1, min(default_every, steps))
    if not isinstance(network_at, (list, tuple)):
        raise UserError(f"{n_name} {shown(network_at)} is not allowed; allowed: a list of months")
    months = []
    for m in network_at:
        if isinstance(m, bool) or not isinstance(m, int) or not 0 <= m <= steps:
            raise UserError(
                f"{n_name} {shown(m)} is not allowed; allowed: months from 0 to {steps} "
                "(0 is the state after the burn-in)"
            )
        months.append(m)
    if len(set(months)) != len(months):
        dup = next(m for m in months if months.count(m) > 1)
        raise UserError(f"{n_name} {dup} is not allowed; allowed: each month once")
    return Recording(every, tuple(sorted(months)))
