"""CollabModel: organisations from four sectors forming, working in and leaving partnerships."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import mesa
import numpy as np

from . import mechanisms as mech
from . import readouts
from .agents import BEHAVIOURS, Organisation, Partnership
from .mechanisms.formation import ALIGNABLE_DISTANCE, Challenge, Formation
from .mechanisms.review import ReviewAndExit
from .params import validate
from .partnerships import END_CAUSES, ENDED, PartnershipTable
from .relations import Relations
from .sectors import (
    CAPABILITY,
    CAPACITY_MEDIAN,
    JARGON,
    MYTH_PATTERN,
    SECTOR_TITLES,
    SECTORS,
    VALUES,
)


@dataclass
class WorkRecord:
    """What happened in partnerships this month (per row, pair or partnership)."""

    commitment: np.ndarray
    effort: np.ndarray
    ret: np.ndarray
    trust_row: np.ndarray
    trust_p: np.ndarray
    understanding_p: np.ndarray
    joint: np.ndarray
    alone: np.ndarray
    synergy: np.ndarray
    fairness: np.ndarray


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


class CollabModel(mesa.Model):
    """Agent-based model of multi-sector collaboration.

    Build with keyword parameters (see ``simulation.params``) and a ``seed``; every
    parameter is validated before anything is built. ``step()`` advances one month.
    Without a seed a fresh one is drawn (as Mesa users expect, so that replicates differ) and
    kept in ``model.seed`` so the run can be repeated.
    """

    LEADERSHIP, SHARING, OUTCOME, COMMUNICATION, EMPOWERMENT = range(5)

    def __init__(self, seed: int | None = None, **params: Any):
        self.p = validate(params)
        if seed is None:
            seed = int(np.random.SeedSequence().entropy % 2**63)
        seed = int(seed)  # numpy integers break Mesa's Model.__init__
        super().__init__(rng=seed)
        self.seed = seed
        # Independent streams, so that changing a rule does not shift when challenges and
        # shocks arrive: conditions compared on one seed then meet the same environment.
        self.rng_env, self.rng_form, self.rng_noise = (
            np.random.default_rng(int(s)) for s in self.rng.integers(0, 2**62, size=3))
        self.sector_names = SECTORS
        self.month = 0
        self.turbulent_until = 0
        self.running = True

        self.formation = mech.Formation()
        self.contribution = mech.Contribution()
        self.communication = mech.Communication()
        self.synergy = mech.Synergy()
        self.sharing = mech.BenefitSharing()
        self.trust = mech.TrustDynamics()
        self.reputation = mech.Reputation()
        self.myths = mech.MythDynamics()
        self.review = mech.ReviewAndExit()
        self.shocks = mech.ShocksAndTurbulence()
        self.learning = mech.Learning()

        self._init_organisations()
        self._init_network()
        self.table = PartnershipTable(self.capability.shape[1])
        self.events: list[dict[str, Any]] = []
        self.counts = readouts.new_counts()
        self.totals = readouts.new_totals()
        self.last_work: WorkRecord | None = None
        self.readout: dict[str, float] = {}
        self.datacollector = mesa.DataCollector(model_reporters=readouts.reporters())
        self.collect()

    # --- initialisation ----------------------------------------------------------------------
    def _init_organisations(self) -> None:
        p, rng = self.p, self.rng
        n = self.n = p["n_orgs"]
        shares = np.array([p[f"share_{s}"] for s in SECTORS], dtype=float)
        shares /= shares.sum()
        raw = shares * n
        counts = np.floor(raw).astype(int)
        counts[np.argsort(-(raw - counts), kind="stable")[: n - counts.sum()]] += 1
        self.sector = np.repeat(np.arange(len(SECTORS)), counts).astype(np.int64)
        s = self.sector
        self.base_capacity = CAPACITY_MEDIAN[s] * rng.lognormal(0.0, 0.5, n)
        self.capacity = self.base_capacity.copy()
        self.capability = np.clip(CAPABILITY[s] + rng.normal(0, 0.1, (n, CAPABILITY.shape[1])),
                                  0.02, 1.0)
        self.values = np.clip(VALUES[s] + rng.normal(0, 0.1, n), 0.0, 1.0)
        self.red_line = rng.uniform(0.3, 0.6, n)
        self.behaviour = np.clip(rng.normal(p["behaviour_mean"], 0.15, (n, len(BEHAVIOURS))),
                                 0.0, 1.0)
        self.jargon = np.clip(JARGON[s] * p["jargon_scale"] + rng.normal(0, 0.05, n), 0.0, 1.0)
        myth = p["myth_initial"] * MYTH_PATTERN[s] + rng.normal(0, 0.08, (n, len(SECTORS)))
        myth[np.arange(n), s] = 0.0
        self.myth = np.clip(myth, 0.0, 1.0)
        self.initial_myth = self.myth.copy()
        self.skill = rng.uniform(0.1, 0.4, n)
        self.stress = np.zeros(n)
        self.n_memberships = np.zeros(n, dtype=np.int64)
        number = np.zeros(len(SECTORS), dtype=int)
        self.orgs: list[Organisation] = []
        for i in range(n):
            number[s[i]] += 1
            self.orgs.append(Organisation(self, i, f"{SECTORS[s[i]].title()} {number[s[i]]}"))

    def _init_network(self) -> None:
        """Networking ties: personal relationships, mostly within a sector (seed 000)."""
        p, rng, n = self.p, self.rng, self.n
        half = p["network_degree"] / 2.0
        k = rng.poisson(half, n)
        src = np.repeat(np.arange(n), k)
        counts = np.bincount(self.sector, minlength=len(SECTORS))
        start = np.concatenate([[0], np.cumsum(counts)[:-1]])
        s = self.sector[src]
        same = start[s] + np.floor(rng.random(src.size) * counts[s]).astype(np.int64)
        # A uniform draw over everyone outside the sector: skip over the sector's block.
        outside = np.floor(rng.random(src.size) * np.maximum(n - counts[s], 1)).astype(np.int64)
        other = np.where(outside >= start[s], outside + counts[s], outside)
        cross = (rng.random(src.size) < p["network_cross_sector"]) & (counts[s] < n)
        dst = np.where(cross, other, same)
        keep = src != dst
        a, b = src[keep], dst[keep]
        pairs = np.unique(np.concatenate([a * n + b, b * n + a]))
        a, b = pairs // n, pairs % n
        self.relations = Relations(n, capacity=max(1024, 4 * pairs.size))
        trust = np.clip(rng.normal(0.6, 0.1, a.size), 0.0, 1.0)
        self.relations.add(a, b, trust, tie=True)
        self.tie_ptr = np.searchsorted(a, np.arange(n + 1))
        self.tie_dst = b
        # The same ties as one row per organisation, padded with -1, for gathering the ties
        # of many organisations at once.
        degree = np.diff(self.tie_ptr)
        self.tie_table = np.full((n, max(int(degree.max(initial=0)), 1)), -1, dtype=np.int64)
        self.tie_table[a, np.arange(a.size) - self.tie_ptr[a]] = b

    # --- queries used by the mechanisms ------------------------------------------------------
    def ties_of(self, i: int) -> np.ndarray:
        return self.tie_dst[self.tie_ptr[i]: self.tie_ptr[i + 1]]

    def free_mask(self) -> np.ndarray:
        """Which organisations have room for another partnership and resources to give."""
        return (self.n_memberships < self.p["max_memberships"]) & \
            (self.capacity > 0.5 * self.base_capacity)

    def free_organisations(self) -> np.ndarray:
        return np.flatnonzero(self.free_mask())

    def perceived_trust(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return self.reputation.perceived(self, a, b)

    def acceptable_values(self, i: int, cands: np.ndarray) -> np.ndarray:
        """Candidates that cross neither side's red lines (and can align, if required)."""
        dist = np.abs(self.values[cands] - self.values[i])
        ok = np.ones(cands.size, dtype=bool)
        if self.p["red_lines"]:
            ok &= (dist <= self.red_line[i]) & (dist <= self.red_line[cands])
        if self.p["alignment_required"]:
            ok &= dist <= ALIGNABLE_DISTANCE
        return ok

    # --- life-cycle events -------------------------------------------------------------------
    def start_partnership(self, members: np.ndarray, challenge: Challenge, *, brokered: bool,
                          mandated: bool, first_trust: np.ndarray | None = None) -> int:
        """Create a partnership; members' first impressions of each other start its trust.

        ``first_trust`` (one per ordered pair, as :func:`ordered_pairs` lists them) saves
        recomputing impressions the formation search has just formed.
        """
        dist = np.abs(self.values[members][:, None] - self.values[members][None, :])
        mean_dist = dist.sum() / max(members.size * (members.size - 1), 1)
        if self.p["alignment_required"]:
            alignment = 0.9 - 0.5 * mean_dist
        else:
            alignment = 0.75 - mean_dist - self.rng_form.uniform(0.0, 0.3)
        target = Formation.nominal_target(self, members, challenge)
        pid = self.table.create(members, challenge.req, challenge.value, self.month,
                                challenge.duration, target, float(np.clip(alignment, 0, 1)),
                                brokered, mandated)
        a, b = ordered_pairs(members)
        first = self.perceived_trust(a, b) if first_trust is None else first_trust
        self.relations.add(a, b, first)
        self.n_memberships[members] += 1
        self.counts["formed"] += 1
        how = "mandated" if mandated else ("brokered by the commissioner" if brokered else "formed")
        self.log_event("formed", pid, members, None, f"a partnership was {how}")
        return pid

    def leave(self, row: int, cause: int) -> None:
        t = self.table
        if not t.m_active[row]:
            return
        pid = int(t.m_p[row])
        ReviewAndExit.exit_damage(self, row)
        t.m_active[row] = False
        org = int(t.m_o[row])
        self.n_memberships[org] -= 1
        self.counts["left"] += 1
        self.log_event("left", pid, np.array([org]), END_CAUSES[cause],
                       f"{self.orgs[org].name} left")
        if t.members_of(pid).size < 2:
            self.end_partnership(pid, cause)

    def end_partnership(self, pid: int, cause: int) -> None:
        t = self.table
        if t.p_stage[pid] == ENDED:
            return
        members = t.members_of(pid)
        rows = t.active_rows(pid)
        t.m_active[rows] = False
        self.n_memberships[members] -= 1
        t.p_stage[pid] = ENDED
        t.p_end[pid] = self.month
        t.p_cause[pid] = cause
        self.counts["ended"] += 1
        self.counts["ended_" + END_CAUSES[cause]] += 1
        self.log_event("ended", pid, members, END_CAUSES[cause], None)

    def log_event(self, kind: str, pid: int, orgs: np.ndarray, cause: str | None,
                  what: str | None) -> None:
        t = self.table
        ids = t.m_o[t.block(pid)]
        names = [self.orgs[i].name for i in ids]
        story = readouts.story(self, kind, pid, names, [self.orgs[i].name for i in orgs],
                               cause, what)
        self.events.append({
            "month": self.month, "event": kind, "partnership": pid,
            "organisations": ", ".join(self.orgs[i].name for i in orgs),
            "sectors": ", ".join(sorted({SECTORS[self.sector[i]] for i in orgs})),
            "cause": cause or "", "story": story,
        })

    def log_story(self, kind: str, text: str) -> None:
        self.events.append({"month": self.month, "event": kind, "partnership": -1,
                            "organisations": "", "sectors": "", "cause": "",
                            "story": f"month {self.month}: {text}"})

    # --- the schedule ------------------------------------------------------------------------
    def step(self) -> None:
        """One month: environment, formation, joint work, trust, myths, learning, review."""
        self.month = int(self.time)
        self.counts = readouts.new_counts()
        self.shocks(self)
        self.formation(self)
        roster = self.table.roster()
        if roster.n:
            edges = self.relations.lookup(roster.org_a, roster.org_b)
            work, delta = self.work_together(roster, edges)
            self.trust(self, edges, delta)
            self.myths(self, roster, delta)
            self.learning(self, roster, edges, work)
            self.review(self, roster, work)
        else:
            work = None
        self.last_work = work if roster.n else None
        self.collect()

    def work_together(self, roster, edges) -> tuple[WorkRecord, np.ndarray]:
        """Contribution, communication, synergy and sharing for every active partnership."""
        t = self.table
        trust_pair = self.relations.trust[edges]
        trust_row = roster.per_row_mean_over_pairs(trust_pair)
        commitment = self.contribution.commitment(self, roster, trust_row)
        effort = self.contribution.effort(self, roster, commitment)
        u_pair = self.communication.understanding(self, roster, edges)
        u_row = roster.per_row_mean_over_pairs(u_pair)
        joint, alone, alone_row, ratio = self.synergy(self, roster, effort, u_row, trust_pair,
                                                      u_pair)
        benefit, ret, harm, fairness = self.sharing(self, roster, effort, joint, alone_row)
        delta = self.trust.signal(self, roster, commitment, ret, harm, ratio)
        pids = roster.pids
        t.p_output[pids] += joint
        t.p_alone[pids] += alone
        t.p_synergy[pids] = ratio
        t.p_harm[pids] = np.bincount(roster.local, weights=harm, minlength=pids.size)
        t.m_commitment[roster.rows] = commitment
        t.m_effort[roster.rows] = effort
        t.m_benefit[roster.rows] = benefit
        local_pair = roster.pair_local
        npair = np.maximum(np.bincount(local_pair, minlength=pids.size), 1)
        work = WorkRecord(
            commitment=commitment, effort=effort, ret=ret, trust_row=trust_row,
            trust_p=np.bincount(local_pair, weights=trust_pair, minlength=pids.size) / npair,
            understanding_p=np.bincount(local_pair, weights=u_pair, minlength=pids.size) / npair,
            joint=joint, alone=alone, synergy=ratio, fairness=fairness)
        self.counts["value"] += float((joint * t.p_value[pids]).sum())
        return work, delta

    def collect(self) -> None:
        self.readout = readouts.compute(self)
        self.datacollector.collect(self)

    # --- convenience -------------------------------------------------------------------------
    @property
    def partnerships(self) -> list[Partnership]:
        """Active partnerships."""
        return [Partnership(self, int(p)) for p in self.table.active_partnerships()]

    def sector_title(self, i: int) -> str:
        return SECTOR_TITLES[SECTORS[self.sector[i]]]
