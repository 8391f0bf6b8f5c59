"""Mechanism 10: learning by doing: skill, shared language and behaviour."""

from __future__ import annotations

import numpy as np

from ..arrays import clip, fill_nan


class Learning:
    """Partnering skill, shared language and behaviours improve with (good) experience.

    Names: learning by doing; language workshop.

    Rule. Every member gains partnering skill at rate ``skill_learning`` towards 1. Each
    pair of fellow members learns a shared language at rate ``language_learning``,
    tripled at full ``trust_investment`` (time spent together on language, as in the
    Leading as Peers workshop). The five behaviours drift slowly (``behaviour_drift``)
    towards 1 when the partnership delivers advantage and when time is invested in
    collaborative skills, and towards 0 when it delivers inertia.

    Sources: brief mechanism 10; seed 004 ("partnership working is a skilled business -
    and the skills have to be refined and developed"); seed 003 (workshop on language);
    seed 002 (investment of resources, including time, to build trust and
    collaborative skills).
    """

    def __call__(self, model, roster, edges, work) -> None:
        p = model.p
        orgs = np.unique(roster.o)
        model.skill[orgs] += p["skill_learning"] * (1.0 - model.skill[orgs])
        rel = model.relations
        rate = min(p["language_learning"] * (1.0 + 2.0 * p["trust_investment"]), 1.0)
        rel.language[edges] += rate * (1.0 - rel.language[edges])
        d = p["behaviour_drift"]
        if d <= 0:
            return
        signal = clip(fill_nan(work.synergy, 1.0) - 1.0, -0.5, 0.5)[roster.local]
        signal = signal + 0.5 * p["trust_investment"]
        per_org = np.bincount(roster.o, weights=signal, minlength=model.n)
        cnt = np.bincount(roster.o, minlength=model.n)
        s = np.where(cnt > 0, per_org / np.maximum(cnt, 1), 0.0)[:, None]
        b = model.behaviour
        b += d * np.where(s > 0, s * (1.0 - b), s * b)
