"""Mechanism 8: reviews, calling to account, exit and the end of partnerships."""

from __future__ import annotations

import numpy as np

from ..arrays import fill_nan

#: Without scheduled reviews, the monthly chance that a member takes stock informally.
INFORMAL_CHECK = 1 / 24
#: How badly an informal check misjudges the return on effort (standard deviation).
INFORMAL_NOISE = 0.3
#: A member whose mean trust in its partners falls below this wants out.
TRUST_FLOOR = 0.2
#: A partnership whose mean trust falls below this collapses.
COLLAPSE = 0.15
#: Commitment below which a member is called to account at a review.
LOW_COMMITMENT = 0.45
#: Boost to commitment from being called to account (decays by CALL_DECAY a month).
CALL_BOOST, CALL_DECAY = 0.25, 0.85
#: Share of trust the remaining members lose in a member who walks out.
EXIT_DAMAGE = 0.35
#: Share of that damage that pre-agreed exit arrangements prevent.
EXIT_SOFTENING = 0.75
#: Resources (share of normal) below which a member under stress may pull out.
CUT_LEVEL = 0.75


class ReviewAndExit:
    """Scheduled reviews compare what each member gets with what it puts in; members leave.

    Names: monitor, measure and learn; calling to account; nuptial agreements.

    Rule. Every ``review_interval`` months each partnership reviews: every member weighs
    its smoothed return on effort; those below ``exit_threshold`` ("this isn't worth it
    any more") or with mean trust in their partners below TRUST_FLOOR leave. With
    ``sanctions``, members committing below LOW_COMMITMENT are called to account, which
    raises their commitment for a while. The stage becomes ``declining`` when synergy is
    below 1 at review, ``delivering`` otherwise. Without reviews, members take stock
    only now and then and misjudge; members of mandated partnerships cannot leave. A
    member under a funding cut may be pulled back into its own priorities unless
    governance holds it to account. A member who walks out loses the trust of those it
    leaves (and, through them, its reputation); pre-agreed exit arrangements prevent most
    of that damage, and a messy exit confirms myths about the leaver's sector. A
    partnership ends when fewer than two members remain, when trust collapses, when it
    meets its goal (completed, the only success) or at its deadline (goals missed).

    Sources: brief mechanism 8; seed 000 ("this isn't worth it any more"); seed 001
    (monitor, measure and learn; exit strategy; mechanisms for non conformity);
    seed 002 (nuptial agreements: reviews, exit arrangements); seed 003 (calling each
    other to account); seed 003 (pulled away from collaboration in turbulent times).
    """

    def __call__(self, model, roster, work) -> None:
        from .contribution import accountability

        p, t, rng = model.p, model.table, model.rng_noise
        rows = roster.rows
        t.m_return[rows] = 0.8 * t.m_return[rows] + 0.2 * work.ret
        t.m_called[rows] *= CALL_DECAY
        age = model.month - t.p_start[roster.pids]
        k = p["review_interval"]
        due = (age > 0) & (age % k == 0) if k > 0 else np.zeros(roster.pids.size, bool)
        due_row = due[roster.local]
        informal = ~due_row & (rng.random(roster.n) < INFORMAL_CHECK)
        view = t.m_return[rows] + np.where(informal, rng.normal(0, INFORMAL_NOISE, roster.n), 0)
        trust_row = fill_nan(work.trust_row, 0.5)
        can_leave = ~t.p_mandated[roster.p]
        looking = due_row | informal
        distrust = looking & (trust_row < TRUST_FLOOR)
        not_worth = looking & (view < p["exit_threshold"]) & ~distrust
        o = roster.o
        cut = model.capacity[o] < CUT_LEVEL * model.base_capacity[o]
        pulled = cut & (rng.random(roster.n) < model.stress[o] * (1 - accountability(p)) * 0.5)
        if p["sanctions"]:
            slack = due_row & (work.commitment < LOW_COMMITMENT)
            t.m_called[rows[slack]] += CALL_BOOST
        if due.any():
            syn = work.synergy[due]
            t.p_stage[roster.pids[due]] = np.where(fill_nan(syn, 1.0) < 1, 2, 1)
        t.p_stage[roster.pids[(age >= 3) & (t.p_stage[roster.pids] == 0)]] = 1

        cause = np.full(roster.n, -1)
        cause[can_leave & not_worth] = 2
        cause[can_leave & distrust] = 3
        cause[pulled] = 4
        for r in np.flatnonzero(cause >= 0):
            model.leave(int(rows[r]), int(cause[r]))

        # Whole-partnership endings.
        collapsed = fill_nan(work.trust_p, 1.0) < COLLAPSE
        done = t.p_output[roster.pids] >= t.p_target[roster.pids]
        late = age + 1 >= t.p_duration[roster.pids]
        for i, pid in enumerate(roster.pids):
            if t.p_stage[pid] == 3:
                continue
            if collapsed[i]:
                model.end_partnership(int(pid), 3)
            elif done[i]:
                model.end_partnership(int(pid), 0)
            elif late[i]:
                model.end_partnership(int(pid), 1)

    @staticmethod
    def exit_damage(model, row: int) -> None:
        """Trust (and myths) hit when member ``row`` walks out of its partnership."""
        t, rel, p = model.table, model.relations, model.p
        leaver = t.m_o[row]
        rest = model.table.members_of(int(t.m_p[row]))
        rest = rest[rest != leaver]
        if rest.size == 0:
            return
        hit = EXIT_DAMAGE * (1.0 - EXIT_SOFTENING * p["exit_arrangements"])
        e_in = rel.lookup(rest, np.full(rest.size, leaver))
        e_in = e_in[e_in >= 0]
        rel.trust[e_in] *= 1.0 - hit
        e_out = rel.lookup(np.full(rest.size, leaver), rest)
        e_out = e_out[e_out >= 0]
        rel.trust[e_out] *= 1.0 - hit / 2
        s = model.sector[leaver]
        other = rest[model.sector[rest] != s]
        model.myth[other, s] += p["myth_confirmation"] * hit * (1.0 - model.myth[other, s])
