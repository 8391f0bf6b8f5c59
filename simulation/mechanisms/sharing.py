"""Mechanism 5: sharing benefits and credit, and perceived fairness."""

from __future__ import annotations

import numpy as np

from ..codes import Behaviour
from ..param_types import Params
from ..partnerships import Roster
from ..state import State
from .base import Mechanism
from .contribution import accountability


class BenefitSharing(Mechanism):
    """Outcomes and credit are shared by a rule; generosity decides who claims credit.

    Rule. Each member's agreed share of the joint output follows the sharing rule:
    ``proportional`` to what each brings (effort times its fit to the challenge: equity),
    ``equal``, or by ``power`` (resources). What each brings is judged as delivered only as
    far as accountability is clear; where it is vague, shares follow what each agreed to
    bring, so a member that gives less than it agreed is paid for more than it gave: free-riding
    pays the free rider, at its partners' expense. Members who are unwilling to share
    and give credit claim more than their share; clarity of accountabilities keeps credit
    close to the agreed share. A member's return is the benefit it receives over what its
    effort would have produced alone. Credit taken beyond one's share is harm done to the
    partners, which they notice (see :class:`~.trust.TrustDynamics`). Fairness of a
    partnership is Jain's index of its members' returns (1 = perfectly even).

    Equations, for member i of partnership P with basis b_i (A · alone_i + (1 − A) agreed_i,
    1 or capacity_i by the rule; A is :func:`~.contribution.accountability`, agreed_i the
    output a month its agreed effort would give alone) and sharing behaviour σ_i:

        share_i  = b_i / Σ_P b
        claim_i  = share_i (1 + credit_grab (1 − σ_i));   claimed_i = claim_i / Σ_P claim
        credit_i = clarity · share_i + (1 − clarity) claimed_i
        benefit_i = joint_P · credit_i;   ret_i = benefit_i / alone_i (1 where alone_i = 0)
        harm_i   = max(credit_i − share_i, 0)
        fairness_P = (Σ_P ret)² / (n_P Σ_P ret²)
    """

    number = "5"
    title = "Benefit, credit and risk sharing"
    sources = (
        "brief mechanism 5",
        'seed 002 ("a willingness to share and give credit to others"; nuptial agreements)',
        'seed 003 ("at least do no harm")',
        "Jain, Chiu & Hawe 1984 (fairness index)",
    )
    constants = ("credit_grab",)
    tests = (
        "test_mechanisms.py::test_sharing_by_power_is_less_fair_than_proportional",
        "test_mechanisms.py::test_sharing_ungenerous_members_grab_credit_and_do_harm",
        "test_governance_mechanisms.py::test_free_riding_pays_where_accountability_is_vague",
    )

    def __call__(
        self,
        s: State,
        p: Params,
        roster: Roster,
        effort: np.ndarray,
        joint: np.ndarray,
        alone_entry: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``(benefit_i, ret_i, harm_i, fairness_P)``: three per entry, one per part."""
        org = roster.org
        rule = p.sharing_rule
        if rule == "proportional":
            # What each brings: as delivered where accountability is clear, as agreed where
            # it is vague (so a member who gives less than it agreed keeps its share).
            acc = accountability(p)
            basis = acc * alone_entry + (1.0 - acc) * s.table.m_agreed[roster.row]
        elif rule == "equal":
            basis = np.ones(roster.n)
        else:
            basis = s.orgs.capacity[org]
        share = basis / roster.per_part(basis)[roster.part]
        claim = share * (1.0 + p.credit_grab * (1.0 - s.orgs.behaviour[org, Behaviour.SHARING]))
        claimed = claim / roster.per_part(claim)[roster.part]
        credit = p.clarity * share + (1.0 - p.clarity) * claimed
        benefit = joint[roster.part] * credit
        with np.errstate(invalid="ignore", divide="ignore"):
            ret = np.where(
                alone_entry > 0, benefit / np.where(alone_entry > 0, alone_entry, 1), 1.0
            )
        harm = np.maximum(credit - share, 0.0)
        s1 = roster.per_part(ret)
        s2 = roster.per_part(ret**2)
        with np.errstate(invalid="ignore", divide="ignore"):
            fairness = np.where(s2 > 0, s1**2 / (roster.size * s2), 1.0)
        return benefit, ret, harm, fairness
