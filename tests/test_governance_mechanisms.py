"""Review, exit, renewal and sharing rules, each against a same-state control.

Every test runs a mechanism twice on deep copies of one model state, changing one thing, and
checks the direction the rule states.
"""

import copy
from dataclasses import replace

import numpy as np
import pytest
from conftest import stepped

from simulation.codes import EndCause
from simulation.governance import DEFAULT_RULES, PRESETS, RULES
from simulation.lifecycle import leave
from simulation.mechanisms.contribution import accountability
from simulation.mechanisms.review import ReviewAndExit
from simulation.mechanisms.work import sharing, work_together
from simulation.params import DEFAULTS
from simulation.partnerships import ENDED
from simulation.state import Counters


@pytest.fixture(scope="module")
def base():
    m = stepped(30, seed=6)
    assert m.state.table.roster().n > 20
    return m


def _review(m, setup=None, **params):
    """ReviewAndExit on a copy of ``m``'s state after ``setup(state, work)``; returns the copy."""
    s = copy.deepcopy(m.state)
    streams = copy.deepcopy(m.streams)
    p = replace(m.p, **params)
    ro = s.table.roster()
    edges = s.relations.lookup(ro.pair_org_a, ro.pair_org_b)
    work, _, _ = work_together(s, p, streams, ro, edges)
    if setup is not None:
        setup(s, ro, work)
    s.counts = Counters()  # count only what the review does
    ReviewAndExit()(s, p, streams, ro, work)
    return s, ro


def _left(s, ro):
    return int((~s.table.m_active[ro.row]).sum())


def _no_return(s, ro, work):
    """Every member gets nothing back: a total loss of what it put in."""
    work.ret[:] = -1.0
    s.table.m_return[ro.row] = -1.0


def test_free_riding_pays_where_accountability_is_vague(base):
    m = base
    s = m.state
    ro = s.table.roster()
    edges = s.relations.lookup(ro.pair_org_a, ro.pair_org_b)
    w, _, _ = work_together(copy.deepcopy(s), m.p, copy.deepcopy(m.streams), ro, edges)
    fit = np.einsum("md,md->m", s.orgs.capability[ro.org], s.table.p_req[ro.pid])
    gain = {}
    for clarity in (0.0, 1.0):
        p = replace(m.p, clarity=clarity, sanctions=True, review_interval=6)
        honest = w.effort.copy()
        shirk = w.effort.copy()
        shirk[::2] *= 0.5  # every other member gives half
        ret = {}
        for name, effort in (("honest", honest), ("shirk", shirk)):
            alone = effort * fit
            joint = (
                w.joint
                * np.bincount(ro.part, weights=alone)
                / np.bincount(ro.part, weights=honest * fit)
            )
            ret[name] = sharing(s, p, ro, effort, joint, alone).net[::2]
        gain[accountability(p)] = float(np.mean(ret["shirk"] - ret["honest"]))
    vague, clear = min(gain), max(gain)
    assert gain[vague] > 0  # giving less than agreed raises one's return
    assert gain[clear] < gain[vague]  # clear accountability takes that away


def test_sanctions_cost_the_sanctioned(base):
    def slack(s, ro, work):
        work.commitment[:] = np.maximum(s.table.m_plan[ro.row] - 0.3, 0.0)
        s.table.m_return[ro.row] = 2.0  # nobody wants to leave
        work.ret[:] = 2.0  # the same month with sanctions or without

    off, ro = _review(base, slack, review_interval=1, sanctions=False)
    on, _ = _review(base, slack, review_interval=1, sanctions=True)
    rows = ro.row[on.table.m_active[ro.row] & off.table.m_active[ro.row]]
    due = on.table.m_called[rows] > off.table.m_called[rows]
    assert due.sum() > 10
    fine = off.table.m_return[rows[due]] - on.table.m_return[rows[due]]
    assert np.allclose(fine, base.p.sanction_cost)


def test_mandated_members_stay_while_the_mandate_holds():
    def hopeless(s, ro, work):
        _no_return(s, ro, work)
        s.orgs.capacity[:] = 0.1 * s.orgs.base_capacity
        s.orgs.stress[:] = 1.0

    mandated = stepped(12, seed=2, formation_mode="mandated")
    voluntary = stepped(12, seed=2)
    under_mandate = mandated.state.table.p_mandated[mandated.state.table.roster().pid]
    assert under_mandate.sum() > 10
    n0 = len(mandated.state.events)
    s, ro = _review(mandated, hopeless, review_interval=1)
    held = set(ro.pid[under_mandate].tolist())  # (after a renewal the mandate no longer holds)
    assert not [e for e in s.events[n0:] if e["event"] == "left" and e["partnership"] in held]
    # Nobody walks out and trust cannot collapse them: they end only at their goal or deadline.
    ended = [int(s.table.p_cause[pid]) for pid in held if s.table.p_stage[pid] == ENDED]
    assert set(ended) <= {EndCause.COMPLETED, EndCause.DEADLINE_MISSED}
    assert len(ended) < len(held) / 2
    s, ro = _review(voluntary, hopeless, review_interval=1)
    assert _left(s, ro) > ro.n / 2


def test_exits_wait_out_the_forming_months(base):
    s0 = base.state
    ro = s0.table.roster()
    settled = s0.month - s0.table.p_start[ro.pid] >= s0.table.p_forming[ro.pid]
    assert settled.any() and (~settled).any()

    def unrewarding(s, ro, work):
        _no_return(s, ro, work)
        s.orgs.stress[:] = 0.0  # nobody is pulled out by a cut

    s, ro = _review(base, unrewarding, review_interval=1)
    gone = ~s.table.m_active[ro.row]
    assert gone[settled].mean() > 0.9
    # Members of a forming partnership do not leave of their own accord.
    forming = set(ro.pid[~settled].tolist())
    assert not [e for e in s.events if e["event"] == "left" and e["partnership"] in forming]


def test_informal_checks_only_where_no_reviews_are_scheduled(base):
    def unrewarding(s, ro, work):
        _no_return(s, ro, work)
        s.orgs.stress[:] = 0.0  # nobody is pulled out by a cut

    # A review interval at which no partnership is due this month: nobody looks, nobody leaves.
    t = base.state.table
    ages = base.state.month - t.p_start[t.roster().active_pid]
    k = next(k for k in range(120, 12, -1) if not ((ages > 0) & (ages % k == 0)).any())
    n0 = len(base.state.events)
    s, ro = _review(base, unrewarding, review_interval=k)
    assert not [e for e in s.events[n0:] if e["event"] == "left"]
    s, ro = _review(base, unrewarding, review_interval=0)
    assert [e for e in s.events[n0:] if e["event"] == "left"]


def test_a_completed_partnership_renews_when_worth_it_and_ends_well_otherwise(base):
    def done(worth):
        def setup(s, ro, work):
            s.table.p_progress[ro.active_pid] = s.table.p_target[ro.active_pid] + 1.0
            s.table.m_return[ro.row] = 2.0
            work.ret[:] = 2.0

        return setup

    s, ro = _review(base, done(True), review_interval=120)
    renewed, ended = s.counts.renewed, s.counts.ended_completed
    assert renewed > 0 and (s.table.p_challenges[ro.active_pid] >= 2).sum() >= renewed
    assert (s.table.p_completed[ro.active_pid] >= 1).all()
    # Members who expect more than they get (a higher bar than any return) end it well.
    s2, _ = _review(base, done(False), review_interval=120, exit_threshold=3.0)
    assert s2.counts.renewed == 0 and s2.counts.ended_completed > ended


def test_renegotiation_moves_a_deadline_once_where_most_of_the_goal_is_met(base):
    def late(s, ro, work):
        t = s.table
        pids = ro.active_pid
        t.p_duration[pids] = s.month - t.p_challenge_start[pids] + 1
        t.p_progress[pids] = 0.8 * t.p_target[pids]
        t.m_return[ro.row] = 2.0
        work.ret[:] = 2.0

    off, ro = _review(base, late, review_interval=6, renegotiation=False)
    on, _ = _review(base, late, review_interval=6, renegotiation=True)
    assert on.counts.renegotiated > 0 and off.counts.renegotiated == 0
    assert on.counts.ended_deadline_missed < off.counts.ended_deadline_missed
    assert on.table.p_extended[ro.active_pid].sum() == on.counts.renegotiated


def test_the_goal_is_revised_when_a_member_leaves(base):
    s = copy.deepcopy(base.state)
    t = s.table
    ro = t.roster()
    big = ro.active_pid[ro.size >= 3]
    assert big.size
    pid = int(big[0])
    row = int(t.active_rows(pid)[0])
    remaining = t.p_challenge_start[pid] + t.p_duration[pid] - s.month - 1
    before = t.p_target[pid]
    leave(s, row, EndCause.NOT_WORTH_IT)
    assert t.p_target[pid] == pytest.approx(before - t.m_agreed[row] * remaining)
    assert t.p_stage[pid] != ENDED


def test_presets_are_the_default_with_rules_changed_for_a_stated_reason():
    assert {k: DEFAULTS[k] for k in RULES} == DEFAULT_RULES
    changed = {k for k in RULES if PRESETS["none"].rules[k] != DEFAULT_RULES[k]}
    assert changed == {"review_interval", "trust_investment"}  # governance functions only
    assert PRESETS["none"].rules["review_interval"] == 0
    for preset in PRESETS.values():
        moved = {k for k in RULES if preset.rules[k] != DEFAULT_RULES[k]}
        assert moved == set(preset.why), preset.name
        assert all(preset.why[k].strip() for k in moved)
