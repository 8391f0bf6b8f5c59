"""Partnerships and memberships as tables of arrays, and the per-step roster.

A partnership (source 004: "a cross-organisational group working together towards
commonly held goals which would be extremely difficult ... to achieve if tackled
alone") has members, a purpose (a challenge), an age, a life-cycle stage and a history.
Membership overlaps freely: an organisation can sit in several partnerships.
The readable face is :class:`simulation.agents.Partnership`; the state is here.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass

import numpy as np

from .arrays import grown
from .codes import EARLY_END_CAUSES, EndCause, Stage

FORMING, DELIVERING, DECLINING, ENDED = (int(s) for s in Stage)
STAGES = Stage.labels()

#: Why a partnership ended (labels of :class:`~simulation.codes.EndCause`).
END_CAUSES = EndCause.labels()
EARLY_CAUSES = tuple(c.label for c in EARLY_END_CAUSES)


class PartnershipTable:
    """Rows of partnerships (``p_*``, indexed by partnership id ``pid``) and of memberships
    (``m_*``, indexed by membership row), growable. A partnership's membership rows are
    made together at its creation, so they form one contiguous block."""

    P_FIELDS = {
        "p_req": (np.float64, "domains"),  # capability mix the challenge needs
        "p_value": (np.float64, None),  # value to the community per unit of output
        "p_start": (np.int64, None),  # month formed
        "p_duration": (np.int64, None),  # planned life, months
        "p_target": (np.float64, None),  # output needed to meet the current challenge's goal
        "p_progress": (np.float64, None),  # joint output towards the current challenge
        "p_challenge_start": (np.int64, None),  # month the current challenge was taken up
        "p_challenges": (np.int64, None),  # challenges taken up (1 + renewals)
        "p_completed": (np.int64, None),  # challenges completed (goal met)
        "p_forming": (np.int64, None),  # months of forming (longer when objectives are negotiated)
        "p_extended": (np.bool_, None),  # the current challenge's deadline was renegotiated
        "p_output": (np.float64, None),  # cumulative joint output over the whole life
        "p_alone": (np.float64, None),  # cumulative output members would have made alone
        "p_alignment": (np.float64, None),
        "p_stage": (np.int8, None),  # Stage code
        "p_end": (np.int64, None),
        "p_cause": (np.int8, None),  # EndCause code, -1 while running
        "p_synergy": (np.float64, None),  # latest synergy ratio
        "p_harm": (np.float64, None),  # latest credit dispute intensity
        # Costs a month left behind by members who left the current challenge early, carried
        # by the remaining members until it ends (units of work).
        "p_stranded": (np.float64, None),
        "p_brokered": (np.bool_, None),
        "p_mandated": (np.bool_, None),
        # Membership rows of a partnership are one contiguous block (all made at creation):
        # its first row and length, so finding members needs no scan of every membership.
        "p_row0": (np.int64, None),
        "p_nrows": (np.int64, None),
    }
    M_FIELDS = {
        "m_p": np.int64,  # partnership id (pid) of the row
        "m_o": np.int64,  # organisation of the row
        "m_active": np.bool_,
        "m_joined": np.int64,
        "m_commitment": np.float64,  # latest share of capacity committed (0..1)
        "m_return": np.float64,  # smoothed net return on effort (0: no better than alone)
        "m_called": np.float64,  # pressure from being called to account (decays)
        "m_effort": np.float64,
        "m_benefit": np.float64,
        "m_plan": np.float64,  # commitment the member agreed to at formation (0..1)
        "m_agreed": np.float64,  # output a month its agreed effort would give alone
    }

    def __init__(self, n_domains: int):
        self.n_domains = n_domains
        self.n_p = 0
        self.n_m = 0
        for name, (dtype, shape) in self.P_FIELDS.items():
            setattr(self, name, np.zeros((16, n_domains) if shape else 16, dtype=dtype))
        for name, dtype in self.M_FIELDS.items():
            setattr(self, name, np.zeros(64, dtype=dtype))
        self._roster_key: tuple[int, bytes] | None = None
        self._roster: Roster | None = None

    def create(
        self,
        members: np.ndarray,
        req: np.ndarray,
        value: float,
        start: int,
        duration: int,
        target: float,
        alignment: float,
        brokered: bool,
        mandated: bool,
        forming: int,
        plan: np.ndarray,
        agreed: np.ndarray,
    ) -> int:
        pid = self.n_p
        for name in self.P_FIELDS:
            setattr(self, name, grown(getattr(self, name), pid + 1))
        self.p_req[pid] = req
        self.p_value[pid] = value
        self.p_start[pid] = start
        self.p_duration[pid] = duration
        self.p_target[pid] = target
        self.p_progress[pid] = 0.0
        self.p_challenge_start[pid] = start
        self.p_challenges[pid] = 1
        self.p_completed[pid] = 0
        self.p_forming[pid] = forming
        self.p_extended[pid] = False
        self.p_output[pid] = 0.0
        self.p_alone[pid] = 0.0
        self.p_alignment[pid] = alignment
        self.p_stage[pid] = FORMING
        self.p_end[pid] = -1
        self.p_cause[pid] = -1
        self.p_synergy[pid] = np.nan
        self.p_harm[pid] = 0.0
        self.p_stranded[pid] = 0.0
        self.p_brokered[pid] = brokered
        self.p_mandated[pid] = mandated
        self.n_p += 1
        k = len(members)
        self.p_row0[pid] = self.n_m
        self.p_nrows[pid] = k
        for name in self.M_FIELDS:
            setattr(self, name, grown(getattr(self, name), self.n_m + k))
        sl = slice(self.n_m, self.n_m + k)
        self.m_p[sl] = pid
        self.m_o[sl] = members
        self.m_active[sl] = True
        self.m_joined[sl] = start
        self.m_commitment[sl] = plan
        self.m_return[sl] = 0.0
        self.m_called[sl] = 0.0
        self.m_effort[sl] = 0.0
        self.m_benefit[sl] = 0.0
        self.m_plan[sl] = plan
        self.m_agreed[sl] = agreed
        self.n_m += k
        return pid

    def active_partnerships(self) -> np.ndarray:
        return np.flatnonzero(self.p_stage[: self.n_p] != ENDED)

    def block(self, pid: int) -> slice:
        """Membership rows of partnership ``pid``, past and present members alike."""
        r0 = int(self.p_row0[pid])
        return slice(r0, r0 + int(self.p_nrows[pid]))

    def active_rows(self, pid: int) -> np.ndarray:
        """Membership rows of partnership ``pid`` whose member has not left."""
        b = self.block(pid)
        return b.start + np.flatnonzero(self.m_active[b])

    def members_of(self, pid: int) -> np.ndarray:
        return self.m_o[self.active_rows(pid)]

    def memberships_of(self, org: int) -> np.ndarray:
        """Partnership ids an organisation is currently a member of."""
        rows = np.flatnonzero((self.m_o[: self.n_m] == org) & self.m_active[: self.n_m])
        return self.m_p[rows]

    def roster(self) -> Roster:
        """Who works with whom now. Rows are only ever appended and their partnership and
        organisation never change, so the roster depends only on which rows are active:
        it is rebuilt only when that changed since the last call."""
        key = (self.n_m, self.m_active[: self.n_m].tobytes())
        if self._roster_key != key:
            roster = Roster.build(self)
            for f in dataclasses.fields(roster):  # shared by the month's readers: read-only
                getattr(roster, f.name).flags.writeable = False
            self._roster_key, self._roster = key, roster
        return self._roster


def ordered_pairs(members: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every ordered pair (a, b) of distinct members, b-major (as ``np.meshgrid`` lists them).

    Holder ``a`` and the member ``b`` it has a view of; cheaper than a meshgrid for the
    handful of members a partnership has.
    """
    ia, ib = _pair_positions(members.size)
    return members.take(ia), members.take(ib)


@functools.cache
def _pair_positions(k: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions of holder and viewed member in :func:`ordered_pairs` for a team of ``k``."""
    a, b = np.tile(np.arange(k), k), np.repeat(np.arange(k), k)
    off = a != b
    return a[off], b[off]


@dataclass
class Roster:
    """Who works with whom this month, as flat arrays in three index spaces.

    * **entry** (length M): one active membership. ``row`` is its membership row in the
      table, ``pid`` its partnership id, ``org`` its organisation, ``part`` its position in
      ``active_pid``, ``n_other`` its number of fellow members. Entries run in partnership
      order, members in the order they joined.
    * **part** (length P): one active partnership. ``active_pid`` is its id, ``size`` its
      number of active members.
    * **pair** (length K): one ordered pair of fellow members, the holder ``a`` having a
      view of ``b``. ``pair_entry_a``/``pair_entry_b`` are entries, ``pair_org_a``/
      ``pair_org_b`` organisations, ``pair_part`` the pair's partnership position.
    """

    row: np.ndarray
    pid: np.ndarray
    org: np.ndarray
    active_pid: np.ndarray
    part: np.ndarray
    size: np.ndarray
    pair_entry_a: np.ndarray
    pair_entry_b: np.ndarray
    pair_org_a: np.ndarray  # looked up once here because every mechanism needs them
    pair_org_b: np.ndarray
    pair_part: np.ndarray
    n_other: np.ndarray

    @classmethod
    def build(cls, t: PartnershipTable) -> Roster:
        rows = np.flatnonzero(t.m_active[: t.n_m])
        p = t.m_p[rows]
        # Rows are made in blocks as partnerships are created, so they already run in
        # partnership order; sort only if that ever stops being true.
        if p.size > 1 and (p[1:] < p[:-1]).any():
            rows = rows[np.argsort(p, kind="stable")]
            p = t.m_p[rows]
        # Group the sorted ids by where they change (what np.unique would give, without
        # sorting again).
        new = np.ones(p.size, dtype=bool)
        new[1:] = p[1:] != p[:-1]
        start = np.flatnonzero(new)
        pids = p[start]
        size = np.diff(np.append(start, p.size))
        part = np.cumsum(new) - 1
        n_other = size[part] - 1
        pair_a = np.repeat(np.arange(rows.size), n_other)
        # k-th other member of entry a: skip a's own slot in its partnership's block.
        first = (
            np.repeat(np.concatenate([[0], np.cumsum(n_other)[:-1]]), n_other)
            if rows.size
            else np.zeros(0, np.int64)
        )
        k = np.arange(pair_a.size) - first
        own = pair_a - start[part[pair_a]]
        pair_b = start[part[pair_a]] + k + (k >= own)
        o = t.m_o[rows]
        pair_a, pair_b = pair_a.astype(np.int64), pair_b.astype(np.int64)
        return cls(
            row=rows,
            pid=p,
            org=o,
            active_pid=pids,
            part=part,
            size=size,
            pair_entry_a=pair_a,
            pair_entry_b=pair_b,
            pair_org_a=o[pair_a],
            pair_org_b=o[pair_b],
            pair_part=part[pair_a],
            n_other=n_other,
        )

    @property
    def n(self) -> int:
        """Number of entries (active memberships)."""
        return self.row.size

    def per_part(self, values: np.ndarray) -> np.ndarray:
        """Sum of a per-entry quantity within each active partnership."""
        return np.bincount(self.part, weights=values, minlength=self.active_pid.size)

    def per_entry_mean_over_pairs(self, values: np.ndarray) -> np.ndarray:
        """Mean of a per-pair quantity over each entry's pairs (entries with no pair get nan)."""
        s = np.bincount(self.pair_entry_a, weights=values, minlength=self.n)
        with np.errstate(invalid="ignore", divide="ignore"):
            return s / self.n_other
