"""Mechanism 10: learning by doing: skill, shared language, networking ties and behaviours."""

from __future__ import annotations

import numpy as np

from ..arrays import fill_nan
from ..param_types import Params
from ..partnerships import Roster
from ..state import State, WorkRecord
from .base import Mechanism


def evidence(
    s: State, roster: Roster, work: WorkRecord, received: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each organisation's evidence this month for each behaviour, and who has any.

    Per entry, then averaged over an organisation's partnerships:

    * leadership: the partnership's synergy ratio (leadership drives its multiplier);
    * sharing: how its partners read it, the mean trust signal they formed of it;
    * outcome focus: the partnership's progress against plan, output to date over the
      share of the target the months so far should have delivered;
    * communication: the partnership's mean understanding;
    * empowerment: its mean trust in its partners (relationships that outlast the people
      who made them: see :class:`~.turnover.StaffTurnover`).
    """
    t = s.table
    pid = roster.pid
    months = np.maximum(s.month - t.p_challenge_start[pid] + 1, 1)
    planned = t.p_target[pid] * np.minimum(months / t.p_duration[pid], 1.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        progress = np.where(planned > 0, t.p_progress[pid] / planned, 1.0)
    per_entry = np.column_stack(
        [
            fill_nan(work.synergy, 1.0)[roster.part],
            received,
            progress,
            work.understanding_part[roster.part],
            fill_nan(work.trust_entry, 0.5),
        ]
    )
    n = s.orgs.n
    cnt = np.bincount(roster.org, minlength=n)
    out = np.zeros((n, per_entry.shape[1]))
    for k in range(per_entry.shape[1]):
        out[:, k] = np.bincount(roster.org, weights=per_entry[:, k], minlength=n)
    has = cnt > 0
    out[has] /= cnt[has, None]
    return out, has


def evidence_scale(p: Params) -> np.ndarray:
    """Size of a surprise (evidence minus aspiration) that moves each behaviour at its full
    rate, in :class:`~simulation.codes.Behaviour` order."""
    return np.array(
        [
            p.evidence_scale_leadership,
            p.evidence_scale_sharing,
            p.evidence_scale_outcome_focus,
            p.evidence_scale_communication,
            p.evidence_scale_empowerment,
        ]
    )


class Learning(Mechanism):
    """Partnering skill and shared language grow with practice; partners who trust each
    other become personally connected; each behaviour moves with its own evidence.

    Rule. Every member gains partnering skill at rate ``skill_learning`` towards 1. Each
    pair of fellow members learns a shared language at rate ``language_learning``,
    1 + ``investment_language_boost`` times faster at full ``trust_investment`` (time spent
    together on language, as in the Leading as Peers workshop). Fellow members who have
    worked together for ``tie_months`` and trust each other at least ``tie_trust`` both ways
    form a networking tie. Each of the
    five behaviours is reinforced by its own evidence (:func:`evidence`): when what an
    organisation sees is better than what it hoped for, it does more of what it did; worse,
    less (Bush-Mosteller reinforcement with an aspiration that follows experience, as in
    Macy & Flache 2002). Because the aspiration adapts, lasting good or bad times do not
    push behaviours one way for ever; staff turnover pulls them back towards what newcomers
    bring (:class:`~.turnover.StaffTurnover`).

    Equations, for organisation i working this month, pair ab and behaviour k:

        skill_i ← skill_i + skill_learning (1 − skill_i)
        ℓ_ab ← ℓ_ab + λ (1 − ℓ_ab),
            λ = min(language_learning (1 + investment_language_boost · invest), 1)
        tie_ab if familiarity_ab ≥ tie_months and τ_ab, τ_ba ≥ tie_trust
        σ_ik = clip((x_ik − A_ik) / evidence_scale_k, −1, 1)
        β_ik ← β_ik + behaviour_drift · (σ_ik (1 − β_ik) if σ_ik > 0 else σ_ik β_ik)
        A_ik ← A_ik + aspiration_learning (x_ik − A_ik)   (A_ik = x_ik the first time)
    """

    number = "10"
    title = "Learning by doing"
    sources = (
        "brief mechanism 10",
        'source 004 ("partnership working is a skilled business - '
        'and the skills have to be refined and developed")',
        "source 003 (workshop on language)",
        "source 000 (networks develop from structured connection)",
        "source 002 (the five behaviours)",
        "Macy & Flache 2002 (reinforcement learning with adaptive aspirations)",
    )
    constants = (
        "investment_language_boost",
        "evidence_scale_leadership",
        "evidence_scale_sharing",
        "evidence_scale_outcome_focus",
        "evidence_scale_communication",
        "evidence_scale_empowerment",
        "tie_trust",
        "tie_months",
    )
    tests = (
        "test_mechanisms.py::test_learning_skill_and_shared_language_grow_with_practice",
        "test_mechanisms.py::test_learning_investment_in_trust_speeds_shared_language",
        "test_mechanisms.py::test_learning_evidence_scales_follow_the_behaviours",
        "test_steady_state.py::test_each_behaviour_follows_its_own_evidence",
        "test_steady_state.py::test_trusted_partners_become_networking_ties",
    )

    def __call__(
        self,
        s: State,
        p: Params,
        roster: Roster,
        edges: np.ndarray,
        work: WorkRecord,
        delta: np.ndarray,
    ) -> None:
        orgs = s.orgs
        working = np.unique(roster.org)
        orgs.skill[working] += p.skill_learning * (1.0 - orgs.skill[working])
        rel = s.relations
        rate = min(
            p.language_learning * (1.0 + p.investment_language_boost * p.trust_investment), 1.0
        )
        rel.language[edges] += rate * (1.0 - rel.language[edges])
        self.make_ties(s, p, roster, edges)
        if p.behaviour_drift <= 0:
            return
        received = np.bincount(roster.pair_entry_b, weights=delta, minlength=roster.n)
        received /= np.maximum(roster.n_other, 1)
        x, has = evidence(s, roster, work, received)
        asp = orgs.aspiration
        first = has[:, None] & np.isnan(asp)
        asp[first] = x[first]
        scale = evidence_scale(p)
        surprise = np.clip((x - fill_nan(asp, 0.0)) / scale, -1.0, 1.0) * has[:, None]
        b = orgs.behaviour
        b += p.behaviour_drift * np.where(surprise > 0, surprise * (1.0 - b), surprise * b)
        asp[has] += p.aspiration_learning * (x[has] - asp[has])

    def make_ties(self, s: State, p: Params, roster: Roster, edges: np.ndarray) -> None:
        rel = s.relations
        close = (rel.familiarity[edges] >= p.tie_months) & (rel.trust[edges] >= p.tie_trust)
        close &= ~rel.tie[edges]
        if not close.any():
            return
        a, b = roster.pair_org_a[close], roster.pair_org_b[close]
        back = rel.lookup(b, a)
        both = (back >= 0) & (a < b)
        both[both] &= rel.trust[back[both]] >= p.tie_trust
        if both.any():
            a, b = a[both], b[both]
            s.ties.add(a, b)
            for e in (rel.lookup(a, b), rel.lookup(b, a)):
                rel.tie[e] = True
                rel.earned[e] = True  # made by collaboration: it decays unless renewed
