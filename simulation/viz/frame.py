"""A frozen copy of what the page draws, taken between two model steps.

Why a snapshot rather than a lock around drawing: the page draws from one thread (the one
that renders the Solara components) while Mesa's Play loop steps the model in another, and
a Step click can arrive while the Play loop is still finishing a month. Drawing straight
from the live model read arrays that a step was resizing (relationships, partnership
tables, the data collector's lists), which is how the page crashed with "operands could not
be broadcast". A lock shared by stepping and drawing would fix that only if every reader
remembered to take it, and a slow drawing would then hold up the model.

So the model that the page steps (:class:`~simulation.viz.controls.VizModel`, and the
compare pair) takes a :class:`Frame` at the end of every step, under the same lock that
keeps two steps from overlapping, and publishes it with one attribute assignment (atomic in
Python). Every component draws from ``model.frame`` only: a frame is never changed after it
is made (its arrays are read-only copies), so a drawing can never see half a step, drawing
never blocks stepping, and a step never waits for a drawing.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np

from ..partnerships import FORMING
from ..readouts import headline, myth_matrix, trust_matrix
from .layout import positions

#: Partnership states in the order of their codes in :attr:`Frame.hub_state`.
STATES: tuple[str, ...] = ("forming", "advantage", "inertia")
#: Stories kept per frame (the page shows the newest few).
EVENTS_KEPT = 40
#: Data-collector columns a frame copies (the live plots' and the headline's).
SERIES_COLUMNS: tuple[str, ...] = (
    "month",
    "active",
    "delivering",
    "declining",
    "share_advantage",
    "share_inertia",
    "cross_trust",
    "mean_myth",
)


def _frozen(a) -> np.ndarray:
    out = np.array(a, copy=True)
    out.flags.writeable = False
    return out


@dataclass(frozen=True, eq=False)  # eq=False: frames compare by identity (Solara's memo)
class Frame:
    """Everything the page shows of one model at one month."""

    def __deepcopy__(self, memo) -> Frame:
        return self  # immutable (frozen, read-only arrays and mappings): a copy may share it

    month: int
    readout: MappingProxyType
    totals: MappingProxyType
    #: The run's headline outcomes so far (what ``run_model`` returns at this month).
    outcomes: MappingProxyType
    #: The latest event stories, oldest first.
    events: tuple[str, ...]
    #: Data-collector columns (SERIES_COLUMNS), one value per recorded month.
    series: MappingProxyType
    #: Layout positions (n x 2), sector index, current and largest starting capacity.
    positions: np.ndarray
    sector: np.ndarray
    capacity: np.ndarray
    capacity_scale: float
    #: Organisations in at least one active partnership.
    member: np.ndarray
    #: Each related pair once (a < b) with the mean of both directions' trust.
    trust_a: np.ndarray
    trust_b: np.ndarray
    trust: np.ndarray
    #: Active partnerships as hubs: one row per membership (hub index, organisation) and
    #: one state code per hub (index into STATES).
    member_hub: np.ndarray
    member_org: np.ndarray
    hub_state: np.ndarray
    trust_matrix: np.ndarray
    myth_matrix: np.ndarray
    #: Each organisation's name as the event log writes it ("Public 17"), by slot.
    names: tuple[str, ...]
    #: Each hub's partnership id (the number the event log gives it).
    hub_pid: np.ndarray
    #: Each organisation's mean trust in the organisations it relates to, and theirs in it
    #: (nan: no relationship).
    trust_given: np.ndarray
    trust_received: np.ndarray

    @property
    def n_hubs(self) -> int:
        return int(self.hub_state.size)


def trust_edges(model) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each related pair once (a < b) with the mean of both directions' trust."""
    rel = model.state.relations
    keep = rel.src < rel.dst
    a, b = rel.src[keep], rel.dst[keep]
    trust = rel.trust[keep].copy()
    back = rel.lookup(b, a)
    has = back >= 0
    trust[has] = 0.5 * (trust[has] + rel.trust[back[has]])
    return a, b, trust


def partnership_hubs(model) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Active memberships as (hub index, organisation) rows and each hub's state code."""
    return _hubs(model)[:3]


def _hubs(model) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`partnership_hubs` and each hub's partnership id."""
    t = model.state.table
    live = t.m_active[: t.n_m]
    rows_p, rows_o = t.m_p[: t.n_m][live], t.m_o[: t.n_m][live]
    pids, hub = np.unique(rows_p, return_inverse=True)
    syn = t.p_synergy[pids]
    state = np.where(syn > 1, 1, 2)
    state[(t.p_stage[pids] == FORMING) | ~np.isfinite(syn)] = 0
    return hub.astype(np.int64), rows_o.astype(np.int64), state.astype(np.int8), pids


def mean_trust(model) -> tuple[np.ndarray, np.ndarray]:
    """Each organisation's mean trust given (in others) and received (others' in it)."""
    rel, n = model.state.relations, model.state.orgs.n
    with np.errstate(invalid="ignore", divide="ignore"):
        given = np.bincount(rel.src, rel.trust, n) / np.bincount(rel.src, minlength=n)
        received = np.bincount(rel.dst, rel.trust, n) / np.bincount(rel.dst, minlength=n)
    return given, received


def snapshot(model) -> Frame:
    """A :class:`Frame` of ``model`` now (call it only between steps)."""
    orgs = model.state.orgs
    a, b, trust = trust_edges(model)
    hub, org, state, pids = _hubs(model)
    given, received = mean_trust(model)
    mv = model.datacollector.model_vars
    n_months = len(mv["month"])  # columns are appended together; cut to one length
    series = {c: _frozen(np.asarray(mv[c][:n_months], dtype=float)) for c in SERIES_COLUMNS}
    readout: dict[str, Any] = dict(model.readout)
    return Frame(
        month=int(model.month),
        readout=MappingProxyType(readout),
        totals=MappingProxyType(dict(model.state.totals.as_dict())),
        outcomes=MappingProxyType(headline(model)),
        events=tuple(e["story"] for e in model.events[-EVENTS_KEPT:]),
        series=MappingProxyType(series),
        positions=_frozen(positions(model)),
        sector=_frozen(orgs.sector),
        capacity=_frozen(orgs.capacity),
        capacity_scale=max(float(orgs.base_capacity.max()), 1e-9),
        member=_frozen(orgs.n_memberships > 0),
        trust_a=_frozen(a),
        trust_b=_frozen(b),
        trust=_frozen(trust),
        member_hub=_frozen(hub),
        member_org=_frozen(org),
        hub_state=_frozen(state),
        trust_matrix=_frozen(trust_matrix(model.state)),
        myth_matrix=_frozen(myth_matrix(model.state)),
        names=tuple(orgs.name),
        hub_pid=_frozen(pids.astype(np.int64)),
        trust_given=_frozen(given),
        trust_received=_frozen(received),
    )
