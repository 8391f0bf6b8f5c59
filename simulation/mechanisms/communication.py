"""Mechanism 3: understanding between partners, jargon and shared language."""

from __future__ import annotations

import numpy as np

from ..arrays import clip
from ..codes import Behaviour
from ..param_types import Params
from ..partnerships import Roster
from ..state import State
from .base import Mechanism


class Communication(Mechanism):
    """Understanding between two members depends on communication, listening and jargon.

    Rule. How well member ``a`` understands member ``b`` (0..1) is a base set by both
    sides' communication behaviour (which includes listening) and ``a``'s partnering
    skill, cut by the jargon gap between them. Across sectors the gap is the heavier
    jargon user's level; within a sector it is only the difference in jargon. The
    shared language the pair has learned (see :class:`~.learning.Learning`) closes the
    gap. Misunderstanding wastes effort (see :class:`~.synergy.Synergy`).

    Equations, for the ordered pair (a, b) with communication behaviours κ, jargon j and
    shared language ℓ_ab:

        base_ab = base_understanding + w_communication · ½ (κ_a + κ_b) + w_skill · skill_a
        gap_ab  = max(j_a, j_b) across sectors, |j_a − j_b| within a sector
        u_ab    = clip(base_ab (1 − jargon_penalty · gap_ab (1 − ℓ_ab)), 0, 1)
    """

    number = "3"
    title = "Communication, jargon and shared language"
    sources = (
        "brief mechanism 3",
        'source 000 ("Jargon is one way of keeping organisational or personal power")',
        "source 001 slide 3 (poor communication, wasted effort)",
        'source 002 ("excellent communication, which includes listening")',
        "source 003 (the workshop on language)",
    )
    constants = ("base_understanding", "w_communication", "w_skill")
    tests = (
        "test_mechanisms.py::test_communication_more_jargon_less_understanding",
        "test_mechanisms.py::test_communication_shared_language_closes_the_gap",
    )

    def understanding(self, s: State, p: Params, roster: Roster, edges: np.ndarray) -> np.ndarray:
        """u_ab for every pair of the roster (``edges``: each pair's relationship)."""
        a, b = roster.pair_org_a, roster.pair_org_b
        orgs = s.orgs
        comm = orgs.behaviour[:, Behaviour.COMMUNICATION]
        base = (
            p.base_understanding
            + p.w_communication * 0.5 * (comm[a] + comm[b])
            + p.w_skill * orgs.skill[a]
        )
        ja, jb = orgs.jargon[a], orgs.jargon[b]
        cross = orgs.sector[a] != orgs.sector[b]
        gap = np.where(cross, np.maximum(ja, jb), np.abs(ja - jb))
        shared = s.relations.language[edges]
        u = base * (1.0 - p.jargon_penalty * gap * (1.0 - shared))
        return clip(u, 0.0, 1.0)
