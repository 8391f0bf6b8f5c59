"""Mechanism 5: sharing benefits and credit, and perceived fairness."""

from __future__ import annotations

import numpy as np

#: How far an ungenerous member inflates its claim to credit.
CREDIT_GRAB = 1.0


class BenefitSharing:
    """Outcomes and credit are shared by a rule; generosity decides who claims credit.

    Names: benefit sharing; credit claiming; do no harm.

    Rule. Each member's agreed share of the joint output follows the sharing rule:
    ``proportional`` to what each brings (effort times its fit to the challenge, so
    that every member's return equals the partnership's synergy ratio: equity),
    ``equal``, or by ``power`` (resources). Members who are
    unwilling to share and give credit claim more than their share; clarity of
    accountabilities keeps credit close to the agreed share. A member's return is the
    benefit it receives over what its effort would have produced alone. Credit taken
    beyond one's share is harm done to the partners, which they notice (see
    :class:`~.trust.TrustDynamics`). Fairness of a partnership is Jain's index of its
    members' returns (1 = perfectly even).

    Sources: brief mechanism 5; seed 002 ("a willingness to share and give credit to
    others"; nuptial agreements on sharing benefits and risks); seed 003 ("at least do
    no harm"); Jain, Chiu & Hawe (1984) for the fairness index.
    """

    def __call__(self, model, roster, effort, joint, alone_row):
        p = model.p
        o = roster.o
        rule = p["sharing_rule"]
        if rule == "proportional":
            basis = alone_row  # what each brings: effort times fit to the challenge
        elif rule == "equal":
            basis = np.ones(roster.n)
        else:
            basis = model.capacity[o]
        share = basis / roster.per_partnership(basis)[roster.local]
        claim = share * (1.0 + CREDIT_GRAB * (1.0 - model.behaviour[o, model.SHARING]))
        claimed = claim / roster.per_partnership(claim)[roster.local]
        credit = p["clarity"] * share + (1.0 - p["clarity"]) * claimed
        benefit = joint[roster.local] * credit
        with np.errstate(invalid="ignore", divide="ignore"):
            ret = np.where(alone_row > 0, benefit / np.where(alone_row > 0, alone_row, 1), 1.0)
        harm = np.maximum(credit - share, 0.0)
        s1 = roster.per_partnership(ret)
        s2 = roster.per_partnership(ret**2)
        with np.errstate(invalid="ignore", divide="ignore"):
            fairness = np.where(s2 > 0, s1**2 / (roster.size * s2), 1.0)
        return benefit, ret, harm, fairness
