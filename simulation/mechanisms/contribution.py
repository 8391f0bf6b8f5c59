"""Mechanism 2: how much effort each member commits, and free-riding."""

from __future__ import annotations

import numpy as np

from ..arrays import fill_nan
from ..codes import Behaviour
from ..param_types import Params
from ..partnerships import Roster
from ..portable import dot
from ..state import State
from .base import Mechanism

#: Trust, focus and alignment at which they neither raise nor lower commitment: the middle of
#: their 0..1 scales. A normalisation, not a parameter: moving it only shifts
#: ``base_commitment``.
NEUTRAL = 0.5
#: Most commitment there is: all the capacity a member can give (commitment is a share).
MAX_COMMITMENT = 1.0


def planned_commitment(
    p: Params, trust: np.ndarray, focus: np.ndarray, alignment: np.ndarray, mandated: bool
) -> np.ndarray:
    """The commitment a member agrees to at formation, in good faith: the commitment
    equation of :class:`Contribution` with no temptation, no stress and no pressure.

    c*_i = clip(base_commitment + w_trust (τ̂_i − ½) + w_focus (focus_i − ½)
                + w_alignment (alignment_P − ½) − mandate_reluctance [mandated],
                min_commitment, MAX_COMMITMENT)
    with τ̂_i the member's mean first impression of (or trust in) its fellow members.
    """
    c = (
        p.base_commitment
        + p.w_trust * (trust - NEUTRAL)
        + p.w_focus * (focus - NEUTRAL)
        + p.w_alignment * (alignment - NEUTRAL)
        - p.mandate_reluctance * mandated
    )
    return np.clip(c, p.min_commitment, MAX_COMMITMENT)


def agreed_output(
    s: State, p: Params, members: np.ndarray, plan: np.ndarray, req: np.ndarray, *, joining: bool
) -> np.ndarray:
    """Output a month each member's agreed effort would give alone: c*_i times the capacity
    it gives this partnership (``involvement`` split over its partnerships, counting this one
    if it is ``joining``) times its fit to the challenge, k_i · r."""
    orgs = s.orgs
    share = orgs.capacity[members] * p.involvement / (orgs.n_memberships[members] + joining)
    return plan * share * dot(orgs.capability[members], req)


def accountability(p: Params) -> float:
    """How clearly governance holds members to account, 0..1.

    A = clip(w_clarity · clarity + w_sanctions · sanctions + w_reviews · R, 0, 1), with R = 1
    for reviews at least every ``regular_reviews`` months, ``rare_reviews`` for rarer reviews
    and 0 without any.
    """
    k = p.review_interval
    reviews = 1.0 if 0 < k <= p.regular_reviews else (p.rare_reviews if k else 0.0)
    return min(
        max(p.w_clarity * p.clarity + p.w_sanctions * p.sanctions + p.w_reviews * reviews, 0.0),
        1.0,
    )


class Contribution(Mechanism):
    """Each member commits a share of its capacity; vague accountability invites free-riding.

    Rule. A member's commitment (0..1) starts from a neutral level and rises with its
    trust in its partners, its focus on outcomes rather than ego, and the alignment of
    the partnership's objectives; it falls with the temptation to free-ride (stronger for
    ego-driven members, in larger partnerships, and where accountability is vague) and
    with stress from cuts and turbulence unless governance holds members to account;
    being called to account at a review raises it. Effort is commitment times the
    capacity the member gives to partnership work, split across its partnerships. At
    formation each member agrees a commitment in good faith (:func:`planned_commitment`,
    the same equation without temptation or stress): the goal is set from it, partners
    expect it, and where accountability is vague benefits are shared by it (see
    :class:`~.sharing.BenefitSharing`), which is what makes free-riding pay.

    Equations, for member i of partnership P (trust τ̄_i is its mean trust in its fellow
    members, 0.5 if it has none; A is :func:`accountability`):

        temptation_i = freeride_temptation (1 − focus_i)(1 − A)(1 + crowd_temptation (n_i − 1))
        c_i = clip(base_commitment + w_trust (τ̄_i − ½) + w_focus (focus_i − ½)
                   + w_alignment (alignment_P − ½) − temptation_i − stress_i (1 − A)
                   − mandate_reluctance [P mandated] + called_i,
                   min_commitment, MAX_COMMITMENT)
        effort_i = c_i · capacity_i · involvement / max(memberships_i, 1)

    where n_i is the number of fellow members and called_i the pressure of having been
    called to account (see :class:`~.review.ReviewAndExit`).
    """

    number = "2"
    title = "Contribution and free-riding"
    sources = (
        "brief mechanism 2",
        "source 002 (outcomes rather than ego; precisely defined accountabilities)",
        'source 003 ("calling each other to account if anyone strayed")',
        "Olson 1965 (free-riding in larger groups)",
    )
    constants = (
        "involvement",
        "base_commitment",
        "w_trust",
        "w_focus",
        "w_alignment",
        "crowd_temptation",
        "mandate_reluctance",
        "min_commitment",
        "w_clarity",
        "w_sanctions",
        "w_reviews",
        "regular_reviews",
        "rare_reviews",
    )
    tests = (
        "test_mechanisms.py::test_contribution_clear_accountability_less_free_riding",
        "test_mechanisms.py::test_contribution_trust_raises_and_stress_lowers_commitment",
    )

    def commitment(
        self, s: State, p: Params, roster: Roster, trust_entry: np.ndarray
    ) -> np.ndarray:
        """c_i for every roster entry."""
        org = roster.org
        t = s.table
        focus = s.orgs.behaviour[org, Behaviour.OUTCOME_FOCUS]
        align = t.p_alignment[roster.pid]
        acc = accountability(p)
        crowd = 1.0 + p.crowd_temptation * (roster.n_other - 1)  # members beyond two
        temptation = p.freeride_temptation * (1.0 - focus) * (1.0 - acc) * crowd
        pulled_back = s.orgs.stress[org] * (1.0 - acc)
        # Built in place, term by term in the order of the equation (fewer temporaries on the
        # hot path).
        c = fill_nan(trust_entry, NEUTRAL)
        c -= NEUTRAL
        c *= p.w_trust
        c += p.base_commitment
        c += p.w_focus * (focus - NEUTRAL)
        c += p.w_alignment * (align - NEUTRAL)
        c -= temptation
        c -= pulled_back
        np.subtract(c, p.mandate_reluctance, out=c, where=t.p_mandated[roster.pid])
        c += t.m_called[roster.row]
        np.maximum(c, p.min_commitment, out=c)
        return np.minimum(c, MAX_COMMITMENT, out=c)

    def effort(self, s: State, p: Params, roster: Roster, commitment: np.ndarray) -> np.ndarray:
        """effort_i for every roster entry."""
        org = roster.org
        return (
            commitment
            * s.orgs.capacity[org]
            * p.involvement
            / np.maximum(s.orgs.n_memberships[org], 1)
        )
