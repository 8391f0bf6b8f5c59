"""Mechanism 10: learning by doing: skill, shared language and behaviour."""

from __future__ import annotations

import numpy as np

from ..arrays import clip, fill_nan
from ..param_types import Params
from ..partnerships import Roster
from ..state import State, WorkRecord
from .base import Mechanism

#: How many times faster shared language is learned at full trust investment, less one
#: (seed 003's language workshop; the size is an assumption).
INVESTMENT_LANGUAGE_BOOST = 2.0
#: Largest synergy surplus or shortfall that moves behaviours (assumption).
BEHAVIOUR_SIGNAL_CAP = 0.5
#: Push of full trust investment on behaviours (assumption; see the known limits in the ODD).
INVESTMENT_BEHAVIOUR_PUSH = 0.5


class Learning(Mechanism):
    """Partnering skill, shared language and behaviours improve with (good) experience.

    Rule. Every member gains partnering skill at rate ``skill_learning`` towards 1. Each
    pair of fellow members learns a shared language at rate ``language_learning``,
    tripled at full ``trust_investment`` (time spent together on language, as in the
    Leading as Peers workshop). The five behaviours drift slowly (``behaviour_drift``)
    towards 1 when the partnership delivers advantage and when time is invested in
    collaborative skills, and towards 0 when it delivers inertia.

    Equations, for organisation i working this month and pair ab:

        skill_i ← skill_i + skill_learning (1 − skill_i)
        ℓ_ab ← ℓ_ab + λ (1 − ℓ_ab),  λ = min(language_learning (1 + 2 · invest), 1)
        g_i = mean over i's partnerships of clip(synergy_P − 1, ±0.5) + 0.5 · invest
        β_i ← β_i + drift · (g_i (1 − β_i) if g_i > 0 else g_i β_i)   (each behaviour)
    """

    number = "10"
    title = "Learning by doing"
    sources = (
        "brief mechanism 10",
        'seed 004 ("partnership working is a skilled business - '
        'and the skills have to be refined and developed")',
        "seed 003 (workshop on language)",
        "seed 002 (investment of resources, including time, in collaborative skills)",
    )
    constants = ("INVESTMENT_LANGUAGE_BOOST", "BEHAVIOUR_SIGNAL_CAP", "INVESTMENT_BEHAVIOUR_PUSH")
    tests = (
        "test_mechanisms.py::test_learning_skill_and_shared_language_grow_with_practice",
        "test_mechanisms.py::test_learning_investment_in_trust_speeds_shared_language",
    )

    def __call__(
        self, s: State, p: Params, roster: Roster, edges: np.ndarray, work: WorkRecord
    ) -> None:
        orgs = s.orgs
        working = np.unique(roster.org)
        orgs.skill[working] += p.skill_learning * (1.0 - orgs.skill[working])
        rel = s.relations
        rate = min(
            p.language_learning * (1.0 + INVESTMENT_LANGUAGE_BOOST * p.trust_investment), 1.0
        )
        rel.language[edges] += rate * (1.0 - rel.language[edges])
        d = p.behaviour_drift
        if d <= 0:
            return
        signal = clip(
            fill_nan(work.synergy, 1.0) - 1.0, -BEHAVIOUR_SIGNAL_CAP, BEHAVIOUR_SIGNAL_CAP
        )[roster.part]
        signal = signal + INVESTMENT_BEHAVIOUR_PUSH * p.trust_investment
        per_org = np.bincount(roster.org, weights=signal, minlength=orgs.n)
        cnt = np.bincount(roster.org, minlength=orgs.n)
        g = np.where(cnt > 0, per_org / np.maximum(cnt, 1), 0.0)[:, None]
        b = orgs.behaviour
        b += d * np.where(g > 0, g * (1.0 - b), g * b)
