"""Mechanism 4: joint output and the synergy ratio."""

from __future__ import annotations

import numpy as np

from ..arrays import fill_nan

#: Months of forming in which a partnership delivers at half pace.
FORMING_MONTHS = 3
#: Share of effort lost to duplication when partners understand each other not at all.
MISUNDERSTANDING_WASTE = 0.6
#: Share of effort that investment in trust building takes away from delivery, at full investment.
INVESTMENT_COST = 0.1


class Synergy:
    """Joint output from complementary capabilities, trust, understanding and leadership.

    Names: collaborative advantage; collaborative inertia.

    Rule. Each member's effort counts in proportion to how well it understands its
    partners (misunderstanding is wasted effort) and less what is spent building trust.
    The team works at its capability coverage for the challenge (each capability domain
    covered by its best member: complementarity). A synergy multiplier grows with mean
    trust x understanding x values-based leadership; coordination costs grow with the
    number of partners, eased by partnering skill. New partnerships deliver at half pace
    while forming. The synergy ratio is joint output over what the members would have
    produced alone with the same effort; above 1 is collaborative advantage, below 1
    collaborative inertia.

    Sources: brief mechanism 4; seed 004 ("two plus two should make five"; "partnership
    working is a skilled business"); seed 002 (strategic, values-based leadership);
    Huxham & Vangen (2005) on collaborative advantage and inertia.
    """

    def __call__(self, model, roster, effort, understanding_row, trust_pair, understanding_pair):
        t = model.table
        p = model.p
        o = roster.o
        req = t.p_req[roster.pids]  # (P, D)
        cap = model.capability[o]  # (M, D)
        alone_row = effort * np.einsum("md,md->m", cap, req[roster.local])
        alone = roster.per_partnership(alone_row)
        best = np.zeros_like(req)
        np.maximum.at(best, roster.local, cap)
        cover = np.einsum("pd,pd->p", best, req)
        waste = MISUNDERSTANDING_WASTE * (1.0 - fill_nan(understanding_row, 1.0))
        useful = effort * (1.0 - waste) * (1.0 - INVESTMENT_COST * p["trust_investment"])
        local_pair = roster.pair_local
        n_pairs = np.bincount(local_pair, minlength=roster.pids.size)
        bond = np.bincount(local_pair, weights=trust_pair * understanding_pair,
                           minlength=roster.pids.size) / np.maximum(n_pairs, 1)
        lead = np.bincount(roster.local, weights=model.behaviour[o, model.LEADERSHIP],
                           minlength=roster.pids.size) / roster.size
        skill = np.bincount(roster.local, weights=model.skill[o],
                            minlength=roster.pids.size) / roster.size
        multiplier = 1.0 + p["synergy_gain"] * bond * lead
        coordination = 1.0 + p["coordination_cost"] * (roster.size - 1) * (1.0 - 0.5 * skill)
        age = model.month - t.p_start[roster.pids]
        pace = np.where(age < FORMING_MONTHS, 0.5, 1.0)
        joint = roster.per_partnership(useful) * cover * multiplier / coordination * pace
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = np.where(alone > 0, joint / np.where(alone > 0, alone, 1.0), np.nan)
        return joint, alone, alone_row, ratio
