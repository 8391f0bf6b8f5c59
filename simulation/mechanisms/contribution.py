"""Mechanism 2: how much effort each member commits, and free-riding."""

from __future__ import annotations

import numpy as np

from ..arrays import fill_nan

#: Share of an organisation's capacity it can give to partnership work, split across its
#: partnerships.
INVOLVEMENT = 0.5
#: Commitment of a member with neutral trust, focus and alignment.
BASE_COMMITMENT = 0.6
#: Extra temptation to free-ride per member beyond two (accountability thins out).
CROWD_TEMPTATION = 0.15
#: Reluctance of members who were told to partner.
MANDATE_RELUCTANCE = 0.1


def accountability(p: dict) -> float:
    """How clearly governance holds members to account (0..1)."""
    reviews = 1.0 if 0 < p["review_interval"] <= 12 else (0.5 if p["review_interval"] else 0.0)
    return min(max(0.6 * p["clarity"] + 0.2 * p["sanctions"] + 0.2 * reviews, 0.0), 1.0)


class Contribution:
    """Each member commits a share of its capacity; vague accountability invites free-riding.

    Names: commitment; free-riding.

    Rule. A member's commitment (0..1) starts from a neutral level and rises with its
    trust in its partners, its focus on outcomes rather than ego, and the alignment of
    the partnership's objectives; it falls with the temptation to free-ride (stronger for
    ego-driven members, in larger partnerships, and where accountability is vague) and
    with stress from cuts and turbulence unless governance holds members to account;
    being called to account at a review raises it. Effort is commitment times the
    capacity the member gives to partnership work, split across its partnerships.

    Sources: brief mechanism 2; seed 002 (outcomes rather than ego; precisely defined
    accountabilities); seed 003 ("calling each other to account if anyone strayed");
    Olson (1965) on free-riding in larger groups.
    """

    def commitment(self, model, roster, trust_row: np.ndarray) -> np.ndarray:
        p = model.p
        o = roster.o
        t = model.table
        focus = model.behaviour[o, model.OUTCOME]
        align = t.p_alignment[roster.p]
        acc = accountability(p)
        crowd = 1.0 + CROWD_TEMPTATION * (roster.n_other - 1)   # members beyond two
        temptation = p["freeride_temptation"] * (1.0 - focus) * (1.0 - acc) * crowd
        pulled_back = model.stress[o] * (1.0 - acc)
        # Built in place, term by term in the order the rule lists them (fewer temporaries
        # on the hot path; the same sums, so the same numbers).
        c = fill_nan(trust_row, 0.5)
        c -= 0.5
        c *= 0.45
        c += BASE_COMMITMENT
        c += 0.3 * (focus - 0.5)
        c += 0.3 * (align - 0.5)
        c -= temptation
        c -= pulled_back
        np.subtract(c, MANDATE_RELUCTANCE, out=c, where=t.p_mandated[roster.p])
        c += t.m_called[roster.rows]
        np.maximum(c, 0.05, out=c)
        return np.minimum(c, 1.0, out=c)

    def effort(self, model, roster, commitment: np.ndarray) -> np.ndarray:
        o = roster.o
        return commitment * model.capacity[o] * INVOLVEMENT / np.maximum(model.n_memberships[o], 1)
