"""Mechanism 2: how much effort each member commits, and free-riding."""

from __future__ import annotations

import numpy as np

from ..arrays import fill_nan
from ..codes import Behaviour
from ..param_types import Params
from ..partnerships import Roster
from ..state import State
from .base import Mechanism

#: Share of an organisation's capacity it can give to partnership work, split across its
#: partnerships (assumption).
INVOLVEMENT = 0.5
#: Commitment of a member with neutral trust, focus and alignment (assumption).
BASE_COMMITMENT = 0.6
#: Trust, focus and alignment at which they neither raise nor lower commitment.
NEUTRAL = 0.5
#: Weight of trust in one's partners on commitment (assumption).
W_TRUST = 0.45
#: Weight of outcome focus, and of aligned objectives, on commitment (assumption).
W_FOCUS, W_ALIGNMENT = 0.3, 0.3
#: Extra temptation to free-ride per member beyond two (accountability thins out; Olson 1965).
CROWD_TEMPTATION = 0.15
#: Reluctance of members who were told to partner (seed 001, "forced marriage").
MANDATE_RELUCTANCE = 0.1
#: Bounds of commitment: nobody commits nothing at all, nobody more than everything.
MIN_COMMITMENT, MAX_COMMITMENT = 0.05, 1.0
#: How much clarity, sanctions and regular reviews each add to accountability (assumption).
W_CLARITY, W_SANCTIONS, W_REVIEWS = 0.6, 0.2, 0.2
#: Reviews at least this often (months) count fully towards accountability; rarer ones count
#: RARE_REVIEWS (assumption).
REGULAR_REVIEWS, RARE_REVIEWS = 12, 0.5


def planned_commitment(
    p: Params, trust: np.ndarray, focus: np.ndarray, alignment: np.ndarray, mandated: bool
) -> np.ndarray:
    """The commitment a member agrees to at formation, in good faith: the commitment
    equation of :class:`Contribution` with no temptation, no stress and no pressure.

    c*_i = clip(BASE_COMMITMENT + W_TRUST (τ̂_i − ½) + W_FOCUS (focus_i − ½)
                + W_ALIGNMENT (alignment_P − ½) − MANDATE_RELUCTANCE [mandated],
                MIN_COMMITMENT, MAX_COMMITMENT)
    with τ̂_i the member's mean first impression of (or trust in) its fellow members.
    """
    c = (
        BASE_COMMITMENT
        + W_TRUST * (trust - NEUTRAL)
        + W_FOCUS * (focus - NEUTRAL)
        + W_ALIGNMENT * (alignment - NEUTRAL)
        - MANDATE_RELUCTANCE * mandated
    )
    return np.clip(c, MIN_COMMITMENT, MAX_COMMITMENT)


def agreed_output(
    s: State, members: np.ndarray, plan: np.ndarray, req: np.ndarray, *, joining: bool
) -> np.ndarray:
    """Output a month each member's agreed effort would give alone: c*_i times the capacity
    it gives this partnership (INVOLVEMENT split over its partnerships, counting this one
    if it is ``joining``) times its fit to the challenge, k_i · r."""
    orgs = s.orgs
    share = orgs.capacity[members] * INVOLVEMENT / (orgs.n_memberships[members] + joining)
    return plan * share * (orgs.capability[members] @ req)


def accountability(p: Params) -> float:
    """How clearly governance holds members to account, 0..1.

    A = clip(0.6 clarity + 0.2 sanctions + 0.2 R, 0, 1), with R = 1 for reviews at least
    yearly, 0.5 for rarer reviews and 0 without any.
    """
    k = p.review_interval
    reviews = 1.0 if 0 < k <= REGULAR_REVIEWS else (RARE_REVIEWS if k else 0.0)
    return min(
        max(W_CLARITY * p.clarity + W_SANCTIONS * p.sanctions + W_REVIEWS * reviews, 0.0), 1.0
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

        temptation_i = freeride_temptation (1 − focus_i)(1 − A)(1 + CROWD_TEMPTATION (n_i − 1))
        c_i = clip(BASE_COMMITMENT + W_TRUST (τ̄_i − ½) + W_FOCUS (focus_i − ½)
                   + W_ALIGNMENT (alignment_P − ½) − temptation_i − stress_i (1 − A)
                   − MANDATE_RELUCTANCE [P mandated] + called_i,
                   MIN_COMMITMENT, MAX_COMMITMENT)
        effort_i = c_i · capacity_i · INVOLVEMENT / max(memberships_i, 1)

    where n_i is the number of fellow members and called_i the pressure of having been
    called to account (see :class:`~.review.ReviewAndExit`).
    """

    number = "2"
    title = "Contribution and free-riding"
    sources = (
        "brief mechanism 2",
        "seed 002 (outcomes rather than ego; precisely defined accountabilities)",
        'seed 003 ("calling each other to account if anyone strayed")',
        "Olson 1965 (free-riding in larger groups)",
    )
    constants = (
        "INVOLVEMENT",
        "BASE_COMMITMENT",
        "NEUTRAL",
        "W_TRUST",
        "W_FOCUS",
        "W_ALIGNMENT",
        "CROWD_TEMPTATION",
        "MANDATE_RELUCTANCE",
        "MIN_COMMITMENT",
        "MAX_COMMITMENT",
        "W_CLARITY",
        "W_SANCTIONS",
        "W_REVIEWS",
        "REGULAR_REVIEWS",
        "RARE_REVIEWS",
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
        crowd = 1.0 + CROWD_TEMPTATION * (roster.n_other - 1)  # members beyond two
        temptation = p.freeride_temptation * (1.0 - focus) * (1.0 - acc) * crowd
        pulled_back = s.orgs.stress[org] * (1.0 - acc)
        # Built in place, term by term in the order of the equation (fewer temporaries on the
        # hot path).
        c = fill_nan(trust_entry, NEUTRAL)
        c -= NEUTRAL
        c *= W_TRUST
        c += BASE_COMMITMENT
        c += W_FOCUS * (focus - NEUTRAL)
        c += W_ALIGNMENT * (align - NEUTRAL)
        c -= temptation
        c -= pulled_back
        np.subtract(c, MANDATE_RELUCTANCE, out=c, where=t.p_mandated[roster.pid])
        c += t.m_called[roster.row]
        np.maximum(c, MIN_COMMITMENT, out=c)
        return np.minimum(c, MAX_COMMITMENT, out=c)

    def effort(self, s: State, roster: Roster, commitment: np.ndarray) -> np.ndarray:
        """effort_i for every roster entry."""
        org = roster.org
        return (
            commitment
            * s.orgs.capacity[org]
            * INVOLVEMENT
            / np.maximum(s.orgs.n_memberships[org], 1)
        )
