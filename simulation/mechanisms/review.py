"""Mechanism 8: reviews, calling to account, exit and the end of partnerships."""

from __future__ import annotations

import numpy as np

from ..arrays import fill_nan
from ..codes import EndCause
from ..lifecycle import end_partnership, leave, renew
from ..param_types import Params
from ..partnerships import DECLINING, DELIVERING, ENDED, FORMING, Roster
from ..state import State, Streams, WorkRecord
from .base import Mechanism
from .contribution import accountability, agreed_output
from .formation import coverage, expected_synergy, new_challenge

#: Trust read for a member with no fellow members left, and for a partnership with no pairs:
#: the middle of the 0..1 scale standing in for a mean over nobody. Not a parameter: a
#: partnership at work always has two or more members, so no decision reads it.
NEUTRAL_TRUST = 0.5


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
    its smoothed return on effort; those below ``exit_threshold`` ("this isn't worth it
    any more") or with mean trust in their partners below ``trust_floor`` leave. Where no
    reviews are scheduled, members take stock informally now and then, and misjudge.
    Nobody judges a partnership still forming. With ``sanctions``, a review calls to account
    members committing ``slack`` or more below what they agreed: their commitment rises for a
    while and they forfeit ``sanction_cost`` of their return. Members of a mandated partnership
    cannot leave, nor be pulled out, while the mandate holds (its first challenge). A member
    under a funding cut may be pulled back into its own priorities unless governance holds it
    to account. A member who walks out loses the trust of those it leaves (see
    :func:`exit_damage`; pre-agreed exit arrangements prevent most of the damage).

    A partnership whose trust collapses ends (unless mandated). One that meets its goal has
    completed its challenge; if its members judge it worth going on (every member's return
    at least ``exit_threshold``, mean trust at least ``trust_floor``) and a new challenge fits the
    team (:func:`~.formation.expected_synergy` clears the formation margin), it takes the
    new challenge up (succession, Lowndes & Skelcher 1998); otherwise it ends well
    (completed, the only success). At its deadline with the goal unmet it ends (deadline
    missed), unless ``renegotiation`` is allowed, reviews are scheduled, at least
    ``renegotiate_share`` of the goal is met and members still find it worth it: then the
    deadline moves once by a review interval.

    Equations, for member i of partnership P of age a (months since formation), forming for
    f_P months, with agreed commitment c*_i:

        r̃_i ← ret_i at a = f_P, (1 − return_smoothing) r̃_i + return_smoothing · ret_i after
        called_i ← call_decay · called_i
        due_P = review_interval > 0 and a > 0 and a mod review_interval = 0
        informal_i = review_interval = 0 and U < informal_check
        looking_i = (due_P or informal_i) and a >= f_P
        view_i = r̃_i, plus N(0, informal_noise) if informal_i
        distrust_i = looking_i and τ̄_i < trust_floor
        not_worth_i = looking_i and view_i < exit_threshold
        pulled_i = capacity_i < cut_level · base_i and U < pull_out · stress_i (1 − A)
        sanctions: due_P and c_i < c*_i − slack ⇒ called_i += call_boost,
                   r̃_i ← (1 − sanction_cost) r̃_i
        P ends: mean trust < collapse (trust collapsed); progress ≥ target (completed, or
                renewed); months on the challenge + 1 ≥ duration (deadline missed, or
                renegotiated)
    """

    number = "8"
    title = "Governance, review and exit"
    sources = (
        "brief mechanism 8",
        'seed 000 ("this isn\'t worth it any more")',
        "seed 001 (monitor, measure and learn; exit strategy; mechanisms for non conformity)",
        "seed 002 (nuptial agreements: reviews, exit arrangements)",
        "seed 003 (calling each other to account; pulled away in turbulent times)",
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
        t.m_return[rows] = np.where(first, work.ret, np.where(delivering, smoothed, 1.0))
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
        not_worth = looking & (view < p.exit_threshold) & ~distrust
        org = roster.org
        cut = orgs.capacity[org] < p.cut_level * orgs.base_capacity[org]
        pulled = cut & (
            noise.random(roster.n) < orgs.stress[org] * (1 - accountability(p)) * p.pull_out
        )
        if p.sanctions:
            slack = due_entry & (work.commitment < t.m_plan[rows] - p.slack)
            t.m_called[rows[slack]] += p.call_boost
            t.m_return[rows[slack]] *= 1.0 - p.sanction_cost
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
        going alone by the formation margin (as when it formed). Returns whether it did."""
        t = s.table
        members = t.members_of(pid)
        challenge = new_challenge(s, p, rng.form)
        fit = s.orgs.capability[members] @ challenge.req
        if fit.mean() <= 0:
            return False
        cover = coverage(s, members, challenge.req) / float(fit.mean())
        if expected_synergy(p, members.size, cover, float(trust)) < 1.0 + p.decision_margin:
            return False
        rows = t.active_rows(pid)
        t.m_agreed[rows] = agreed_output(
            s, p, members, t.m_plan[rows], challenge.req, joining=False
        )
        target = float(t.m_agreed[rows].sum() * challenge.duration)
        renew(s, pid, challenge.req, challenge.value, challenge.duration, target)
        return True
