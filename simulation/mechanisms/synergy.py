"""Mechanism 4: joint output and the synergy ratio."""

from __future__ import annotations

import numpy as np

from ..arrays import fill_nan
from ..codes import Behaviour
from ..param_types import Params
from ..partnerships import Roster
from ..state import State
from .base import Mechanism


class Synergy(Mechanism):
    """Joint output from complementary capabilities, trust, understanding and leadership.

    Rule. Each member's effort counts in proportion to how well it understands its
    partners (misunderstanding is wasted effort) and less what is spent building trust.
    The team works at its capability coverage for the challenge (each capability domain
    covered by its best member: complementarity). A synergy multiplier grows with mean
    trust x understanding x values-based leadership; coordination costs grow with the
    number of partners, eased by partnering skill. New partnerships deliver at reduced
    pace while forming. The synergy ratio is joint output over what the members would
    have produced alone with the same effort; above 1 is collaborative advantage, below 1
    collaborative inertia.

    Equations, for partnership P with members i (effort e_i, capability vector k_i,
    challenge weights r, mean understanding ū_i of its partners) and ordered pairs ab:

        alone_i = e_i (k_i · r);                      alone_P = Σ_i alone_i
        cover_P = (max_i k_i) · r
        useful_i = e_i (1 − misunderstanding_waste (1 − ū_i)) (1 − investment_cost · invest)
        M_P = 1 + synergy_gain · mean_ab(τ_ab u_ab) · mean_i(leadership_i)
        C_P = 1 + coordination_cost (n_P − 1)(1 − skill_coordination_saving · mean_i skill_i)
        joint_P = Σ_i useful_i · cover_P · M_P / C_P · pace_P
        synergy_P = joint_P / alone_P

    with pace_P = forming_pace in its months of forming (forming_months, longer where
    objectives are negotiated: see :func:`~.formation.negotiate`), else 1.
    """

    number = "4"
    title = "Synergy: collaborative advantage and inertia"
    sources = (
        "brief mechanism 4",
        'source 004 ("two plus two should make five"; "partnership working is a skilled business")',
        "source 002 (strategic, values-based leadership)",
        "Huxham & Vangen 2005 (collaborative advantage and inertia)",
    )
    constants = (
        "forming_pace",
        "misunderstanding_waste",
        "investment_cost",
        "skill_coordination_saving",
    )
    tests = (
        "test_mechanisms.py::test_synergy_complementary_capabilities_give_advantage",
        "test_mechanisms.py::test_synergy_coordination_costs_cut_output",
    )

    def __call__(
        self,
        s: State,
        p: Params,
        roster: Roster,
        effort: np.ndarray,
        understanding_entry: np.ndarray,
        trust_pair: np.ndarray,
        understanding_pair: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``(joint_P, alone_P, alone_i, synergy_P)``: per part, per part, per entry, per part."""
        t, orgs = s.table, s.orgs
        org = roster.org
        n_part = roster.active_pid.size
        req = t.p_req[roster.active_pid]  # (P, D)
        cap = orgs.capability[org]  # (M, D)
        alone_entry = effort * np.einsum("md,md->m", cap, req[roster.part])
        alone = roster.per_part(alone_entry)
        best = np.zeros_like(req)
        np.maximum.at(best, roster.part, cap)
        cover = np.einsum("pd,pd->p", best, req)
        waste = p.misunderstanding_waste * (1.0 - fill_nan(understanding_entry, 1.0))
        useful = effort * (1.0 - waste) * (1.0 - p.investment_cost * p.trust_investment)
        n_pairs = np.bincount(roster.pair_part, minlength=n_part)
        bond = np.bincount(
            roster.pair_part, weights=trust_pair * understanding_pair, minlength=n_part
        ) / np.maximum(n_pairs, 1)
        lead = (
            np.bincount(
                roster.part, weights=orgs.behaviour[org, Behaviour.LEADERSHIP], minlength=n_part
            )
            / roster.size
        )
        skill = np.bincount(roster.part, weights=orgs.skill[org], minlength=n_part) / roster.size
        multiplier = 1.0 + p.synergy_gain * bond * lead
        coordination = 1.0 + p.coordination_cost * (roster.size - 1) * (
            1.0 - p.skill_coordination_saving * skill
        )
        age = s.month - t.p_start[roster.active_pid]
        pace = np.where(age < t.p_forming[roster.active_pid], p.forming_pace, 1.0)
        joint = roster.per_part(useful) * cover * multiplier / coordination * pace
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = np.where(alone > 0, joint / np.where(alone > 0, alone, 1.0), np.nan)
        return joint, alone, alone_entry, ratio
