"""The mechanisms that give the model a steady state: founding and closing, staff turnover
and forgetting, behaviours that follow their own evidence, ties that form and fade; and the
steady state itself, tested against a closed population that has none."""

import copy
from dataclasses import replace

import numpy as np
import pytest
from conftest import stepped
from scipy import stats

from simulation.codes import Behaviour, Sector
from simulation.mechanisms.learning import Learning, evidence
from simulation.mechanisms.turnover import Demography, StaffTurnover, monthly
from simulation.mechanisms.work import work_together
from simulation.model import CollabModel
from simulation.sectors import CLOSURE_RATE
from simulation.validation.patterns import TREND_SERIES


@pytest.fixture(scope="module")
def busy():
    m = stepped(6, seed=4)
    ro = m.state.table.roster()
    edges = m.state.relations.lookup(ro.pair_org_a, ro.pair_org_b)
    assert ro.n > 20
    return m, ro, edges


def _learn(m, ro, edges, w, delta):
    """Run Learning on copies of what it changes; return behaviours and ties after it."""
    s = m.state
    saved = (
        s.orgs.behaviour.copy(),
        s.orgs.aspiration.copy(),
        s.orgs.skill.copy(),
        s.relations.language.copy(),
        s.relations.tie.copy(),
        s.ties.table.copy(),
    )
    Learning()(s, m.p, ro, edges, w, delta)
    after = s.orgs.behaviour.copy(), s.relations.tie.copy(), s.ties.table.copy()
    (
        s.orgs.behaviour[:],
        s.orgs.aspiration[:],
        s.orgs.skill[:],
        s.relations.language[:],
        s.relations.tie[:],
    ) = saved[:5]
    s.ties.table = saved[5]
    return after


# 10. Learning: each behaviour from its own evidence ------------------------------------------
def test_each_behaviour_follows_its_own_evidence(busy):
    m, ro, edges = busy
    s = m.state
    w, delta, _ = work_together(s, m.p, m.streams, ro, edges)
    received = np.bincount(ro.pair_entry_b, weights=delta, minlength=ro.n)
    received /= np.maximum(ro.n_other, 1)
    x, has = evidence(s, ro, w, received)
    saved = s.orgs.aspiration.copy()
    s.orgs.aspiration[:] = np.where(has[:, None], x, np.nan)  # hopes met exactly
    before = s.orgs.behaviour.copy()
    same, _, _ = _learn(m, ro, edges, w, delta)
    better = replace(w, understanding_part=np.minimum(w.understanding_part + 0.2, 1.0))
    worse = replace(w, understanding_part=np.maximum(w.understanding_part - 0.2, 0.0))
    up, _, _ = _learn(m, ro, edges, better, delta)
    down, _, _ = _learn(m, ro, edges, worse, delta)
    boosted = replace(w, synergy=w.synergy + 0.3)
    lead, _, _ = _learn(m, ro, edges, boosted, delta)
    s.orgs.aspiration[:] = saved
    working = np.flatnonzero(has)
    # No surprise, no change: nothing drifts without evidence.
    assert np.allclose(same, before)
    # Better understanding than hoped for raises communication, worse lowers it, and no
    # other behaviour moves.
    k = Behaviour.COMMUNICATION
    others = [b for b in Behaviour if b != k]
    assert (up[working, k] > before[working, k]).mean() > 0.9
    assert (down[working, k] < before[working, k]).mean() > 0.9
    assert np.allclose(up[:, others], before[:, others])
    assert np.allclose(down[:, others], before[:, others])
    # Leadership follows synergy in the same way.
    k = Behaviour.LEADERSHIP
    assert (lead[working, k] > before[working, k]).mean() > 0.9


def test_trusted_partners_become_networking_ties(busy):
    m, ro, edges = busy
    w, delta, _ = work_together(m.state, m.p, m.streams, ro, edges)
    rel = m.state.relations
    untied = np.flatnonzero(~rel.tie[edges])
    k = int(untied[0])
    a, b = int(ro.pair_org_a[k]), int(ro.pair_org_b[k])
    both = rel.lookup(np.array([a, b]), np.array([b, a]))
    saved = rel.trust[both].copy(), rel.familiarity[both].copy()
    rel.familiarity[both] = m.p.tie_months
    rel.trust[both] = m.p.tie_trust - 0.05
    _, tie_low, table_low = _learn(m, ro, edges, w, delta)
    rel.trust[both] = m.p.tie_trust + 0.05
    _, tie_high, table_high = _learn(m, ro, edges, w, delta)
    rel.trust[both], rel.familiarity[both] = saved
    assert not tie_low[both].any() and tie_high[both].all()
    assert b in table_high[a] and a in table_high[b] and b not in table_low[a]


# 11. Founding and closing --------------------------------------------------------------------
def test_closed_organisations_leave_and_are_replaced():
    m = stepped(24, seed=2, closure_scale=10.0)
    s = m.state
    # The Mesa agents follow the model's own closures: one agent per organisation, named.
    assert s.n_founded.sum() > m.n and len(m.agents) == m.n
    assert [a.name for a in sorted(m.agents, key=lambda a: a.index)] == s.orgs.name
    before = list(s.orgs.name)
    members_before = s.orgs.n_memberships.copy()
    left_before = s.counts.left
    slots = Demography()(s, m.p, m.streams)
    assert slots.size > 0 and (members_before[slots] > 0).any()
    assert (s.orgs.n_memberships[slots] == 0).all()
    assert all(s.orgs.name[i] != before[i] for i in slots)
    assert (s.orgs.founded[slots] == s.month).all()
    # Whatever relationships the newcomers have are their new networking ties.
    rel = s.relations
    theirs = np.isin(rel.src, slots) | np.isin(rel.dst, slots)
    assert rel.tie[theirs].all() and (rel.familiarity[theirs] == 0).all()
    t = s.table
    active = t.m_active[: t.n_m]
    assert not np.isin(t.m_o[: t.n_m][active], slots).any()
    assert s.counts.left > left_before


def test_closure_rates_follow_the_sectors():
    m = CollabModel(seed=3, n_orgs=3000, burn_in=0, challenge_rate=0)
    s, years = m.state, 10
    closed = np.zeros(len(Sector))
    for month in range(12 * years):
        s.month = month
        slots = Demography()(s, m.p, m.streams)
        closed += np.bincount(s.orgs.sector[slots], minlength=len(Sector))
    at_risk = np.bincount(s.orgs.sector, minlength=len(Sector)) * 12 * years
    for k in range(len(Sector)):
        test = stats.binomtest(int(closed[k]), int(at_risk[k]), monthly(CLOSURE_RATE[k]))
        assert test.pvalue > 0.001, (Sector(k).label, closed[k], at_risk[k])
    assert closed[Sector.PRIVATE] / at_risk[Sector.PRIVATE] > closed[0] / at_risk[0]


# 12. Staff turnover ------------------------------------------------------------------------
def _turnover(m, **params):
    """StaffTurnover on a copy of the state (same random draws each time); returns the copy's
    skill, and the language, trust and familiarity of the original's relationships after it
    (a forgotten relationship counts as nothing left), and the original state."""
    s = copy.deepcopy(m.state)
    StaffTurnover()(s, replace(m.p, **params), copy.deepcopy(m.streams))
    r0, rel = m.state.relations, s.relations
    e = rel.lookup(r0.src, r0.dst)
    kept = e >= 0

    def after(values, forgotten):
        return np.where(kept, values.take(np.maximum(e, 0)), forgotten)

    out = (
        s.orgs.skill,
        after(rel.language, 0.0),
        after(rel.trust, np.nan),
        after(rel.familiarity, 0.0),
    )
    o = m.state.orgs
    return out, (o.skill, o.behaviour, o.myth, r0.trust, r0.language, r0.familiarity)


def test_turnover_erodes_skill_language_and_trust(busy):
    m, _, _ = busy
    (skill, lang, trust, fam), saved = _turnover(m, staff_turnover_scale=1.0)
    (skill0, lang0, trust0, fam0), _ = _turnover(m, staff_turnover_scale=0.0)
    above = saved[0] > m.p.skill_newcomer
    assert (skill[above] < saved[0][above]).all() and np.allclose(skill0, saved[0])
    worked = saved[4] > 0
    assert (lang[worked] < saved[4][worked]).all() and np.allclose(lang0, saved[4])
    assert (fam[saved[5] > 0] < saved[5][saved[5] > 0]).all()
    # Trust moves towards the first impression the holder's myths give.
    moved = trust - saved[3]
    assert np.nansum(np.abs(moved)) > 0 and np.allclose(trust0, saved[3])


def test_empowerment_keeps_what_turnover_would_erase(busy):
    m, _, _ = busy
    s = m.state
    saved = s.orgs.behaviour.copy()
    s.orgs.behaviour[:, Behaviour.EMPOWERMENT] = 0.0
    (_, lang_low, _, _), base = _turnover(m)
    s.orgs.behaviour[:, Behaviour.EMPOWERMENT] = 1.0
    (_, lang_high, _, _), _ = _turnover(m)
    s.orgs.behaviour[:] = saved
    worked = base[4] > 0
    kept_low, kept_high = lang_low[worked], lang_high[worked]
    assert (kept_high >= kept_low).all() and kept_high.sum() > kept_low.sum()


# The steady state ---------------------------------------------------------------------------
SERIES = ("mean_myth", "cross_trust", "mean_skill", "mean_leadership", "mean_synergy")
#: Each series' margin, as ``collabsim validate`` has it (behaviours: its mean_behaviour's).
MARGIN = {k: TREND_SERIES.get(k, TREND_SERIES["mean_behaviour"]) for k in SERIES}


def _slopes(months, seeds, **params):
    """Per seed and series, the least-squares trend per month over the record."""
    out = []
    for seed in seeds:
        m = CollabModel(seed=seed, **params)
        rows = []
        for _ in range(months):
            m.step()
            rows.append([m.readout[k] for k in SERIES])
        y = np.array(rows)
        x = np.arange(months)
        out.append([stats.linregress(x, y[:, j]).slope for j in range(len(SERIES))])
    return np.array(out)


@pytest.mark.slow
def test_after_burn_in_the_headline_series_have_no_trend():
    """Equivalence: the 95% CI of each series' change over 360 months lies within its margin
    (those of ``collabsim validate``); the same test finds the trend of a closed population
    without forgetting, started from month 0 (the model before it had a steady state)."""
    months, seeds = 360, range(12)
    steady = _slopes(months, seeds) * months
    closed = _slopes(months, seeds, burn_in=0, staff_turnover_scale=0.0, closure_scale=0.0)
    closed *= months
    for j, name in enumerate(SERIES):
        lo, hi = stats.t.interval(
            0.95, len(seeds) - 1, steady[:, j].mean(), stats.sem(steady[:, j])
        )
        assert -MARGIN[name] < lo and hi < MARGIN[name], (name, lo, hi)
    skill = SERIES.index("mean_skill")
    assert stats.ttest_1samp(closed[:, skill], 0).pvalue < 0.01
    assert closed[:, skill].mean() > MARGIN["mean_skill"]


def test_burn_in_is_the_same_run_with_its_first_months_unrecorded():
    # Nothing depends on where the record starts: a model built with a burn-in of B months
    # is, month for month, the model built without one and stepped B months.
    plain = CollabModel(seed=3, burn_in=0)
    for _ in range(60):
        plain.step()
    warmed = CollabModel(seed=3, burn_in=60)
    assert warmed.month == 0 and warmed.state.events == [] and warmed.state.totals.formed == 0
    for _ in range(30):
        plain.step()
        warmed.step()
    assert np.array_equal(plain.state.orgs.myth, warmed.state.orgs.myth)
    assert np.array_equal(plain.state.relations.trust, warmed.state.relations.trust)
    assert plain.readout["active"] == warmed.readout["active"]
    assert len(warmed.datacollector.model_vars["month"]) == 31
