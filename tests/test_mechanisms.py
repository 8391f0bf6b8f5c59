"""Each mechanism moves things in the direction its rule says, against a same-seed control.

Unit-level tests feed the same model state to a mechanism twice, changing one input.
Run-level tests compare paired runs (same seeds) with a one-sided paired t-test.
"""

import numpy as np
import pytest
from conftest import outcomes, stepped
from scipy import stats

from simulation.mechanisms.formation import Challenge
from simulation.mechanisms.myths import contact_conditions
from simulation.mechanisms.review import ReviewAndExit
from simulation.mechanisms.trust import asymmetric_update
from simulation.model import CollabModel

SEEDS = range(8)


def greater(a, b, alpha=0.05):
    """One-sided paired test that a > b over the same seeds."""
    assert np.mean(a) > np.mean(b), (np.mean(a), np.mean(b))
    p = stats.ttest_rel(a, b, alternative="greater").pvalue
    assert p < alpha, p


@pytest.fixture(scope="module")
def busy():
    """A model two years in, with many partnerships at work."""
    m = stepped(24, seed=1)
    ro = m.table.roster()
    edges = m.relations.lookup(ro.o[ro.pair_a], ro.o[ro.pair_b])
    assert ro.n > 20
    return m, ro, edges


def work(m, ro, edges):
    return m.work_together(ro, edges)


# 1. Formation ------------------------------------------------------------------------------
def test_formation_stronger_myths_fewer_partnerships():
    low = outcomes(SEEDS, steps=60, myth_initial=0.1)
    high = outcomes(SEEDS, steps=60, myth_initial=0.9)
    greater(low["partnerships_formed"], high["partnerships_formed"])


def test_formation_reputation_through_network(busy):
    m, _, _ = busy
    lead = int(np.argmax(np.diff(m.tie_ptr)))  # the best-connected organisation
    ties = m.ties_of(lead)
    known = np.flatnonzero(np.diff(m.tie_ptr) > 0)
    stranger = next(j for j in range(m.n) if j != lead and j not in ties and
                    m.relations.lookup(np.array([lead]), np.array([j]))[0] < 0)
    e = m.relations.add(ties, np.full(ties.size, stranger), 0.5)
    saved = m.relations.trust[e].copy()
    m.relations.trust[e] = 0.05
    bad = m.perceived_trust(np.array([lead]), np.array([stranger]))[0]
    m.relations.trust[e] = 0.95
    good = m.perceived_trust(np.array([lead]), np.array([stranger]))[0]
    m.relations.trust[e] = saved
    assert good > bad and known.size


def test_formation_red_lines_keep_values_closer():
    def spread(red_lines):
        d = []
        for s in range(4):
            m = stepped(60, seed=s, red_lines=red_lines)
            t = m.table
            for pid in range(t.n_p):
                v = m.values[t.m_o[: t.n_m][t.m_p[: t.n_m] == pid]]
                d.append(v.max() - v.min())
        return np.mean(d)

    assert spread(True) < spread(False)


def test_formation_mandate_ignores_fit_and_never_goes_alone():
    vol = outcomes(range(4), steps=60)
    man = outcomes(range(4), steps=60, formation_mode="mandated")
    assert (man["went_alone"] == 0).all() and (vol["went_alone"] > 0).all()
    greater(man["partnerships_formed"], vol["partnerships_formed"])


def test_formation_broker_gets_partnerships_past_myths():
    # Where myths are strong, a commissioner's proposals get teams formed that would not
    # have formed by choice ("the trusts would have been competing", seed 003).
    vol = outcomes(SEEDS, steps=60, myth_initial=0.7)
    bro = outcomes(SEEDS, steps=60, myth_initial=0.7, formation_mode="brokered")
    greater(bro["partnerships_formed"], vol["partnerships_formed"])
    greater(vol["went_alone"], bro["went_alone"])


# 2. Contribution ---------------------------------------------------------------------------
def test_contribution_clear_accountability_less_free_riding(busy):
    m, ro, edges = busy
    trust_row = ro.per_row_mean_over_pairs(m.relations.trust[edges])
    saved = dict(m.p)
    m.p["clarity"] = 0.1
    vague = m.contribution.commitment(m, ro, trust_row)
    m.p["clarity"] = 0.9
    clear = m.contribution.commitment(m, ro, trust_row)
    m.p["freeride_temptation"] = 0.0
    no_temptation = m.contribution.commitment(m, ro, trust_row)
    m.p.update(saved)
    assert (clear >= vague).all() and clear.mean() > vague.mean()
    assert (no_temptation >= clear).all()


def test_contribution_trust_raises_and_stress_lowers_commitment(busy):
    m, ro, edges = busy
    lo = m.contribution.commitment(m, ro, np.full(ro.n, 0.2))
    hi = m.contribution.commitment(m, ro, np.full(ro.n, 0.8))
    assert (hi >= lo).all() and hi.mean() > lo.mean()
    saved = m.stress.copy()
    m.stress[:] = 0.6
    stressed = m.contribution.commitment(m, ro, np.full(ro.n, 0.8))
    m.stress[:] = saved
    assert stressed.mean() < hi.mean()


# 3. Communication --------------------------------------------------------------------------
def test_communication_more_jargon_less_understanding(busy):
    m, ro, edges = busy
    base = m.communication.understanding(m, ro, edges)
    saved = m.jargon.copy()
    m.jargon[:] = np.clip(m.jargon * 1.5, 0, 1)
    more = m.communication.understanding(m, ro, edges)
    m.jargon[:] = saved
    cross = m.sector[ro.o[ro.pair_a]] != m.sector[ro.o[ro.pair_b]]
    assert (more <= base + 1e-12).all() and more[cross].mean() < base[cross].mean()


def test_communication_shared_language_closes_the_gap(busy):
    m, ro, edges = busy
    saved = m.relations.language[edges].copy()
    m.relations.language[edges] = 0.0
    none = m.communication.understanding(m, ro, edges)
    m.relations.language[edges] = 0.8
    learned = m.communication.understanding(m, ro, edges)
    m.relations.language[edges] = saved
    assert (learned >= none).all() and learned.mean() > none.mean()


# 4. Synergy --------------------------------------------------------------------------------
def _two_teams():
    """Same challenge; one team complementary (public + community), one not (public + public)."""
    m = CollabModel(seed=2, n_orgs=40, challenge_rate=0)
    pub = np.flatnonzero(m.sector == 0)[:3]
    com = np.flatnonzero(m.sector == 3)[:1]
    ch = Challenge(req=np.array([0.5, 0, 0, 0.5]), value=1.0, duration=24)
    m.start_partnership(np.array([pub[0], com[0]]), ch, brokered=False, mandated=False)
    m.start_partnership(np.array([pub[1], pub[2]]), ch, brokered=False, mandated=False)
    m.month = 6  # past forming
    ro = m.table.roster()
    edges = m.relations.lookup(ro.o[ro.pair_a], ro.o[ro.pair_b])
    return m, ro, edges


def test_synergy_complementary_capabilities_give_advantage():
    m, ro, edges = _two_teams()
    w, _ = m.work_together(ro, edges)
    mixed, same = w.synergy  # partnership 0 is public + community
    assert mixed > same


def test_synergy_coordination_costs_cut_output(busy):
    m, ro, edges = busy
    saved = dict(m.p)
    state = (m.table.p_output.copy(), m.table.p_alone.copy())
    m.p["coordination_cost"] = 0.0
    cheap, _ = work(m, ro, edges)
    m.p["coordination_cost"] = 1.0
    dear, _ = work(m, ro, edges)
    m.p.update(saved)
    m.table.p_output[:], m.table.p_alone[:] = state[0][: m.table.p_output.size], state[1][: m.table.p_alone.size]
    assert (dear.joint <= cheap.joint).all() and dear.synergy.mean() < cheap.synergy.mean()


# 5. Benefit sharing ------------------------------------------------------------------------
def test_sharing_by_power_is_less_fair_than_proportional(busy):
    m, ro, edges = busy
    w, _ = work(m, ro, edges)
    saved = m.p["sharing_rule"]
    fair = {}
    for rule in ("proportional", "power"):
        m.p["sharing_rule"] = rule
        _, _, _, fairness = m.sharing(m, ro, w.effort, w.joint,
                                      w.effort * np.einsum("md,md->m", m.capability[ro.o],
                                                           m.table.p_req[ro.p]))
        fair[rule] = fairness.mean()
    m.p["sharing_rule"] = saved
    assert fair["power"] < fair["proportional"]


def test_sharing_ungenerous_members_grab_credit_and_do_harm(busy):
    m, ro, edges = busy
    w, _ = work(m, ro, edges)
    alone = w.effort * np.einsum("md,md->m", m.capability[ro.o], m.table.p_req[ro.p])
    saved = m.behaviour.copy()
    m.behaviour[:, m.SHARING] = 0.9
    _, _, harm_gen, _ = m.sharing(m, ro, w.effort, w.joint, alone)
    m.behaviour[ro.o[::2], m.SHARING] = 0.0
    _, _, harm_grab, _ = m.sharing(m, ro, w.effort, w.joint, alone)
    m.behaviour[:] = saved
    assert harm_grab.sum() > harm_gen.sum()


# 6. Trust ----------------------------------------------------------------------------------
def test_trust_lost_faster_than_built():
    t = np.full(5, 0.5)
    d = np.array([0.05, 0.1, 0.2, 0.3, 0.5])
    up = asymmetric_update(t, d, gain=0.08, loss=0.2) - t
    down = t - asymmetric_update(t, -d, gain=0.08, loss=0.2)
    assert (down > up).all()


def test_trust_harm_and_myths_lower_the_signal(busy):
    m, ro, edges = busy
    w, delta = work(m, ro, edges)
    harm = np.zeros(ro.n)
    kw = dict(commitment=w.commitment, ret=w.ret, synergy=w.synergy)
    state = m.rng_noise.bit_generator.state
    clean = m.trust.signal(m, ro, harm=harm, **kw)
    m.rng_noise.bit_generator.state = state
    harmed = m.trust.signal(m, ro, harm=harm + 0.1, **kw)
    m.rng_noise.bit_generator.state = state
    saved = m.myth.copy()
    m.myth[:] = 1.0
    mythical = m.trust.signal(m, ro, harm=harm, **kw)
    m.myth[:] = saved
    cross = m.sector[ro.o[ro.pair_a]] != m.sector[ro.o[ro.pair_b]]
    assert (harmed < clean).all()
    assert (mythical[cross] < clean[cross]).all()


def test_trust_reads_every_partnership_a_pair_shares():
    # Two organisations in two partnerships together get both partnerships' signals (they
    # add up), not only the last one listed; familiarity counts one month of joint work.
    m = CollabModel(seed=1, n_orgs=12)
    edges = m.relations.add(np.array([0, 1, 0]), np.array([1, 0, 2]), np.full(3, 0.5))
    m.relations.trust[edges] = 0.5
    m.relations.familiarity[edges] = 0.0
    shared = np.array([edges[0], edges[1], edges[2], edges[0]])  # pair (0, 1) listed twice
    m.trust(m, shared, np.array([-0.1, 0.2, 0.2, 0.3]))
    gain, loss = m.p["trust_gain"], m.p["trust_loss"]
    summed = asymmetric_update(np.array([0.5]), np.array([0.2]), gain, loss)[0]
    last_only = asymmetric_update(np.array([0.5]), np.array([0.3]), gain, loss)[0]
    assert m.relations.trust[edges[0]] == pytest.approx(summed, abs=1e-15)
    assert summed < last_only
    assert m.relations.familiarity[edges].tolist() == [1.0, 1.0, 1.0]


def test_trust_faster_loss_lowers_cross_sector_trust():
    slow = outcomes(SEEDS, steps=80, trust_loss=0.1)
    fast = outcomes(SEEDS, steps=80, trust_loss=0.4)
    greater(slow["cross_trust"], fast["cross_trust"])


# 7. Myths ----------------------------------------------------------------------------------
def _myth_change(m, ro, delta, **rules):
    saved_p, saved_m = dict(m.p), m.myth.copy()
    m.p.update(rules)
    m.myths(m, ro, delta)
    change = m.myth - saved_m
    m.myth[:] = saved_m
    m.p.update(saved_p)
    return change


def test_myths_fall_with_good_contact_and_more_under_contact_conditions(busy):
    m, ro, _ = busy
    good = np.full(ro.pair_a.size, 0.2)
    plain = _myth_change(m, ro, good, equal_status=False, clarity=0.1, review_interval=0)
    ideal = _myth_change(m, ro, good, equal_status=True, clarity=0.9, review_interval=6)
    assert plain.sum() < 0 and (plain <= 1e-12).all()
    assert ideal.sum() < plain.sum()
    assert contact_conditions(m, ro.pids).max() <= 4


def test_myths_bad_contact_raises_them_more_than_good_contact_lowers_them(busy):
    m, ro, _ = busy
    up = _myth_change(m, ro, np.full(ro.pair_a.size, -0.2))
    down = _myth_change(m, ro, np.full(ro.pair_a.size, 0.2))
    assert up.sum() > -down.sum() > 0


def test_myths_fall_over_a_run_with_cross_sector_work():
    r = outcomes(SEEDS, steps=120, governance="six_principles")
    assert (r["myth_change"] < 0).mean() >= 0.75
    assert stats.ttest_1samp(r["myth_change"], 0, alternative="less").pvalue < 0.05


# 8. Review and exit ------------------------------------------------------------------------
def test_exit_arrangements_mean_less_trust_lost_on_exit(busy):
    m, ro, _ = busy
    row = int(ro.rows[0])
    trust0, myth0 = m.relations.trust.copy(), m.myth.copy()
    lost = {}
    for arranged in (False, True):
        m.p["exit_arrangements"] = arranged
        ReviewAndExit.exit_damage(m, row)
        lost[arranged] = trust0.sum() - m.relations.trust.sum()
        m.relations.trust[:], m.myth[:] = trust0, myth0
    m.p["exit_arrangements"] = False
    assert lost[False] > lost[True] > 0


def test_reviews_with_sanctions_call_slackers_to_account():
    calm = dict(shock_rate=0, turbulence_rate=0)
    off = outcomes(SEEDS, steps=80, review_interval=6, sanctions=False, **calm)
    on = outcomes(SEEDS, steps=80, review_interval=6, sanctions=True, **calm)
    greater(on["success_share"], off["success_share"])


# 9. Shocks and turbulence ------------------------------------------------------------------
def test_shocks_cut_resources_and_end_partnerships():
    calm = outcomes(SEEDS, steps=80, shock_rate=0.0, turbulence_rate=0.0)
    rough = outcomes(SEEDS, steps=80, shock_rate=0.15, shock_size=0.5, turbulence_rate=0.1)
    greater(rough["ended_funding_cut"], calm["ended_funding_cut"])
    greater(calm["total_value"], rough["total_value"])


def test_governance_holds_members_under_stress(busy):
    m, ro, _ = busy
    saved_p, saved_s = dict(m.p), m.stress.copy()
    m.stress[:] = 0.6
    trust_row = np.full(ro.n, 0.6)
    m.p.update(clarity=0.1, sanctions=False, review_interval=0)
    loose = m.contribution.commitment(m, ro, trust_row)
    m.p.update(clarity=0.9, sanctions=True, review_interval=6)
    held = m.contribution.commitment(m, ro, trust_row)
    m.p.update(saved_p)
    m.stress[:] = saved_s
    assert held.mean() > loose.mean()


# 10. Learning ------------------------------------------------------------------------------
def test_learning_skill_and_shared_language_grow_with_practice(busy):
    m, ro, edges = busy
    w, _ = work(m, ro, edges)
    skill0, lang0, beh0 = m.skill.copy(), m.relations.language.copy(), m.behaviour.copy()
    m.learning(m, ro, edges, w)
    members = np.unique(ro.o)
    outsiders = np.setdiff1d(np.arange(m.n), members)
    assert (m.skill[members] > skill0[members]).all()
    assert (m.skill[outsiders] == skill0[outsiders]).all()
    assert (m.relations.language[edges] > lang0[edges]).all()
    m.skill[:], m.relations.language[:], m.behaviour[:] = skill0, lang0, beh0


def test_learning_investment_in_trust_speeds_shared_language():
    def lang(inv):
        m = stepped(48, seed=3, trust_investment=inv)
        fam = m.relations.familiarity > 0
        return m.relations.language[fam].mean()

    assert lang(0.9) > lang(0.0)
