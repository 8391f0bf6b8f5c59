"""Mechanism 8: reviews, calling to account, exit and the end of partnerships."""

from __future__ import annotations

import numpy as np

from ..arrays import fill_nan
from ..codes import Behaviour, EndCause
from ..lifecycle import end_partnership, leave, renew
from ..param_types import Params
from ..partnerships import DECLINING, DELIVERING, ENDED, FORMING, Roster
from ..portable import dot
from ..state import State, Streams, WorkRecord
from .base import Mechanism
from .contribution import accountability, agreed_output
from .formation import community_value, coverage, expected_synergy, new_challenge

#: Trust read for a member with no fellow members left, and for a partnership with no pairs:
#: the middle of the 0..1 scale standing in for a mean over nobody. Not a parameter: a
#: partnership at work always has two or more members, so no decision reads it.
NEUTRAL_TRUST = 0.5


class ExitCosts(Mechanism):
    """A member who leaves early strands costs; exit arrangements say in advance who pays.

    Rule. Partners commit resources on the strength of what each member agreed to bring
    (staff, premises, work built on its part). A member that leaves before its challenge's
    deadline strands ``exit_cost`` of the output it agreed to bring a month, for every month
    left to the deadline. Under pre-agreed exit arrangements (source 002's nuptial agreements,
    source 001's exit strategy) the leaver pays the ``exit_share`` it agreed to and the rest
    falls on the remaining members as agreed, no surprise (and the exit does less damage to
    trust: :func:`exit_damage`); without them the leaver walks away, the remaining members
    carry it all and blame it (the full damage). The remaining members carry stranded costs
    month by month until the challenge ends, by the sharing rule's shares
    (:class:`~.sharing.BenefitSharing`), so they can turn a partnership's returns into losses
    and push others out in turn. Where the exit ends the partnership (one member remains),
    that member carries its part at once. A payment made at once is a cut in resources that
    recovers as after a funding cut (``recovery`` a month, :class:`~.shocks.ShocksAndTurbulence`),
    so the resources lost add up to the payment.

    A member weighs what leaving would cost it: it leaves only if its net return falls short
    of the exit threshold by more than its own payment per month left, per unit of its output
    alone (staying loses the shortfall every month to the deadline; leaving pays its share
    of the stranded costs once).

    Equations, for leaver i of partnership P (agreed output a_i a month, T months to the
    deadline, output alone x_i this month, φ = exit_share · [exit_arrangements]):

        E_i = exit_cost · a_i · T
        the leaver pays φ E_i:          capacity_i ← max(capacity_i − recovery φ E_i, 0)
        two or more remain:             stranded_P ← stranded_P + (1 − φ) exit_cost · a_i
        one remains (j):                capacity_j ← max(capacity_j − recovery (1 − φ) E_i, 0)
        bar_i = φ · exit_cost · a_i / x_i   (in the exit rule of :class:`ReviewAndExit`)
    """

    number = "5, 8"
    title = "Exit costs and exit arrangements"
    sources = (
        "brief mechanisms 5 and 8 (risk sharing; exit arrangements make exits cleaner)",
        'source 002 (nuptial agreements "detailing how to share benefits and risks ... and exit '
        'arrangements")',
        'source 001 (slide 8, "be clear about where you start and when you disengage: exit '
        'strategy"; slide 13, "jointly manage impacts of failure")',
    )
    constants = ("recovery",)
    tests = (
        "test_risk_mechanisms.py::test_an_early_exit_strands_costs_on_the_partners_left",
        "test_risk_mechanisms.py::test_exit_arrangements_make_the_leaver_pay_its_agreed_share",
        "test_risk_mechanisms.py::test_members_weigh_what_leaving_would_cost_them",
        "test_risk_mechanisms.py::test_exit_arrangements_mean_fewer_exits_paid_for_by_the_leavers",
    )

    def payer_share(self, p: Params) -> float:
        """φ: the share of the stranded costs the leaver pays."""
        return p.exit_share if p.exit_arrangements else 0.0

    def bar(self, s: State, p: Params, rows: np.ndarray, alone: np.ndarray) -> np.ndarray:
        """bar_i for membership ``rows`` with output alone ``alone`` this month."""
        due = self.payer_share(p) * p.exit_cost * s.table.m_agreed[rows]
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(alone > 0, due / np.where(alone > 0, alone, 1), 0.0)

    def __call__(self, s: State, p: Params, row: int) -> None:
        """The member of membership ``row`` is about to leave: settle what its exit strands."""
        t, orgs = s.table, s.orgs
        pid = int(t.m_p[row])
        months = t.p_challenge_start[pid] + t.p_duration[pid] - s.month - 1
        if months <= 0 or p.exit_cost <= 0:
            return
        leaver = int(t.m_o[row])
        rest = t.members_of(pid)
        rest = rest[rest != leaver]
        monthly = p.exit_cost * float(t.m_agreed[row])
        phi = self.payer_share(p)
        paid = phi * monthly * months
        left = (1.0 - phi) * monthly * months
        orgs.capacity[leaver] = max(orgs.capacity[leaver] - p.recovery * paid, 0.0)
        if rest.size >= 2:
            t.p_stranded[pid] += (1.0 - phi) * monthly
        elif rest.size:
            orgs.capacity[rest] = np.maximum(orgs.capacity[rest] - p.recovery * left, 0.0)
        s.counts.exit_paid += paid
        s.counts.exit_stranded += left


#: The one instance review uses (the mechanism holds no state).
exit_costs = ExitCosts()


def exit_damage(s: State, p: Params, row: int) -> None:
    """Trust (and myths) hit when the member of membership ``row`` walks out.

    Those left behind lose h = exit_damage (1 − exit_softening · exit_arrangements) of their
    trust in the leaver, the leaver h/2 of its trust in them, and members of other sectors
    have their myth about the leaver's sector confirmed: m ← m + myth_confirmation · h (1 − m).
    """
    t, rel, orgs = s.table, s.relations, s.orgs
    leaver = t.m_o[row]
    rest = t.members_of(int(t.m_p[row]))
    rest = rest[rest != leaver]
    if rest.size == 0:
        return
    hit = p.exit_damage * (1.0 - p.exit_softening * p.exit_arrangements)
    e_in = rel.lookup(rest, np.full(rest.size, leaver))
    e_in = e_in[e_in >= 0]
    rel.trust[e_in] *= 1.0 - hit
    e_out = rel.lookup(np.full(rest.size, leaver), rest)
    e_out = e_out[e_out >= 0]
    rel.trust[e_out] *= 1.0 - hit / 2
    sec = orgs.sector[leaver]
    other = rest[orgs.sector[rest] != sec]
    orgs.myth[other, sec] += p.myth_confirmation * hit * (1.0 - orgs.myth[other, sec])


class ReviewAndExit(Mechanism):
    """Reviews compare what each member gets with what it puts in; members leave; partnerships
    end, are renegotiated, or take up a new challenge.

    Rule. Every ``review_interval`` months each partnership reviews: every member weighs
    its smoothed net return on effort (:class:`~.sharing.BenefitSharing`; negative is a
    loss), plus the challenge's value to the community as far as it is focused on outcomes
    (:class:`~.formation.CommunityValue`), against ``exit_threshold`` less what leaving
    would cost it (:class:`ExitCosts`); those short of it ("this isn't worth it any more")
    or with mean trust in their partners below ``trust_floor`` leave. Where no reviews are
    scheduled, members take stock informally now and then, and misjudge. Nobody judges a
    partnership still forming. With ``sanctions``, a review calls to account members
    committing ``slack`` or more below what they agreed: their commitment rises for a while
    and they are fined ``sanction_cost`` off their return. Members of a mandated partnership
    cannot leave, nor be pulled out, while the mandate holds (its first challenge). A member
    under a funding cut may be pulled back into its own priorities unless governance holds it
    to account. A member who walks out loses the trust of those it leaves (see
    :func:`exit_damage`; pre-agreed exit arrangements prevent most of the damage) and
    strands costs (:class:`ExitCosts`).

    A partnership whose trust collapses ends (unless mandated). One that meets its goal has
    completed its challenge; if its members judge it worth going on (every member's return
    at least ``exit_threshold``, mean trust at least ``trust_floor``) and a new challenge fits the
    team (:func:`~.formation.expected_synergy`, with the new challenge's value as far as
    the team is focused on outcomes, clears the formation margin), it takes the new
    challenge up (succession, Lowndes & Skelcher 1998); otherwise it ends well
    (completed, the only success). At its deadline with the goal unmet it ends (deadline
    missed), unless ``renegotiation`` is allowed, reviews are scheduled, at least
    ``renegotiate_share`` of the goal is met and members still find it worth it: then the
    deadline moves once by a review interval.

    Equations, for member i of partnership P of age a (months since formation), forming for
    f_P months, with agreed commitment c*_i, net return ret_i this month, outcome focus f_i,
    the challenge's value v_P and exit bar bar_i (:class:`ExitCosts`):

        r̃_i ← 0 while forming, ret_i at a = f_P,
              (1 − return_smoothing) r̃_i + return_smoothing · ret_i after
        called_i ← call_decay · called_i
        due_P = review_interval > 0 and a > 0 and a mod review_interval = 0
        informal_i = review_interval = 0 and U < informal_check
        looking_i = (due_P or informal_i) and a >= f_P
        view_i = r̃_i, plus N(0, informal_noise) if informal_i
        distrust_i = looking_i and τ̄_i < trust_floor
        not_worth_i = looking_i and view_i + pull(f_i, v_P) < exit_threshold − bar_i
        pulled_i = capacity_i < cut_level · base_i and U < pull_out · stress_i (1 − A)
        sanctions: due_P and c_i < c*_i − slack ⇒ called_i += call_boost,
                   r̃_i ← r̃_i − sanction_cost
        P ends: mean trust < collapse (trust collapsed); progress ≥ target (completed, or
                renewed); months on the challenge + 1 ≥ duration (deadline missed, or
                renegotiated)
    """

    number = "8"
    title = "Governance, review and exit"
    sources = (
        "brief mechanism 8",
        'source 000 ("this isn\'t worth it any more")',
        "source 001 (monitor, measure and learn; exit strategy; mechanisms for non conformity)",
        "source 002 (nuptial agreements: reviews, exit arrangements)",
        "source 003 (calling each other to account; pulled away in turbulent times)",
        "Lowndes & Skelcher 1998 (termination or succession)",
    )
    constants = (
        "informal_check",
        "informal_noise",
        "trust_floor",
        "collapse",
        "slack",
        "call_boost",
        "call_decay",
        "sanction_cost",
        "exit_damage",
        "exit_softening",
        "cut_level",
        "return_smoothing",
        "pull_out",
        "renegotiate_share",
        # also read here: formation's margin, to judge a new challenge as formation does
        "decision_margin",
    )
    tests = (
        "test_mechanisms.py::test_exit_arrangements_mean_less_trust_lost_on_exit",
        "test_mechanisms.py::test_reviews_with_sanctions_call_slackers_to_account",
        "test_governance_mechanisms.py::test_sanctions_cost_the_sanctioned",
        "test_governance_mechanisms.py::test_mandated_members_stay_while_the_mandate_holds",
        "test_governance_mechanisms.py::test_exits_wait_out_the_forming_months",
        "test_governance_mechanisms.py::test_informal_checks_only_where_no_reviews_are_scheduled",
        "test_governance_mechanisms.py::"
        "test_a_completed_partnership_renews_when_worth_it_and_ends_well_otherwise",
        "test_governance_mechanisms.py::"
        "test_renegotiation_moves_a_deadline_once_where_most_of_the_goal_is_met",
        "test_governance_mechanisms.py::test_the_goal_is_revised_when_a_member_leaves",
    )

    def __call__(self, s: State, p: Params, rng: Streams, roster: Roster, work: WorkRecord) -> None:
        t, orgs, noise = s.table, s.orgs, rng.noise
        rows, pids = roster.row, roster.active_pid
        age = s.month - t.p_start[pids]
        # Returns are weighed from the first month of delivery: the forming months' slow
        # start says nothing about what the partnership will give.
        delivering = (age >= t.p_forming[pids])[roster.part]
        smoothed = (1 - p.return_smoothing) * t.m_return[rows] + p.return_smoothing * work.ret
        first = (age == t.p_forming[pids])[roster.part]
        # Break-even (0) while forming: nothing yet to judge.
        t.m_return[rows] = np.where(first, work.ret, np.where(delivering, smoothed, 0.0))
        t.m_called[rows] *= p.call_decay
        k = p.review_interval
        due = (age > 0) & (age % k == 0) if k > 0 else np.zeros(pids.size, bool)
        due_entry = due[roster.part]
        informal = (noise.random(roster.n) < p.informal_check) & (k == 0)
        view = t.m_return[rows] + np.where(informal, noise.normal(0, p.informal_noise, roster.n), 0)
        trust_entry = fill_nan(work.trust_entry, NEUTRAL_TRUST)
        can_leave = ~t.p_mandated[roster.pid]
        looking = (due_entry | informal) & delivering
        distrust = looking & (trust_entry < p.trust_floor)
        org = roster.org
        view += community_value(
            p, orgs.behaviour[org, Behaviour.OUTCOME_FOCUS], t.p_value[roster.pid]
        )
        bar = exit_costs.bar(s, p, rows, work.alone_entry)
        not_worth = looking & (view < p.exit_threshold - bar) & ~distrust
        cut = orgs.capacity[org] < p.cut_level * orgs.base_capacity[org]
        pulled = cut & (
            noise.random(roster.n) < orgs.stress[org] * (1 - accountability(p)) * p.pull_out
        )
        if p.sanctions:
            slack = due_entry & (work.commitment < t.m_plan[rows] - p.slack)
            t.m_called[rows[slack]] += p.call_boost
            t.m_return[rows[slack]] -= p.sanction_cost
        if due.any():
            syn = work.synergy[due]
            t.p_stage[pids[due]] = np.where(fill_nan(syn, 1.0) < 1, DECLINING, DELIVERING)
        settled = (age >= t.p_forming[pids]) & (t.p_stage[pids] == FORMING)
        t.p_stage[pids[settled]] = DELIVERING

        cause = np.full(roster.n, -1)
        cause[not_worth] = EndCause.NOT_WORTH_IT
        cause[distrust] = EndCause.TRUST_COLLAPSED
        cause[pulled] = EndCause.FUNDING_CUT
        cause[~can_leave] = -1
        for r in np.flatnonzero(cause >= 0):
            row = int(rows[r])
            if t.m_active[row]:  # it may have gone with its partnership already
                exit_damage(s, p, row)
                exit_costs(s, p, row)
                leave(s, row, EndCause(int(cause[r])))

        # Whole-partnership endings, renewals and renegotiations.
        collapsed = (fill_nan(work.trust_part, 1.0) < p.collapse) & ~t.p_mandated[pids]
        done = t.p_progress[pids] >= t.p_target[pids]
        late = s.month - t.p_challenge_start[pids] + 1 >= t.p_duration[pids]
        worth = (roster.per_part(t.m_return[rows] >= p.exit_threshold) == roster.size) & (
            fill_nan(work.trust_part, NEUTRAL_TRUST) >= p.trust_floor
        )
        for i in np.flatnonzero(collapsed | done | late):
            pid = int(pids[i])
            if t.p_stage[pid] == ENDED:
                continue
            if collapsed[i]:
                end_partnership(s, pid, EndCause.TRUST_COLLAPSED)
            elif done[i]:
                t.p_completed[pid] += 1
                s.counts.completed += 1
                if not (worth[i] and self.renew(s, p, rng, pid, work.trust_part[i])):
                    end_partnership(s, pid, EndCause.COMPLETED)
            elif (
                p.renegotiation
                and k > 0
                and worth[i]
                and not t.p_extended[pid]
                and t.p_progress[pid] >= p.renegotiate_share * t.p_target[pid]
            ):
                t.p_duration[pid] += k
                t.p_extended[pid] = True
                s.counts.renegotiated += 1
            else:
                end_partnership(s, pid, EndCause.DEADLINE_MISSED)

    def renew(self, s: State, p: Params, rng: Streams, pid: int, trust: float) -> bool:
        """Offer partnership ``pid`` a new challenge; take it up if the team expects to beat
        going alone by the formation margin, counting the challenge's value as far as it is
        focused on outcomes (as when it formed). Returns whether it did."""
        t = s.table
        members = t.members_of(pid)
        challenge = new_challenge(s, p, rng.form)
        fit = dot(s.orgs.capability[members], challenge.req)
        if fit.mean() <= 0:
            return False
        cover = coverage(s, members, challenge.req) / float(fit.mean())
        focus = float(s.orgs.behaviour[members, Behaviour.OUTCOME_FOCUS].mean())
        pull = community_value(p, focus, challenge.value)
        if expected_synergy(p, members.size, cover, float(trust)) + pull < 1.0 + p.decision_margin:
            return False
        rows = t.active_rows(pid)
        t.m_agreed[rows] = agreed_output(
            s, p, members, t.m_plan[rows], challenge.req, joining=False
        )
        target = float(t.m_agreed[rows].sum() * challenge.duration)
        renew(s, pid, challenge.req, challenge.value, challenge.duration, target)
        return True
