"""A plain, per-agent statement of the contribution, trust and myth rules.

This is the model's monthly core written the way most Mesa models are: each organisation
holds its own dictionaries (trust in and familiarity with others, myths about sectors),
and the updates are Python loops over partnerships, their members and each member's
partners, using the same parameters and named constants as the vectorised mechanisms. It is the test
oracle (the mechanisms must give the same numbers from the same state, see
``tests/test_reference_oracle.py``) and the baseline the benchmark measures the vectorised
model against.

Loop order follows the model's roster: partnerships by id, members in the order they
joined, and for each member its partners in that same order. Trust is updated
synchronously: every experience of the month is read against the trust held at the start
of the month, and where two organisations share more than one partnership their signals
from all of them are added up first (familiarity counts the month once).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .codes import Behaviour
from .mechanisms.contribution import MAX_COMMITMENT, NEUTRAL
from .mechanisms.myths import N_CONDITIONS, MythDynamics
from .mechanisms.work import communication, contribution, sharing, synergy, trust
from .param_types import Params
from .partnerships import Roster
from .state import State, Streams


@dataclass
class RefOrg:
    """One organisation and its own view of everyone it knows."""

    index: int
    sector: int
    capacity: float
    stress: float
    outcome_focus: float
    n_memberships: int
    myth: list[float]
    trust: dict[int, float] = field(default_factory=dict)
    familiarity: dict[int, float] = field(default_factory=dict)
    expect: dict[int, float] = field(default_factory=dict)  # commitment expected of others


@dataclass
class RefMember:
    org: RefOrg
    called: float  # pressure from being called to account


@dataclass
class RefPartnership:
    pid: int
    members: list[RefMember]
    alignment: float
    mandated: bool
    brokered: bool


class ReferenceModel:
    """Organisations and active partnerships as plain Python objects."""

    def __init__(
        self, orgs: list[RefOrg], partnerships: list[RefPartnership], params: Mapping[str, Any]
    ):
        self.orgs = orgs
        self.partnerships = partnerships
        self.p = params

    @classmethod
    def from_model(cls, model) -> ReferenceModel:
        """Copy a :class:`~simulation.model.CollabModel`'s current state."""
        return cls.from_state(model.state, model.p)

    @classmethod
    def from_state(cls, state: State, params: Mapping[str, Any]) -> ReferenceModel:
        """Copy the model's state, one agent at a time."""
        o = state.orgs
        orgs = [
            RefOrg(
                index=i,
                sector=int(o.sector[i]),
                capacity=float(o.capacity[i]),
                stress=float(o.stress[i]),
                outcome_focus=float(o.behaviour[i, Behaviour.OUTCOME_FOCUS]),
                n_memberships=int(o.n_memberships[i]),
                myth=[float(x) for x in o.myth[i]],
            )
            for i in range(o.n)
        ]
        rel = state.relations
        for s, d, t, f, e in zip(
            rel.src.tolist(),
            rel.dst.tolist(),
            rel.trust.tolist(),
            rel.familiarity.tolist(),
            rel.expect.tolist(),
            strict=True,
        ):
            orgs[s].trust[d] = t
            orgs[s].familiarity[d] = f
            orgs[s].expect[d] = e
        t = state.table
        rows_of: dict[int, list[int]] = {}
        for r in range(t.n_m):
            if t.m_active[r]:
                rows_of.setdefault(int(t.m_p[r]), []).append(r)
        parts = []
        for pid, rows in sorted(rows_of.items()):
            parts.append(
                RefPartnership(
                    pid=pid,
                    members=[RefMember(orgs[int(t.m_o[r])], float(t.m_called[r])) for r in rows],
                    alignment=float(t.p_alignment[pid]),
                    mandated=bool(t.p_mandated[pid]),
                    brokered=bool(t.p_brokered[pid]),
                )
            )
        return cls(orgs, parts, dict(params))

    # --- contribution ------------------------------------------------------------------------
    def accountability(self) -> float:
        p = self.p
        ri = p["review_interval"]
        reviews = 1.0 if 0 < ri <= p["regular_reviews"] else (p["rare_reviews"] if ri else 0.0)
        a = p["w_clarity"] * p["clarity"] + p["w_sanctions"] * p["sanctions"]
        return min(max(a + p["w_reviews"] * reviews, 0.0), 1.0)

    def contributions(self) -> tuple[list[float], list[float]]:
        """Commitment and effort of every member of every partnership (roster order)."""
        p = self.p
        acc = self.accountability()
        commitments, efforts = [], []
        for part in self.partnerships:
            size = len(part.members)
            for me in part.members:
                org = me.org
                trusts = [org.trust[other.org.index] for other in part.members if other is not me]
                trust = sum(trusts) / len(trusts) if trusts else NEUTRAL
                temptation = (
                    p["freeride_temptation"]
                    * (1.0 - org.outcome_focus)
                    * (1.0 - acc)
                    * (1.0 + p["crowd_temptation"] * (size - 2))
                )
                c = (
                    p["base_commitment"]
                    + p["w_trust"] * (trust - NEUTRAL)
                    + p["w_focus"] * (org.outcome_focus - NEUTRAL)
                    + p["w_alignment"] * (part.alignment - NEUTRAL)
                    - temptation
                    - org.stress * (1.0 - acc)
                    - p["mandate_reluctance"] * part.mandated
                    + me.called
                )
                c = min(max(c, p["min_commitment"]), MAX_COMMITMENT)
                commitments.append(c)
                efforts.append(c * org.capacity * p["involvement"] / max(org.n_memberships, 1))
        return commitments, efforts

    # --- trust ---------------------------------------------------------------------------------
    def trust_signals(
        self,
        commitment: list[float],
        equity: list[float],
        harm: list[float],
        synergy: list[float],
        rng: np.random.Generator,
    ) -> list[float]:
        """Each member's reading of each partner this month (pairs in roster order).

        ``commitment``, ``equity`` and ``harm`` are per member (roster order), ``synergy`` per
        partnership; ``rng`` supplies the reading noise, one draw per pair.
        """
        p = self.p
        out = []
        row0 = 0
        for k, part in enumerate(self.partnerships):
            members = part.members
            eqs = equity[row0 : row0 + len(members)]
            mean_eq = sum(eqs) / len(eqs)
            syn = 1.0 if math.isnan(synergy[k]) else synergy[k]
            outcome = min(max(syn - 1.0, -p["outcome_cap"]), p["outcome_cap"])
            for i, me in enumerate(members):
                fair = eqs[i] / mean_eq if mean_eq > 0 else 1.0
                fair = min(max(fair - 1.0, -p["fairness_cap"]), p["fairness_cap"])
                for j, other in enumerate(members):
                    if j == i:
                        continue
                    myth = me.org.myth[other.org.sector]
                    seen = (
                        commitment[row0 + j]
                        - me.org.expect[other.org.index]
                        - p["myth_bias"] * myth * p["myth_colour"]
                    )
                    seen += rng.normal(0.0, p["signal_noise"])
                    out.append(
                        p["w_contribution"] * seen
                        + p["w_fairness"] * fair
                        - p["w_harm"] * harm[row0 + j]
                        + p["w_outcome"] * outcome
                        + p["w_investment"] * p["trust_investment"]
                    )
            row0 += len(members)
        return out

    def update_trust(self, signals: list[float], commitment: list[float]) -> None:
        """Move each member's trust in each partner by its signal, losses faster than gains,
        and its expectation of the partner towards the commitment it saw."""
        gain, loss = self.p["trust_gain"], self.p["trust_loss"]
        total: dict[tuple[int, int], float] = {}
        seen: dict[tuple[int, int], list[float]] = {}
        pairs = []
        row0 = 0
        for part in self.partnerships:
            for me in part.members:
                for j, other in enumerate(part.members):
                    if other is not me:
                        pairs.append((me.org.index, other.org.index))
                        seen.setdefault(pairs[-1], []).append(commitment[row0 + j])
            row0 += len(part.members)
        for pair, s in zip(pairs, signals, strict=True):
            total[pair] = total.get(pair, 0.0) + s
        for (me, other), s in total.items():
            org = self.orgs[me]
            t0 = org.trust[other]
            if s > 0:
                t = t0 + gain * s * (1.0 - t0)
            else:
                t = t0 + loss * s * t0
            org.trust[other] = min(max(t, 0.0), 1.0)
            org.familiarity[other] += 1.0
            c = sum(seen[me, other]) / len(seen[me, other])
            org.expect[other] += self.p["expectation_learning"] * (c - org.expect[other])

    # --- myths ---------------------------------------------------------------------------------
    def contact_conditions(self, part: RefPartnership) -> float:
        """How many of Allport's four conditions the partnership meets."""
        p = self.p
        equal = 1.0 if p["equal_status"] else 0.0
        goals = 1.0 if part.alignment >= p["aligned"] else 0.0
        supportive = p["clarity"] >= p["supportive_clarity"] and p["review_interval"] > 0
        support = 1.0 if part.brokered or supportive else 0.0
        return equal + goals + 1.0 + support

    def update_myths(self, signals: list[float]) -> None:
        """Each organisation revises its myth about each sector it worked with this month."""
        seen: dict[tuple[int, int], list[tuple[float, float]]] = {}
        k = 0
        for part in self.partnerships:
            quality = 1.0 + self.p["contact_boost"] * self.contact_conditions(part) / N_CONDITIONS
            for me in part.members:
                for other in part.members:
                    if other is me:
                        continue
                    if other.org.sector != me.org.sector:
                        seen.setdefault((me.org.index, other.org.sector), []).append(
                            (signals[k], quality)
                        )
                    k += 1
        for (i, sector), experiences in seen.items():
            org = self.orgs[i]
            mean_delta = sum(d for d, _ in experiences) / len(experiences)
            mean_quality = sum(q for _, q in experiences) / len(experiences)
            size = min(abs(mean_delta) / self.p["full_effect"], 1.0)
            m = org.myth[sector]
            if mean_delta > 0:
                m -= self.p["myth_erosion"] * mean_quality * size * m
            else:
                m += self.p["myth_confirmation"] * size * (1.0 - m)
            org.myth[sector] = min(max(m, 0.0), 1.0)

    # --- read-outs for comparison ----------------------------------------------------------
    def trust_of(self, src, dst) -> np.ndarray:
        return np.array([self.orgs[a].trust[b] for a, b in zip(src, dst, strict=True)])

    def expect_of(self, src, dst) -> np.ndarray:
        return np.array([self.orgs[a].expect[b] for a, b in zip(src, dst, strict=True)])

    def familiarity_of(self, src, dst) -> np.ndarray:
        return np.array([self.orgs[a].familiarity[b] for a, b in zip(src, dst, strict=True)])

    def myths(self) -> np.ndarray:
        return np.array([o.myth for o in self.orgs])

    def month(self, equity, harm, synergy, rng) -> tuple[list[float], list[float], list[float]]:
        """The whole core: contributions, trust signals, trust and myth updates."""
        commitment, effort = self.contributions()
        signals = self.trust_signals(commitment, equity, harm, synergy, rng)
        self.update_trust(signals, commitment)
        self.update_myths(signals)
        return commitment, effort, signals


# --- the same core through the model's vectorised mechanisms ---------------------------------
_myths = MythDynamics()


def month_index(s: State) -> tuple[Roster, np.ndarray]:
    """The month's roster and the edge of each partner pair, as ``step`` builds them."""
    roster = s.table.roster()
    return roster, s.relations.lookup(roster.pair_org_a, roster.pair_org_b)


def month_inputs(s: State, p: Params) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Equity (benefit over all put in) and credit taken (per member), and synergy (per
    partnership).

    Computed by the model's own (side-effect free) communication, synergy and sharing
    mechanisms from the current state, so both implementations get realistic inputs.
    """
    roster, edges = month_index(s)
    trust_pair = s.relations.trust[edges]
    commitment = contribution.commitment(s, p, roster, roster.per_entry_mean_over_pairs(trust_pair))
    effort = contribution.effort(s, p, roster, commitment)
    u_pair = communication.understanding(s, p, roster, edges)
    joint, _, alone_entry, ratio = synergy(
        s, p, roster, effort, roster.per_entry_mean_over_pairs(u_pair), trust_pair, u_pair
    )
    shares = sharing(s, p, roster, effort, joint, alone_entry)
    return shares.equity, shares.harm, ratio


def vectorised_month(
    s: State, p: Params, rng: Streams, equity, harm, synergy_part, index=None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The core the reference implements, done by the model's mechanisms (as in ``step``).

    ``index`` is :func:`month_index`'s result; it is built here when not given.
    """
    roster, edges = month_index(s) if index is None else index
    trust_entry = roster.per_entry_mean_over_pairs(s.relations.trust[edges])
    commitment = contribution.commitment(s, p, roster, trust_entry)
    effort = contribution.effort(s, p, roster, commitment)
    delta = trust.signal(s, p, rng, roster, commitment, equity, harm, synergy_part, edges)
    trust(s, p, edges, delta, commitment.take(roster.pair_entry_b))
    _myths(s, p, roster, delta)
    return commitment, effort, delta
