"""Mechanism 5: sharing benefits, credit, costs and risk, and perceived fairness."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..codes import Behaviour
from ..param_types import Params
from ..partnerships import Roster
from ..state import State
from .base import Mechanism
from .contribution import accountability


class Shares(NamedTuple):
    """What the month's sharing gives each member (per entry) and each partnership (per part)."""

    benefit: np.ndarray  # per entry, joint output credited to it
    net: np.ndarray  # per entry, net return on effort (negative: a loss)
    equity: np.ndarray  # per entry, benefit over all it put in (effort and costs), >= 0
    cost: np.ndarray  # per entry, its share of the partnership's costs
    harm: np.ndarray  # per entry, credit taken beyond its share
    fairness: np.ndarray  # per part, Jain's index of its members' equity


class BenefitSharing(Mechanism):
    """Outcomes and credit, and costs and losses, are shared by a rule; generosity decides
    who claims credit.

    Rule. Each member's agreed share follows the sharing rule: ``proportional`` to what each
    brings (effort times its fit to the challenge: equity), ``equal``, or by ``power``
    (resources). What each brings is judged as delivered only as far as accountability is
    clear; where it is vague, shares follow what each agreed to bring, so a member that gives
    less than it agreed is paid for more than it gave: free-riding pays the free rider, at
    its partners' expense. Members who are unwilling to share and give credit claim more
    than their share of the joint output; clarity of accountabilities keeps credit close to
    the agreed share. Credit taken beyond one's share is harm done to the partners, which
    they notice (see :class:`~.trust.TrustDynamics`).

    Partnering costs. A member gives up what its effort would have produced alone (the
    opportunity cost) and bears, by the same agreed share (nobody grabs costs), the
    partnership's running costs (``running_cost`` of its members' output alone) and the
    costs that members who left early stranded (see :class:`~.review.ExitCosts`). Its net
    return is what it gets less all it gave, over what its effort would have given alone:
    negative when the partnership is in collaborative inertia, so the rule allocates the
    losses as well as the gains (risk sharing, source 002's nuptial agreements). Fairness of
    a partnership is Jain's index of its members' equity, benefit over everything each put
    in (Adams 1965), which is never negative, so the index keeps its meaning when net
    returns are losses: 1 when every member gets back the same per unit put in.

    Equations, for member i of partnership P with basis b_i (A · alone_i + (1 − A) agreed_i,
    1 or capacity_i by the rule; A is :func:`~.contribution.accountability`, agreed_i the
    output a month its agreed effort would give alone) and sharing behaviour σ_i:

        share_i  = b_i / Σ_P b
        claim_i  = share_i (1 + credit_grab (1 − σ_i));   claimed_i = claim_i / Σ_P claim
        credit_i = clarity · share_i + (1 − clarity) claimed_i
        benefit_i = joint_P · credit_i;   harm_i = max(credit_i − share_i, 0)
        cost_i   = share_i (running_cost · Σ_P alone + stranded_P)
        net_i    = (benefit_i − alone_i − cost_i) / alone_i        (0 where alone_i = 0)
        equity_i = benefit_i / (alone_i + cost_i)                  (1 where both are 0)
        fairness_P = (Σ_P equity)² / (n_P Σ_P equity²)
    """

    number = "5"
    title = "Benefit, credit and risk sharing"
    sources = (
        "brief mechanism 5",
        'source 002 ("a willingness to share and give credit to others"; nuptial agreements '
        '"detailing how to share benefits and risks")',
        'source 003 ("at least do no harm")',
        "Adams 1965 (equity: outcomes over inputs)",
        "Jain, Chiu & Hawe 1984 (fairness index)",
    )
    constants = ("credit_grab",)
    tests = (
        "test_mechanisms.py::test_sharing_by_power_is_less_fair_than_proportional",
        "test_mechanisms.py::test_sharing_ungenerous_members_grab_credit_and_do_harm",
        "test_governance_mechanisms.py::test_free_riding_pays_where_accountability_is_vague",
        "test_risk_mechanisms.py::test_net_returns_are_losses_in_inertia_and_gains_in_advantage",
        "test_risk_mechanisms.py::test_the_sharing_rule_allocates_the_costs",
        "test_risk_mechanisms.py::test_fairness_stays_meaningful_when_returns_are_losses",
        "test_risk_mechanisms.py::test_running_costs_bring_losses_and_exits",
    )

    def __call__(
        self,
        s: State,
        p: Params,
        roster: Roster,
        effort: np.ndarray,
        joint: np.ndarray,
        alone_entry: np.ndarray,
    ) -> Shares:
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
        costs = (
            p.running_cost * roster.per_part(alone_entry) + s.table.p_stranded[roster.active_pid]
        )
        cost = share * costs[roster.part]
        given = alone_entry + cost
        with np.errstate(invalid="ignore", divide="ignore"):
            net = np.where(
                alone_entry > 0,
                (benefit - given) / np.where(alone_entry > 0, alone_entry, 1),
                0.0,
            )
            equity = np.where(given > 0, benefit / np.where(given > 0, given, 1), 1.0)
        harm = np.maximum(credit - share, 0.0)
        s1 = roster.per_part(equity)
        s2 = roster.per_part(equity**2)
        with np.errstate(invalid="ignore", divide="ignore"):
            fairness = np.where(s2 > 0, s1**2 / (roster.size * s2), 1.0)
        return Shares(benefit, net, equity, cost, harm, fairness)
