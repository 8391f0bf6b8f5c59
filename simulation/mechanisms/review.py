"""Mechanism 8: reviews, calling to account, exit and the end of partnerships."""

from __future__ import annotations

import numpy as np

from ..arrays import fill_nan
from ..codes import EndCause
from ..lifecycle import end_partnership, leave
from ..param_types import Params
from ..partnerships import DECLINING, DELIVERING, ENDED, FORMING, Roster
from ..state import State, Streams, WorkRecord
from .base import Mechanism
from .contribution import accountability

#: Without a review due, the monthly chance that a member takes stock informally (assumption).
INFORMAL_CHECK = 1 / 24
#: How badly an informal check misjudges the return on effort (standard deviation; assumption).
INFORMAL_NOISE = 0.3
#: A member whose mean trust in its partners falls below this wants out (assumption).
TRUST_FLOOR = 0.2
#: A partnership whose mean trust falls below this collapses (assumption).
COLLAPSE = 0.15
#: Commitment below which a member is called to account at a review (assumption).
LOW_COMMITMENT = 0.45
#: Boost to commitment from being called to account, and its monthly decay (assumption).
CALL_BOOST, CALL_DECAY = 0.25, 0.85
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
#: Months after which a partnership counts as delivering rather than forming.
SETTLED_AGE = 3
#: Trust read for a member with no fellow members left (neutral).
NEUTRAL_TRUST = 0.5


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
    """Scheduled reviews compare what each member gets with what it puts in; members leave.

    Rule. Every ``review_interval`` months each partnership reviews: every member weighs
    its smoothed return on effort; those below ``exit_threshold`` ("this isn't worth it
    any more") or with mean trust in their partners below TRUST_FLOOR leave. With
    ``sanctions``, members committing below LOW_COMMITMENT are called to account, which
    raises their commitment for a while. The stage becomes ``declining`` when synergy is
    below 1 at review, ``delivering`` otherwise. Between reviews, members take stock
    only now and then and misjudge; members of mandated partnerships cannot leave of their
    own accord. A member under a funding cut may be pulled back into its own priorities
    unless governance holds it to account. A member who walks out loses the trust of those
    it leaves (and, through them, its reputation); pre-agreed exit arrangements prevent most
    of that damage, and a messy exit confirms myths about the leaver's sector (see
    :func:`exit_damage`). A partnership ends when fewer than two members remain, when trust
    collapses, when it meets its goal (completed, the only success) or at its deadline.

    Equations, for member i of partnership P of age a (months since formation):

        r̃_i ← (1 − RETURN_SMOOTHING) r̃_i + RETURN_SMOOTHING · ret_i
        called_i ← CALL_DECAY · called_i
        due_P = review_interval > 0 and a > 0 and a mod review_interval = 0
        informal_i = not due_P and U < INFORMAL_CHECK
        view_i = r̃_i, plus N(0, INFORMAL_NOISE) if informal_i
        looking_i = due_P or informal_i
        distrust_i = looking_i and τ̄_i < TRUST_FLOOR
        not_worth_i = looking_i and view_i < exit_threshold
        pulled_i = capacity_i < CUT_LEVEL · base_i and U < PULL_OUT · stress_i (1 − A)
        sanctions: due_P and c_i < LOW_COMMITMENT ⇒ called_i += CALL_BOOST
        P ends: mean trust < COLLAPSE (trust collapsed); output ≥ target (completed);
                a + 1 ≥ duration (deadline missed)
    """

    number = "8"
    title = "Governance, review and exit"
    sources = (
        "brief mechanism 8",
        'seed 000 ("this isn\'t worth it any more")',
        "seed 001 (monitor, measure and learn; exit strategy; mechanisms for non conformity)",
        "seed 002 (nuptial agreements: reviews, exit arrangements)",
        "seed 003 (calling each other to account; pulled away in turbulent times)",
    )
    constants = (
        "INFORMAL_CHECK",
        "INFORMAL_NOISE",
        "TRUST_FLOOR",
        "COLLAPSE",
        "LOW_COMMITMENT",
        "CALL_BOOST",
        "CALL_DECAY",
        "EXIT_DAMAGE",
        "EXIT_SOFTENING",
        "CUT_LEVEL",
        "RETURN_SMOOTHING",
        "PULL_OUT",
        "SETTLED_AGE",
        "NEUTRAL_TRUST",
    )
    tests = (
        "test_mechanisms.py::test_exit_arrangements_mean_less_trust_lost_on_exit",
        "test_mechanisms.py::test_reviews_with_sanctions_call_slackers_to_account",
    )

    def __call__(self, s: State, p: Params, rng: Streams, roster: Roster, work: WorkRecord) -> None:
        t, orgs, noise = s.table, s.orgs, rng.noise
        rows = roster.row
        t.m_return[rows] = (1 - RETURN_SMOOTHING) * t.m_return[rows] + RETURN_SMOOTHING * work.ret
        t.m_called[rows] *= CALL_DECAY
        age = s.month - t.p_start[roster.active_pid]
        k = p.review_interval
        due = (age > 0) & (age % k == 0) if k > 0 else np.zeros(roster.active_pid.size, bool)
        due_entry = due[roster.part]
        informal = ~due_entry & (noise.random(roster.n) < INFORMAL_CHECK)
        view = t.m_return[rows] + np.where(informal, noise.normal(0, INFORMAL_NOISE, roster.n), 0)
        trust_entry = fill_nan(work.trust_entry, NEUTRAL_TRUST)
        can_leave = ~t.p_mandated[roster.pid]
        looking = due_entry | informal
        distrust = looking & (trust_entry < TRUST_FLOOR)
        not_worth = looking & (view < p.exit_threshold) & ~distrust
        org = roster.org
        cut = orgs.capacity[org] < CUT_LEVEL * orgs.base_capacity[org]
        pulled = cut & (
            noise.random(roster.n) < orgs.stress[org] * (1 - accountability(p)) * PULL_OUT
        )
        if p.sanctions:
            slack = due_entry & (work.commitment < LOW_COMMITMENT)
            t.m_called[rows[slack]] += CALL_BOOST
        if due.any():
            syn = work.synergy[due]
            t.p_stage[roster.active_pid[due]] = np.where(
                fill_nan(syn, 1.0) < 1, DECLINING, DELIVERING
            )
        settled = (age >= SETTLED_AGE) & (t.p_stage[roster.active_pid] == FORMING)
        t.p_stage[roster.active_pid[settled]] = DELIVERING

        cause = np.full(roster.n, -1)
        cause[can_leave & not_worth] = EndCause.NOT_WORTH_IT
        cause[can_leave & distrust] = EndCause.TRUST_COLLAPSED
        cause[pulled] = EndCause.FUNDING_CUT
        for r in np.flatnonzero(cause >= 0):
            row = int(rows[r])
            if t.m_active[row]:  # it may have gone with its partnership already
                exit_damage(s, p, row)
                leave(s, row, EndCause(int(cause[r])))

        # Whole-partnership endings.
        collapsed = fill_nan(work.trust_part, 1.0) < COLLAPSE
        done = t.p_output[roster.active_pid] >= t.p_target[roster.active_pid]
        late = age + 1 >= t.p_duration[roster.active_pid]
        for i, pid in enumerate(roster.active_pid):
            if t.p_stage[pid] == ENDED:
                continue
            if collapsed[i]:
                end_partnership(s, int(pid), EndCause.TRUST_COLLAPSED)
            elif done[i]:
                end_partnership(s, int(pid), EndCause.COMPLETED)
            elif late[i]:
                end_partnership(s, int(pid), EndCause.DEADLINE_MISSED)
