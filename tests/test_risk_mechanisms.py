"""Costs and risk, exit costs, a challenge's value to the community, and isolation.

Unit-level tests run a mechanism twice on copies of one model state, changing one thing, and
check the direction the rule states (or an identity it must keep). Run-level tests compare
paired runs on the same seeds with a one-sided paired t-test.
"""

import copy
from dataclasses import replace

import numpy as np
import pytest
from conftest import TEST_BURN_IN, greater, outcomes, stepped
from scipy import stats

from simulation import kernels
from simulation.codes import Behaviour, EndCause
from simulation.lifecycle import leave
from simulation.mechanisms.formation import Challenge, Formation, _Search
from simulation.mechanisms.review import ReviewAndExit, exit_costs
from simulation.mechanisms.work import sharing, work_together
from simulation.model import CollabModel
from simulation.sectors import SECTORS
from simulation.state import Counters

SEEDS = range(8)


@pytest.fixture(scope="module")
def busy():
    """A model two years in, with many partnerships at work, some of three or more."""
    m = stepped(24, seed=1)
    ro = m.state.table.roster()
    assert ro.n > 20 and (ro.size >= 3).sum() >= 3
    return m


def _month(m, **params):
    """One month of joint work on a copy of ``m``'s state: (state, parameters, roster, record)."""
    s, streams = copy.deepcopy(m.state), copy.deepcopy(m.streams)
    p = replace(m.p, **params)
    ro = s.table.roster()
    edges = s.relations.lookup(ro.pair_org_a, ro.pair_org_b)
    work, _, _ = work_together(s, p, streams, ro, edges)
    return s, p, ro, work, streams


def _alone(s, ro, effort):
    return effort * np.einsum("md,md->m", s.orgs.capability[ro.org], s.table.p_req[ro.pid])


# (a) Returns can be negative, and the rule shares the losses ----------------------------------
def test_net_returns_are_losses_in_inertia_and_gains_in_advantage(busy):
    # Clear accountability, generous members: each member's net return is the partnership's
    # synergy ratio less one, less the running costs (no credit grabbed, shares by delivery).
    s, p, ro, w, _ = _month(busy, clarity=1.0, sanctions=True, review_interval=6)
    s.orgs.behaviour[:, Behaviour.SHARING] = 1.0
    s.table.p_stranded[:] = 0.0
    alone = _alone(s, ro, w.effort)
    sh = sharing(s, p, ro, w.effort, w.joint, alone)
    syn = w.synergy[ro.part]
    assert np.allclose(sh.net, syn - 1.0 - p.running_cost)
    inertia, advantage = syn < 1.0, syn > 1.0 + p.running_cost
    assert inertia.any() and advantage.any()
    assert (sh.net[inertia] < 0).all() and (sh.net[advantage] > 0).all()
    # Dearer running costs lower every member's net return, by the cost per unit alone.
    dear = sharing(s, replace(p, running_cost=0.5), ro, w.effort, w.joint, alone)
    assert np.allclose(sh.net - dear.net, 0.5 - p.running_cost)


def test_the_sharing_rule_allocates_the_costs(busy):
    s, p, ro, w, _ = _month(busy, running_cost=0.4)
    alone = _alone(s, ro, w.effort)
    per = {}
    for rule in ("proportional", "equal", "power"):
        per[rule] = sharing(s, replace(p, sharing_rule=rule), ro, w.effort, w.joint, alone)
    costs = p.running_cost * ro.per_part(alone) + s.table.p_stranded[ro.active_pid]
    for sh in per.values():
        # The rule allocates costs and losses; it creates none: the partnership's net
        # result, joint output less output alone and costs, is the same under every rule.
        assert np.allclose(ro.per_part(sh.cost), costs)
        assert np.allclose(ro.per_part(sh.net * alone), w.joint - ro.per_part(alone) - costs)
    cap = s.orgs.capacity[ro.org]
    assert np.allclose(per["equal"].cost, (costs / ro.size)[ro.part])
    assert np.allclose(per["power"].cost, costs[ro.part] * cap / ro.per_part(cap)[ro.part])
    # Equal shares put more of the costs on the smallest member than shares by power.
    small = np.array(
        [np.flatnonzero(ro.part == k)[cap[ro.part == k].argmin()] for k in range(ro.size.size)]
    )
    assert (per["equal"].cost[small] >= per["power"].cost[small]).all()
    assert (per["equal"].cost[small] > per["power"].cost[small]).mean() > 0.9


def test_fairness_stays_meaningful_when_returns_are_losses(busy):
    s, p, ro, w, _ = _month(busy, clarity=1.0, sanctions=True, review_interval=6)
    s.orgs.behaviour[:, Behaviour.SHARING] = 1.0
    alone = _alone(s, ro, w.effort)
    poor = 0.3 * ro.per_part(alone)  # every partnership deep in inertia
    fair = {}
    for rule in ("proportional", "power"):
        sh = sharing(s, replace(p, sharing_rule=rule), ro, w.effort, poor, alone)
        assert (ro.per_part(sh.net * alone) < 0).all() and (sh.equity >= 0).all()
        if rule == "proportional":  # (by power, the strong can gain from a losing venture)
            assert (sh.net < 0).all()
        assert ((sh.fairness >= 1 / ro.size - 1e-12) & (sh.fairness <= 1 + 1e-12)).all()
        fair[rule] = sh.fairness
    # Losses shared in proportion to what each brings are even: fairness 1; by power not.
    assert np.allclose(fair["proportional"], 1.0)
    assert fair["power"].mean() < fair["proportional"].mean()


def test_running_costs_bring_losses_and_exits():
    cheap = outcomes(SEEDS, steps=96, running_cost=0.0)
    dear = outcomes(SEEDS, steps=96, running_cost=0.3)
    greater(dear["mean_share_loss"], cheap["mean_share_loss"])
    greater(dear["ended_not_worth_it"], cheap["ended_not_worth_it"])


# (b) Exit costs and exit arrangements -----------------------------------------------------------
def _leaver(s, min_rest=2):
    """A membership row whose partnership has months to run and min_rest others."""
    t = s.table
    ro = t.roster()
    left = t.p_challenge_start + t.p_duration - s.month - 1
    for k, pid in enumerate(ro.active_pid.tolist()):
        if ro.size[k] == min_rest + 1 and left[pid] > 3:
            return int(t.active_rows(pid)[0]), pid, int(left[pid])
    pytest.fail("no partnership of that size with months to run")


@pytest.mark.parametrize("arranged", [False, True])
def test_an_early_exit_strands_costs_on_the_partners_left(busy, arranged):
    s, p, ro, w, streams = _month(busy, exit_arrangements=arranged)
    t = s.table
    row, pid, months = _leaver(s)
    before = t.p_stranded[pid]
    exit_costs(s, p, row)
    leave(s, row, EndCause.NOT_WORTH_IT)
    phi = p.exit_share if arranged else 0.0
    assert t.p_stranded[pid] - before == pytest.approx((1 - phi) * p.exit_cost * t.m_agreed[row])
    # Next month the partners left carry those costs: the same month with and without them.
    ro2 = t.roster()
    mine = ro2.pid == pid
    alone = _alone(s, ro2, t.m_effort[ro2.row])
    joint = ro2.per_part(alone) * 1.2
    carried = sharing(s, p, ro2, t.m_effort[ro2.row], joint, alone)
    t.p_stranded[pid] = before
    spared = sharing(s, p, ro2, t.m_effort[ro2.row], joint, alone)
    assert (carried.cost[mine] > spared.cost[mine]).all()
    assert (carried.net[mine] < spared.net[mine]).all()
    assert np.allclose(carried.net[~mine], spared.net[~mine])


def test_exit_arrangements_make_the_leaver_pay_its_agreed_share(busy):
    paid = {}
    for arranged in (False, True):
        for rest in (2, 1):  # the partnership goes on, or the exit ends it
            s, p, _, _, _ = _month(busy, exit_arrangements=arranged)
            s.counts = Counters()
            t, orgs = s.table, s.orgs
            row, pid, months = _leaver(s, min_rest=rest)
            leaver = int(t.m_o[row])
            others = t.members_of(pid)
            others = others[others != leaver]
            cap0 = orgs.capacity.copy()
            exit_costs(s, p, row)
            due = p.exit_cost * t.m_agreed[row] * months
            phi = p.exit_share if arranged else 0.0
            assert s.counts.exit_paid == pytest.approx(phi * due)
            assert s.counts.exit_stranded == pytest.approx((1 - phi) * due)
            assert cap0[leaver] - orgs.capacity[leaver] == pytest.approx(p.recovery * phi * due)
            if rest == 1:  # the one left carries its part at once, as a cut in resources
                lost = cap0[others] - orgs.capacity[others]
                assert lost == pytest.approx(p.recovery * (1 - phi) * due)
                assert t.p_stranded[pid] == 0.0
            paid[arranged, rest] = s.counts.exit_paid
    assert paid[False, 2] == paid[False, 1] == 0.0
    assert paid[True, 2] > 0 and paid[True, 1] > 0


def _review(m, setup, **params):
    s, p, ro, w, streams = _month(m, **params)
    setup(s, ro, w, p)
    s.counts = Counters()
    n0 = len(s.events)
    ReviewAndExit()(s, p, streams, ro, w)
    return sum(e["event"] == "left" for e in s.events[n0:])


def _short_of_the_bar(by):
    """Every member's net return just below the exit threshold; nobody pulled out by a cut."""

    def setup(s, ro, w, p):
        s.orgs.stress[:] = 0.0
        w.ret[:] = p.exit_threshold - by
        s.table.m_return[ro.row] = p.exit_threshold - by

    return setup


def test_members_weigh_what_leaving_would_cost_them(busy):
    rules = dict(review_interval=1, value_weight=0.0, exit_cost=0.5)
    free = _review(busy, _short_of_the_bar(0.05), exit_arrangements=False, **rules)
    bound = _review(busy, _short_of_the_bar(0.05), exit_arrangements=True, **rules)
    assert free > 10 and bound < free / 2
    # A shortfall larger than what leaving costs is worth the payment.
    deep = _review(busy, _short_of_the_bar(1.0), exit_arrangements=True, **rules)
    assert deep >= 0.9 * free


def _left(seed, **params):
    """Members who left over a run (after a short burn-in) judging it not worth it, and the
    run's totals."""
    m = CollabModel(seed=seed, burn_in=TEST_BURN_IN, **params)
    for _ in range(96):
        m.step()
    left = [e for e in m.events if e["event"] == "left" and e["cause"] == "not_worth_it"]
    return len(left), m.state.totals


def test_exit_arrangements_mean_fewer_exits_paid_for_by_the_leavers():
    off = [_left(s, exit_arrangements=False) for s in SEEDS]
    on = [_left(s, exit_arrangements=True) for s in SEEDS]
    greater([n for n, _ in off], [n for n, _ in on])
    # Leavers pay only under the arrangements; partners carry less of what exits strand.
    assert all(t.exit_paid == 0 for _, t in off) and all(t.exit_paid > 0 for _, t in on)
    greater([t.exit_stranded for _, t in off], [t.exit_stranded for _, t in on])


# (c) Outcome focus weighs a challenge's value to the community ----------------------------------
def test_outcome_focused_teams_take_on_valuable_challenges(busy):
    m = busy
    s = copy.deepcopy(m.state)
    f = Formation()
    month = _Search(is_free=np.ones(s.orgs.n, bool))
    yes = {}
    for focus in (0.0, 1.0):
        s.orgs.behaviour[:, Behaviour.OUTCOME_FOCUS] = focus
        for value in (0.6, 1.6):
            rng = np.random.default_rng(3)  # the same teams and challenges in every condition
            n = 0
            for _ in range(300):
                team = rng.choice(s.orgs.n, size=int(rng.integers(2, 4)), replace=False)
                ch = Challenge(req=rng.dirichlet(np.full(4, 0.7)), value=value, duration=36)
                n += f.worth_joining(s, m.p, month, team, ch)
            yes[focus, value] = n
    assert yes[0.0, 0.6] == yes[0.0, 1.6]  # an ego-driven team judges by its return alone
    assert yes[1.0, 1.6] > yes[0.0, 1.6] > yes[1.0, 0.6]


def test_outcome_focused_members_stay_for_valuable_challenges(busy):
    def valued(value, focus):
        def setup(s, ro, w, p):
            _short_of_the_bar(0.05)(s, ro, w, p)
            s.table.p_value[ro.active_pid] = value
            s.orgs.behaviour[:, Behaviour.OUTCOME_FOCUS] = focus

        return setup

    rules = dict(review_interval=1, exit_arrangements=False)
    ego = _review(busy, valued(1.5, 0.0), **rules)
    focused = _review(busy, valued(1.5, 1.0), **rules)
    focused_low = _review(busy, valued(0.5, 1.0), **rules)
    assert ego > 10 and focused < ego / 2 and focused_low >= ego


def test_valuable_challenges_draw_outcome_focused_partnerships():
    def mean_value(seed, weight):
        m = CollabModel(seed=seed, burn_in=TEST_BURN_IN, value_weight=weight)
        t = m.state.table
        first = t.n_p
        for _ in range(96):
            m.step()
        return float(t.p_value[first : t.n_p].mean())

    blind = [mean_value(s, 0.0) for s in SEEDS]
    weighed = [mean_value(s, 3.0) for s in SEEDS]
    greater(weighed, blind)


# (d) Values, red lines and isolation ------------------------------------------------------------
def test_red_lines_shut_no_sector_out():
    m = CollabModel(seed=0, n_orgs=4000, burn_in=0)
    s, sector = m.state, m.state.orgs.sector
    for i in range(len(SECTORS)):
        for j in range(len(SECTORS)):
            cands = np.flatnonzero(sector == j)
            leads = np.flatnonzero(sector == i)
            o, p = s.orgs, m.p
            ok = np.mean(
                [
                    kernels.acceptable_values(
                        o.values, o.red_line, p.red_lines, p.alignment_required,
                        p.alignable_distance, int(a), cands,
                    ).mean()
                    for a in leads
                ]
            )  # fmt: skip
            # At least half of the pairs between any two sectors are acceptable to both.
            assert ok >= 0.5, (SECTORS[i], SECTORS[j], ok)


def test_long_isolation_is_read_against_the_supply_of_challenges():
    few = outcomes(SEEDS, steps=96, challenge_rate=1.0)
    many = outcomes(SEEDS, steps=96, challenge_rate=3.0)
    # The read-out measures the supply: about challenge_rate x 12 / 100 a year each.
    assert stats.ttest_1samp(few["challenges_per_org_year"], 0.12).pvalue > 0.01
    assert stats.ttest_1samp(many["challenges_per_org_year"], 0.36).pvalue > 0.01
    greater(few["isolated_long_share"], many["isolated_long_share"])
    for sec in SECTORS:
        assert np.isfinite(many[f"isolated_long_{sec}"]).all()
