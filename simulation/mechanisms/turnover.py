"""Mechanism 11: organisations close and are founded; staff turnover makes them forget."""

from __future__ import annotations

import numpy as np

from ..codes import Behaviour, EndCause
from ..lifecycle import leave, log_story
from ..param_types import Params
from ..population import found, tie_partners
from ..portable import power
from ..sectors import CLOSURE_RATE, MYTH_PATTERN, STAFF_TURNOVER
from ..state import State, Streams
from .base import Mechanism
from .networks import link_pairs
from .trust import perceived_trust

#: Months in a year (annual rates become monthly ones).
MONTHS_PER_YEAR = 12


def monthly(annual: np.ndarray) -> np.ndarray:
    """A monthly probability with the same chance over a year: 1 − (1 − r)^(1/12)."""
    return 1.0 - power(1.0 - np.clip(annual, 0.0, 1.0), 1.0 / MONTHS_PER_YEAR)


class Demography(Mechanism):
    """Organisations close and new ones are founded, at rates typical of their sector.

    Rule. Each month an organisation closes with its sector's monthly closure probability
    (``closure_scale`` times the sector's annual rate in :data:`~simulation.sectors.CLOSURE_RATE`).
    It leaves every partnership it is in (a partnership left with one member ends), and a
    new organisation of the same sector is founded in its place: fresh resources,
    capabilities, values, behaviours and myths drawn as at month 0, no relationships, and
    a few networking ties of its own. The population's size and sector mix stay fixed;
    its members do not.

    Equations, for organisation i of sector S each month (u ~ U(0, 1)):

        closes_i = u < 1 − (1 − closure_scale · CLOSURE_RATE_S)^(1/12)
    """

    number = "11"
    title = "Founding and closing of organisations"
    sources = (
        "brief: organisations 'leave' (the question researchers ask)",
        "ONS Business Demography (death rates of UK enterprises, about 10% a year)",
    )
    constants = ()
    tests = (
        "test_steady_state.py::test_closed_organisations_leave_and_are_replaced",
        "test_steady_state.py::test_closure_rates_follow_the_sectors",
    )

    def __call__(self, s: State, p: Params, rng: Streams) -> np.ndarray:
        """Close and replace; returns the slots of the organisations founded."""
        orgs = s.orgs
        rate = monthly(p.closure_scale * CLOSURE_RATE)[orgs.sector]
        slots = np.flatnonzero(rng.demog.random(orgs.n) < rate)
        if not slots.size:
            return slots
        t = s.table
        gone = np.zeros(orgs.n, dtype=bool)
        gone[slots] = True
        rows = np.flatnonzero(t.m_active[: t.n_m] & gone[t.m_o[: t.n_m]])
        for row in rows.tolist():
            if t.m_active[row]:
                leave(s, row, EndCause.MEMBER_CLOSED)
        closed = ", ".join(orgs.name[i] for i in slots.tolist())
        s.counts.closed += slots.size
        found(s, p, rng.demog, slots)
        founded = ", ".join(orgs.name[i] for i in slots.tolist())
        log_story(s, "turnover", f"{closed} closed; {founded} founded")
        return slots


class StaffTurnover(Mechanism):
    """Staff leave and newcomers arrive: organisations forget, unless they empower staff.

    Rule. Each month a share of each organisation's staff is replaced (its sector's annual
    turnover in :data:`~simulation.sectors.STAFF_TURNOVER`, times ``staff_turnover_scale``).
    What leaves with them: partnering skill, the shared language and familiarity of the
    relationships the organisation holds (a relationship nobody remembers any more is
    forgotten, and the other organisation becomes a stranger again), the trust those
    relationships built (newcomers start from the first impression the organisation's myths
    give), and networking ties (personal relationships, source 000). Newcomers bring the
    behaviours typical of the population and the myths typical of their sector (society's
    stereotypes, source 000). Empowerment of staff and stakeholders (source 002) spreads
    relationships and know-how beyond the individuals who hold them, so an empowered
    organisation loses less.

    Equations, for organisation i of sector S (q the monthly share of knowledge lost):

        q_i = (1 − (1 − staff_turnover_scale · STAFF_TURNOVER_S)^(1/12))
              · (1 − empowerment_retention · β_i,empowerment)
        skill_i ← skill_i − q_i (skill_i − skill_newcomer)
        β_ik ← β_ik + q_i (behaviour_mean − β_ik)
        m_iT ← m_iT + q_i (myth_initial · MYTH_PATTERN_ST − m_iT)
        for each relationship i → j:  τ_ij ← τ_ij + q_i (τ⁰_ij − τ_ij),
            τ⁰_ij = first_low + first_range (1 − m_i(sector j));
            ℓ_ij ← (1 − q_i) ℓ_ij;  familiarity_ij ← (1 − q_i) familiarity_ij;
            forgotten (removed) once familiarity_ij < forgotten, with no tie, no joint work
            and no live stakeholder link
        each networking tie i–j is lost with probability max(q_i, q_j);
        newcomers network: organisation i makes Poisson(q_i · network_degree / 2) new ties,
        drawn as at month 0 (so ties turn over around the network's typical degree)
    """

    number = "12"
    title = "Staff turnover and forgetting"
    sources = (
        "source 000 (networks are individual relationships)",
        "source 002 (empowerment of staff and other stakeholders)",
        "CIPD, Resourcing and talent planning (UK labour turnover, about 10-20% a year)",
    )
    constants = (
        "skill_newcomer",
        "forgotten",
        # also read here: reputation's, for the first impression newcomers start from
        "first_low",
        "first_range",
    )
    tests = (
        "test_steady_state.py::test_turnover_erodes_skill_language_and_trust",
        "test_steady_state.py::test_empowerment_keeps_what_turnover_would_erase",
    )

    def __call__(self, s: State, p: Params, rng: Streams) -> None:
        orgs = s.orgs
        q = monthly(p.staff_turnover_scale * STAFF_TURNOVER)[orgs.sector]
        q *= 1.0 - p.empowerment_retention * orgs.behaviour[:, Behaviour.EMPOWERMENT]
        orgs.skill -= q * (orgs.skill - p.skill_newcomer)
        orgs.behaviour += q[:, None] * (p.behaviour_mean - orgs.behaviour)
        norm = p.myth_initial * MYTH_PATTERN[orgs.sector]
        norm[np.arange(orgs.n), orgs.sector] = 0.0
        orgs.myth += q[:, None] * (np.clip(norm, 0.0, 1.0) - orgs.myth)
        rel = s.relations
        if rel.size:
            qe = q[rel.src]
            n_sec = orgs.myth.shape[1]
            prior = p.first_low + p.first_range * (
                1.0 - orgs.myth.take(rel.src * n_sec + orgs.sector[rel.dst])
            )
            rel.trust[:] += qe * (prior - rel.trust)
            rel.language[:] *= 1.0 - qe
            rel.familiarity[:] *= 1.0 - qe
        self.lose_ties(s, q, rng.demog)
        if rel.size:
            rel.remove(~rel.tie & (rel.familiarity < p.forgotten) & ~self.at_work(s))
        self.make_ties(s, p, q, rng.demog)

    def make_ties(self, s: State, p: Params, q: np.ndarray, gen: np.random.Generator) -> None:
        src = np.repeat(np.arange(q.size), gen.poisson(q * p.network_degree / 2.0))
        if not src.size:
            return
        dst = tie_partners(p, gen, s.orgs.sector, src)
        keep = src != dst
        src, dst = src[keep], dst[keep]
        s.ties.add(src, dst)
        a, b = np.concatenate([src, dst]), np.concatenate([dst, src])
        trust = perceived_trust(s, p, a, b)  # an acquaintance starts from reputation and myths
        e = s.relations.add(a, b, trust)
        s.relations.tie[e] = True
        s.relations.earned[e] = False  # a newcomer's own tie

    def at_work(self, s: State) -> np.ndarray:
        """Which relationships join fellow members of a partnership at work now, or a
        partnership's members and its stakeholders while the task lasts."""
        ro = s.table.roster()
        mask = np.zeros(s.relations.size, dtype=bool)
        if ro.n:
            e = s.relations.lookup(ro.pair_org_a, ro.pair_org_b)
            mask[e[e >= 0]] = True
            if s.stakeholders.size:
                c, m, _ = link_pairs(s, ro)
                e = s.relations.lookup(c, m)
                mask[e[e >= 0]] = True
        return mask

    def lose_ties(self, s: State, q: np.ndarray, gen: np.random.Generator) -> None:
        table = s.ties.table
        a = np.repeat(np.arange(table.shape[0]), table.shape[1])
        b = table.ravel()
        one = (b >= 0) & (a < b)  # each tie once
        a, b = a[one], b[one]
        lost = gen.random(a.size) < np.maximum(q[a], q[b])
        if lost.any():
            a, b = a[lost], b[lost]
            s.ties.remove(a, b)
            rel = s.relations
            for x, y in ((a, b), (b, a)):
                e = rel.lookup(x, y)
                rel.tie[e[e >= 0]] = False
                rel.earned[e[e >= 0]] = False
