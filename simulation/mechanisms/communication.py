"""Mechanism 3: understanding between partners, jargon and shared language."""

from __future__ import annotations

import numpy as np

from ..arrays import clip


class Communication:
    """Understanding between two members depends on communication, listening and jargon.

    Names: understanding; jargon gap; shared language.

    Rule. How well member ``a`` understands member ``b`` (0..1) is a base set by both
    sides' communication behaviour (which includes listening) and ``a``'s partnering
    skill, cut by the jargon gap between them. Across sectors the gap is the heavier
    jargon user's level; within a sector it is only the difference in jargon. The
    shared language the pair has learned (see :class:`~.learning.Learning`) closes the
    gap. Misunderstanding wastes effort (see :class:`~.synergy.Synergy`).

    Sources: brief mechanism 3; seed 000 ("Jargon is one way of keeping organisational
    or personal power"; even 'partnership' is misunderstood); seed 001 slide 3 (poor
    communication, misunderstanding, wasted effort / duplication); seed 002 ("excellent
    communication, which includes listening"); seed 003 (the workshop on language).
    """

    def understanding(self, model, roster, edges: np.ndarray) -> np.ndarray:
        a = roster.org_a
        b = roster.org_b
        comm = model.behaviour[:, model.COMMUNICATION]
        base = 0.55 + 0.35 * 0.5 * (comm[a] + comm[b]) + 0.1 * model.skill[a]
        ja, jb = model.jargon[a], model.jargon[b]
        cross = model.sector[a] != model.sector[b]
        gap = np.where(cross, np.maximum(ja, jb), np.abs(ja - jb))
        shared = model.relations.language[edges]
        u = base * (1.0 - model.p["jargon_penalty"] * gap * (1.0 - shared))
        return clip(u, 0.0, 1.0)
