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
from .formation import DECISION_MARGIN, coverage, expected_synergy, new_challenge

#: Without scheduled reviews, the monthly chance that a member takes stock informally
#: (assumption; ODD 7.8: informal checks stand in for reviews where none are scheduled).
INFORMAL_CHECK = 1 / 24
#: How badly an informal check misjudges the return on effort (standard deviation; assumption).
INFORMAL_NOISE = 0.3
#: A member whose mean trust in its partners falls below this wants out (assumption).
TRUST_FLOOR = 0.2
#: A partnership whose mean trust falls below this collapses (assumption).
COLLAPSE = 0.15
#: Shortfall of commitment below what was agreed at which a member is called to account at
#: a review (assumption).
SLACK = 0.1
#: Boost to commitment from being called to account, and its monthly decay (assumption).
CALL_BOOST, CALL_DECAY = 0.25, 0.85
#: What a sanction costs the sanctioned: the share of its smoothed return it forfeits
#: (seed 001 slide 11, "mechanisms for non conformity"; the size is an assumption).
SANCTION_COST = 0.2
#: Share of trust the remaining members lose in a member who walks out (assumption).
EXIT_DAMAGE = 0.35
#: Share of that damage that pre-agreed exit arrangements prevent (assumption).
EXIT_SOFTENING = 0.75
#: Resources (share of normal) below which a member under stress may pull out (assumption).
CUT_LEVEL = 0.75
#: Weight of the latest month in a member's smoothed return on effort (assumption).
RETURN_SMOOTHING = 0.2
#: Monthly chance of pulling out, per unit of unaccounted stress, under a cut (assumption).
PULL_OUT = 0.5
#: Trust read for a member with no fellow members left (neutral).
NEUTRAL_TRUST = 0.5
#: Share of its goal a partnership must have met by its deadline for a renegotiation of the
#: deadline to be considered (assumption).
RENEGOTIATE_SHARE = 0.75


def exit_damage(s: State, p: Params, row: int) -> None:
    """Trust (and myths) hit when the member of membership ``row`` walks out.

    Those left behind lose h = EXIT_DAMAGE (1 − EXIT_SOFTENING · exit_arrangements) of their
    trust in the leaver, the leaver h/2 of its trust in them, and members of other sectors
    have their myth about the leaver's sector confirmed: m ← m + myth_confirmation · h (1 − m).
    """
    t, rel, orgs = s.table, s.relations, s.orgs
    leaver = t.m_o[row]
    rest = t.members_of(int(t.m_p[row]))
    rest = rest[rest != leaver]
    if rest.size == 0:
        return
    hit = EXIT_DAMAGE * (1.0 - EXIT_SOFTENING * p.exit_arrangements)
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
    any more") or with mean trust in their partners below TRUST_FLOOR leave. Where no
    reviews are scheduled, members take stock informally now and then, and misjudge.
    Nobody judges a partnership still forming. With ``sanctions``, a review calls to account
    members committing SLACK or more below what they agreed: their commitment rises for a
    while and they forfeit SANCTION_COST of their return. Members of a mandated partnership
    cannot leave, nor be pulled out, while the mandate holds (its first challenge). A member
    under a funding cut may be pulled back into its own priorities unless governance holds it
    to account. A member who walks out loses the trust of those it leaves (see
    :func:`exit_damage`; pre-agreed exit arrangements prevent most of the damage).

    A partnership whose trust collapses ends (unless mandated). One that meets its goal has
    completed its challenge; if its members judge it worth going on (every member's return
    at least ``exit_threshold``, mean trust at least TRUST_FLOOR) and a new challenge fits the
    team (:func:`~.formation.expected_synergy` clears the formation margin), it takes the
    new challenge up (succession, Lowndes & Skelcher 1998); otherwise it ends well
    (completed, the only success). At its deadline with the goal unmet it ends (deadline
    missed), unless ``renegotiation`` is allowed, reviews are scheduled, at least
    RENEGOTIATE_SHARE of the goal is met and members still find it worth it: then the
    deadline moves once by a review interval.

    Equations, for member i of partnership P of age a (months since formation), forming for
    f_P months, with agreed commitment c*_i:

        r̃_i ← ret_i at a = f_P, (1 − RETURN_SMOOTHING) r̃_i + RETURN_SMOOTHING · ret_i after
        called_i ← CALL_DECAY · called_i
        due_P = review_interval > 0 and a > 0 and a mod review_interval = 0
        informal_i = review_interval = 0 and U < INFORMAL_CHECK
        looking_i = (due_P or informal_i) and a >= f_P
        view_i = r̃_i, plus N(0, INFORMAL_NOISE) if informal_i
        distrust_i = looking_i and τ̄_i < TRUST_FLOOR
        not_worth_i = looking_i and view_i < exit_threshold
        pulled_i = capacity_i < CUT_LEVEL · base_i and U < PULL_OUT · stress_i (1 − A)
        sanctions: due_P and c_i < c*_i − SLACK ⇒ called_i += CALL_BOOST,
                   r̃_i ← (1 − SANCTION_COST) r̃_i
        P ends: mean trust < COLLAPSE (trust collapsed); progress ≥ target (completed, or
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
        "INFORMAL_CHECK",
        "INFORMAL_NOISE",
        "TRUST_FLOOR",
        "COLLAPSE",
        "SLACK",
        "CALL_BOOST",
        "CALL_DECAY",
        "SANCTION_COST",
        "EXIT_DAMAGE",
        "EXIT_SOFTENING",
        "CUT_LEVEL",
        "RETURN_SMOOTHING",
        "PULL_OUT",
        "NEUTRAL_TRUST",
        "RENEGOTIATE_SHARE",
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
        smoothed = (1 - RETURN_SMOOTHING) * t.m_return[rows] + RETURN_SMOOTHING * work.ret
        first = (age == t.p_forming[pids])[roster.part]
        t.m_return[rows] = np.where(first, work.ret, np.where(delivering, smoothed, 1.0))
        t.m_called[rows] *= CALL_DECAY
        k = p.review_interval
        due = (age > 0) & (age % k == 0) if k > 0 else np.zeros(pids.size, bool)
        due_entry = due[roster.part]
        informal = (noise.random(roster.n) < INFORMAL_CHECK) & (k == 0)
        view = t.m_return[rows] + np.where(informal, noise.normal(0, INFORMAL_NOISE, roster.n), 0)
        trust_entry = fill_nan(work.trust_entry, NEUTRAL_TRUST)
        can_leave = ~t.p_mandated[roster.pid]
        looking = (due_entry | informal) & delivering
        distrust = looking & (trust_entry < TRUST_FLOOR)
        not_worth = looking & (view < p.exit_threshold) & ~distrust
        org = roster.org
        cut = orgs.capacity[org] < CUT_LEVEL * orgs.base_capacity[org]
        pulled = cut & (
            noise.random(roster.n) < orgs.stress[org] * (1 - accountability(p)) * PULL_OUT
        )
        if p.sanctions:
            slack = due_entry & (work.commitment < t.m_plan[rows] - SLACK)
            t.m_called[rows[slack]] += CALL_BOOST
            t.m_return[rows[slack]] *= 1.0 - SANCTION_COST
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
        collapsed = (fill_nan(work.trust_part, 1.0) < COLLAPSE) & ~t.p_mandated[pids]
        done = t.p_progress[pids] >= t.p_target[pids]
        late = s.month - t.p_challenge_start[pids] + 1 >= t.p_duration[pids]
        worth = (roster.per_part(t.m_return[rows] >= p.exit_threshold) == roster.size) & (
            fill_nan(work.trust_part, NEUTRAL_TRUST) >= TRUST_FLOOR
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
                and t.p_progress[pid] >= RENEGOTIATE_SHARE * t.p_target[pid]
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
        if expected_synergy(p, members.size, cover, float(trust)) < 1.0 + DECISION_MARGIN:
            return False
        rows = t.active_rows(pid)
        t.m_agreed[rows] = agreed_output(s, members, t.m_plan[rows], challenge.req, joining=False)
        target = float(t.m_agreed[rows].sum() * challenge.duration)
        renew(s, pid, challenge.req, challenge.value, challenge.duration, target)
        return True
