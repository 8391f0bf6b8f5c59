"""Source 000's three kinds of tie, the decay of ties made by collaboration (Burt 2000) and
source 003's commissioner, each against a same-seed control.

Unit-level tests run a mechanism on deep copies of one model state, changing one thing, so
the random draws are the same; run-level tests compare paired runs (same seeds) with a
one-sided paired t-test.
"""

import copy
from dataclasses import replace

import numpy as np
import pytest
from conftest import REPLICATES, greater, outcomes, stepped
from scipy import stats

from simulation.codes import EndCause
from simulation.lifecycle import end_partnership, leave, renew
from simulation.mechanisms.formation import (
    Challenge,
    Formation,
    _Search,
    commissioner,
    coverage,
    free_mask,
)
from simulation.mechanisms.networks import (
    NetworkSharing,
    StakeholderManagement,
    TieDecay,
    link_pairs,
    live_links,
    tie_pairs,
    working_together,
)
from simulation.mechanisms.trust import perceived_trust
from simulation.mechanisms.work import work_together
from simulation.population import found

SEEDS = range(REPLICATES)


@pytest.fixture(scope="module")
def busy():
    """A model two years in, with many partnerships at work (and their stakeholders)."""
    m = stepped(24, seed=1)
    assert m.state.table.roster().n > 20 and m.state.stakeholders.size > 20
    return m


def _copy(m):
    s, streams = copy.deepcopy(m.state), copy.deepcopy(m.streams)
    ro = s.table.roster()
    return s, streams, ro, s.relations.lookup(ro.pair_org_a, ro.pair_org_b)


# Trusted partners share networks ---------------------------------------------------------------
def _sharing_pair(s, ro, tied=True):
    """A pair of fellow members (a, b), networking ties or not: b has ties a is not tied to,
    and a knows none of them."""
    rel = s.relations
    for a, b in zip(ro.pair_org_a.tolist(), ro.pair_org_b.tolist(), strict=True):
        open_ = np.setdiff1d(s.ties.of(b), np.append(s.ties.of(a), a))
        known = rel.lookup(np.full(open_.size, a), open_) >= 0
        if open_.size >= 2 and not known.any() and (b in s.ties.of(a)) == tied:
            return a, b
    raise AssertionError("no suitable pair")


def _share(m, a, b, trust_ab, trust_ba, contact_trust=None):
    """NetworkSharing at rate 1 on a copy in which only the pair (a, b) may be trusted."""
    s, streams, ro, edges = _copy(m)
    rel = s.relations
    if contact_trust is not None:
        theirs = s.ties.of(b)
        rel.trust[rel.lookup(np.full(theirs.size, b), theirs)] = contact_trust
    rel.trust[edges] = 0.0  # nobody else shares this month
    rel.trust[rel.lookup(np.array([a, b]), np.array([b, a]))] = [trust_ab, trust_ba]
    before = s.ties.table.copy()
    s.counts.ties_introduced = 0
    NetworkSharing()(s, replace(m.p, network_sharing=1.0), streams, ro, edges)
    return s, before


def test_trusted_partners_introduce_each_other_to_their_ties(busy):
    m = busy
    s0 = m.state
    a, b = _sharing_pair(s0, s0.table.roster())
    hi, lo = m.p.network_sharing_trust + 0.05, m.p.network_sharing_trust - 0.05
    trusted, _ = _share(m, a, b, hi, hi)
    one_way, before = _share(m, a, b, hi, lo)
    # Trust one way only: nobody is introduced to anybody.
    assert np.array_equal(one_way.ties.table, before) and one_way.counts.ties_introduced == 0
    new = np.setdiff1d(trusted.ties.of(a), s0.ties.of(a))
    assert new.size == 1 and new[0] in s0.ties.of(b)  # one of b's contacts
    c = int(new[0])
    assert a in trusted.ties.of(c)  # a tie both ways, and a networking tie both ways
    e = trusted.relations.lookup(np.array([a, c]), np.array([c, a]))
    assert (e >= 0).all() and trusted.relations.tie[e].all()
    assert trusted.counts.ties_introduced >= 1
    # The contact's own ties are now within a's reach when a looks for partners.
    month = _Search(is_free=np.ones(s0.orgs.n, dtype=bool))
    pool = Formation().search_pool(
        trusted, m.p, copy.deepcopy(m.streams), month, a, np.arange(s0.orgs.n)
    )
    assert set(trusted.ties.of(c).tolist()) - {a} <= set(pool.tolist())


def test_introductions_start_from_the_introducers_view(busy):
    m = busy
    s0 = m.state
    # Not networking ties themselves: what a's network says of the contact is the same in
    # both copies, and only the introducer's vouching differs.
    a, b = _sharing_pair(s0, s0.table.roster(), tied=False)
    hi = m.p.network_sharing_trust + 0.05
    good, _ = _share(m, a, b, hi, hi, contact_trust=0.95)
    bad, _ = _share(m, a, b, hi, hi, contact_trust=0.05)
    c = np.setdiff1d(good.ties.of(a), s0.ties.of(a))
    assert c.size == 1 and np.array_equal(c, np.setdiff1d(bad.ties.of(a), s0.ties.of(a)))
    view = [x.relations.trust[x.relations.lookup(np.array([a]), c)][0] for x in (good, bad)]
    assert view[0] - view[1] == pytest.approx(m.p.reputation_weight * (0.95 - 0.05))


def _reach(m):
    """Mean number of organisations within two networking steps of an organisation."""
    n = m.state.orgs.n
    table = m.state.ties.table
    adj = np.zeros((n, n), dtype=bool)
    rows = np.repeat(np.arange(n), table.shape[1])
    cols = table.ravel()
    adj[rows[cols >= 0], cols[cols >= 0]] = True
    two = adj | ((adj.astype(int) @ adj.astype(int)) > 0)
    np.fill_diagonal(two, False)
    return two.sum(axis=1).mean()


def test_network_sharing_widens_networks_and_reach():
    ties, reach = {}, {}
    for rate in (0.0, 0.1):
        models = [stepped(60, seed=s, network_sharing=rate) for s in SEEDS]
        ties[rate] = [m.readout["ties_per_org"] for m in models]
        reach[rate] = [_reach(m) for m in models]
        introduced = [m.state.totals.ties_introduced for m in models]
        assert (np.array(introduced) > 0).all() == (rate > 0)
    greater(ties[0.1], ties[0.0])
    greater(reach[0.1], reach[0.0])


# Tie decay ---------------------------------------------------------------------------------------
def _decay(m, earned_all=True, **change):
    """TieDecay on a copy of ``m``'s state (every tie counted as made by collaboration, if
    ``earned_all``), with ``change`` to the parameters; returns the copy and its roster."""
    s, streams, ro, _ = _copy(m)
    if earned_all:
        s.relations.earned[s.relations.tie] = True
    TieDecay()(s, replace(m.p, **change), streams, ro)
    return s, ro


def _tied(s):
    a, b = tie_pairs(s)
    return set(zip(a.tolist(), b.tolist(), strict=True))


def test_ties_decay_unless_the_pair_work_together(busy):
    m = busy
    s0 = m.state
    before = _tied(s0)
    a, b = tie_pairs(s0)
    working = working_together(s0.table.roster(), s0.orgs.n, a, b)
    assert working.sum() >= 5 and (~working).sum() > 100
    # Control: no decay, nothing changes.
    control, _ = _decay(m, tie_decay=0.0)
    assert _tied(control) == before
    # Certain decay: every tie whose pair are not at work together goes, and only those.
    s, _ = _decay(m, tie_decay=1.0, tie_decay_slowing=0.0)
    kept = _tied(s)
    assert kept == {(int(x), int(y)) for x, y, w in zip(a, b, working, strict=True) if w}
    # The counters hold the month so far (the fixture's last month included).
    assert s.counts.ties_decayed - s0.counts.ties_decayed == (~working).sum()
    rel = s.relations
    gone = rel.lookup(a[~working], b[~working])
    assert not rel.tie[gone].any() and not rel.earned[gone].any()
    # The relationship stays as it was: the two still know each other.
    assert np.array_equal(rel.trust, s0.relations.trust)
    assert np.array_equal(rel.familiarity, s0.relations.familiarity)
    # Ties the organisations brought of their own are not subject to it.
    s_own, _ = _decay(m, earned_all=False, tie_decay=1.0, tie_decay_slowing=0.0)
    own = ~s0.relations.earned[s0.relations.lookup(a, b)]
    assert own.sum() > 10
    kept_own = _tied(s_own)
    assert {(int(x), int(y)) for x, y, o in zip(a, b, own, strict=True) if o} <= kept_own


def test_decay_slows_with_the_joint_work_remembered(busy):
    m = busy
    s0 = m.state
    a, b = tie_pairs(s0)
    working = working_together(s0.table.roster(), s0.orgs.n, a, b)
    # The same draws with and without the slowing: with it, a tie is lost only where it is
    # lost without it; ties whose pair remember no joint work fare the same in both.
    flat, _ = _decay(m, tie_decay=0.5, tie_decay_slowing=0.0)
    slow, _ = _decay(m, tie_decay=0.5, tie_decay_slowing=1 / 12)
    kept_flat, kept_slow = _tied(flat), _tied(slow)
    assert kept_flat <= kept_slow
    rel = s0.relations
    fam = (rel.familiarity[rel.lookup(a, b)] + rel.familiarity[rel.lookup(b, a)]) / 2
    pairs = [(int(x), int(y)) for x, y in zip(a, b, strict=True)]
    unfamiliar = [pr for pr, f, w in zip(pairs, fam, working, strict=True) if f == 0 and not w]
    assert len(unfamiliar) > 10
    for pr in unfamiliar:
        assert (pr in kept_flat) == (pr in kept_slow)
    # Only pairs with joint work remembered are spared, and some are.
    familiar = {pr for pr, f in zip(pairs, fam, strict=True) if f > 0}
    spared = kept_slow - kept_flat
    assert spared and spared <= familiar
    assert slow.counts.ties_decayed < flat.counts.ties_decayed


def _earned_ties_per_org(m):
    rel = m.state.relations
    return (rel.tie & rel.earned).sum() / 2 / m.state.orgs.n


def test_tie_decay_keeps_ties_made_by_collaboration_from_piling_up():
    # Paired seeds, decay on and off from the start of the burn-in.
    off = [stepped(24, seed=s, tie_decay=0.0) for s in SEEDS]
    on = [stepped(24, seed=s) for s in SEEDS]
    assert all(m.state.totals.ties_decayed == 0 for m in off)
    # (At the default few ties are made by collaboration, so a run may see no decay in two
    # years; most do.)
    assert sum(m.state.totals.ties_decayed > 0 for m in on) > len(on) / 2
    greater([_earned_ties_per_org(m) for m in off], [_earned_ties_per_org(m) for m in on])


# Stakeholder management -----------------------------------------------------------------------
def test_stakeholders_are_outsiders_the_challenge_touches(busy):
    s = busy.state
    t, links = s.table, s.stakeholders
    live = live_links(s)  # those of partnerships that ended this month go next month
    assert live.mean() > 0.8
    pid_live, org_live = links.pid[live], links.org[live]
    per_pid = np.bincount(pid_live, minlength=t.n_p)[t.active_partnerships()]
    assert per_pid.max() <= busy.p.stakeholders and (per_pid == busy.p.stakeholders).mean() > 0.9
    surplus = []
    for pid, org in zip(pid_live.tolist(), org_live.tolist(), strict=True):
        members = t.members_of(pid)
        assert org not in members  # a stakeholder is not a member
        fit = s.orgs.capability @ t.p_req[pid]
        outside = np.setdiff1d(np.arange(s.orgs.n), members)
        surplus.append(fit[org] - fit[outside].mean())
    # Organisations whose work the challenge touches are the likelier stakeholders.
    assert stats.wilcoxon(surplus, alternative="greater").pvalue < 0.001


def test_stakeholder_links_end_with_the_task(busy):
    m = busy
    s, streams, ro, _ = _copy(m)
    links = s.stakeholders
    pids = np.unique(links.pid)
    ended, renewed = int(pids[0]), int(pids[1])
    end_partnership(s, ended, EndCause.COMPLETED)
    t = s.table
    challenges = int(t.p_challenges[renewed])
    renew(s, renewed, t.p_req[renewed], 1.0, 24, 10.0)
    closing = int(links.org[~np.isin(links.pid, [ended, renewed])][0])
    old = links.founded[links.org == closing][0]
    for row in np.flatnonzero(t.m_active[: t.n_m] & (t.m_o[: t.n_m] == closing)).tolist():
        leave(s, row, EndCause.MEMBER_CLOSED)
    s.month += 1
    found(s, m.p, streams.demog, np.array([closing]))
    StakeholderManagement()(s, m.p, streams, s.table.roster(), _work(s, m.p, streams))
    assert ended not in links.pid  # the partnership ended: so did its links
    # The organisation closed: so did its links (a newcomer in its place may get its own).
    assert not ((links.org == closing) & (links.founded == old)).any()
    # A new challenge: new links, made for it.
    mine = links.pid == renewed
    assert mine.sum() == m.p.stakeholders and (links.challenge[mine] == challenges + 1).all()
    # With stakeholder management off, a partnership without links gets none.
    off = replace(m.p, stakeholders=0)
    s2, streams2, ro2, _ = _copy(m)
    s2.stakeholders.keep(s2.stakeholders.pid != renewed)
    StakeholderManagement()(s2, off, streams2, ro2, _work(s2, off, streams2))
    assert renewed not in s2.stakeholders.pid


def _work(s, p, streams):
    ro = s.table.roster()
    edges = s.relations.lookup(ro.pair_org_a, ro.pair_org_b)
    return work_together(s, p, streams, ro, edges)[0]


def _inform(m, synergy):
    s, streams, ro, _ = _copy(m)
    work = replace(_work(s, m.p, streams), synergy=np.full(ro.active_pid.size, synergy))
    StakeholderManagement().inform(s, m.p, ro, work)
    return s


def test_stakeholders_trust_members_by_the_results_they_see(busy):
    m = busy
    s0 = m.state
    rel0 = s0.relations
    c, mem, _ = link_pairs(s0, s0.table.roster())
    e0 = rel0.lookup(c, mem)
    known = e0 >= 0
    good, bad = _inform(m, 1.4), _inform(m, 0.6)
    rel_g, rel_b = good.relations, bad.relations
    eg, eb = rel_g.lookup(c, mem), rel_b.lookup(c, mem)
    assert (eg >= 0).all() and (eb >= 0).all()  # every stakeholder now knows every member
    # Results better than going alone raise the stakeholder's trust in the members; worse
    # lower it (relationships it had already: from where they were).
    assert (rel_g.trust[eg] > rel_b.trust[eb]).all()
    before = rel0.trust[e0[known]]
    assert (rel_g.trust[eg[known]] > before).all() and (rel_b.trust[eb[known]] < before).all()
    # A month as stakeholder counts for stakeholder_weight of a month of joint work, once a
    # month however many partnerships link the two.
    gain = rel_g.familiarity[eg[known]] - rel0.familiarity[e0[known]]
    assert np.allclose(gain, m.p.stakeholder_weight)
    assert np.allclose(rel_g.familiarity[eg[~known]], m.p.stakeholder_weight)
    # It is not a networking tie: no tie is made, no tie flag set.
    assert np.array_equal(good.ties.table, s0.ties.table)
    tie_before = np.where(known, rel0.tie[np.maximum(e0, 0)], False)
    assert np.array_equal(rel_g.tie[eg], tie_before)
    # What stakeholders saw is what their own networks hear when they ask (reputation).
    heard = [
        (tie, int(mem[k]))
        for k in range(c.size)
        for tie in s0.ties.of(c[k]).tolist()
        if tie != mem[k] and rel_g.lookup(np.array([tie]), mem[k : k + 1])[0] < 0
    ]
    a, b = np.array(heard).T
    assert (perceived_trust(good, m.p, a, b) > perceived_trust(bad, m.p, a, b)).all()


def test_stakeholder_management_makes_more_organisations_known():
    off = outcomes(SEEDS, steps=60, stakeholders=0)
    on = outcomes(SEEDS, steps=60)
    assert (off["stakeholder_links"] == 0).all() and (on["stakeholder_links"] > 0).all()
    greater(on["relationships_per_org"], off["relationships_per_org"])


# The commissioner ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def brokered():
    m = stepped(24, seed=2, formation_mode="brokered")
    return m


def _challenge(m, value=2.0):
    return Challenge(req=np.array([0.4, 0.1, 0.2, 0.3]), value=value, duration=24)


def test_commissioner_proposes_complementary_teams_for_valued_challenges(brokered):
    m = brokered
    s, p = m.state, m.p
    free = np.flatnonzero(free_mask(s, p))
    ch = _challenge(m)
    lead = int(free[np.argmax(s.orgs.capability[free, 0])])  # strong on scale only
    team = commissioner.propose(s, p, lead, ch, free)
    assert team is not None and team[0] == lead and np.isin(team, free).all()
    assert 2 <= team.size <= p.max_partners
    fit = s.orgs.capability[lead] @ ch.req
    assert coverage(s, team, ch.req) > fit
    d = np.abs(s.orgs.values[team][:, None] - s.orgs.values[team][None, :])
    lines = np.minimum(s.orgs.red_line[team][:, None], s.orgs.red_line[team][None, :])
    assert (d <= lines).all()  # within everyone's red lines
    # More complementary than teams of its size picked at random around the same lead.
    gen = np.random.default_rng(0)
    others = free[free != lead]
    random_cover = [
        coverage(s, np.append(lead, gen.choice(others, team.size - 1, replace=False)), ch.req)
        for _ in range(200)
    ]
    assert coverage(s, team, ch.req) > np.quantile(random_cover, 0.95)
    # It does not see trust: the same proposal whatever organisations think of each other.
    blind = copy.deepcopy(s)
    blind.relations.trust[:] = 0.0
    blind.orgs.myth[:] = 1.0
    assert np.array_equal(commissioner.propose(blind, p, lead, ch, free), team)
    # It proposes only for challenges it values; below its bar the lead searches by itself.
    for value, proposed in ((p.commissioner_value - 0.1, False), (p.commissioner_value, True)):
        trusting = copy.deepcopy(s)
        trusting.orgs.myth[:] = 0.0  # so that a proposal is accepted
        trusting.relations.trust[:] = 0.9
        month = _Search(is_free=free_mask(trusting, p))
        gen_state = copy.deepcopy(m.streams)
        Formation().brokered(
            trusting, p, gen_state, month, _challenge(m, value), np.flatnonzero(month.is_free)
        )
        assert month.brokered == proposed


def test_organisations_refuse_proposed_partners_they_distrust(brokered):
    m = brokered
    s, p = copy.deepcopy(m.state), m.p
    free = np.flatnonzero(free_mask(s, p))
    ch = _challenge(m)
    lead = int(free[np.argmax(s.orgs.capability[free, 0])])
    team = commissioner.propose(s, p, lead, ch, free)
    assert team is not None and team.size >= 2
    a, b = np.meshgrid(team, team)
    off = a != b
    e = s.relations.add(a[off], b[off], 0.5)
    s.relations.trust[e] = 0.9
    assert np.array_equal(commissioner.accepted(s, p, lead, team), np.sort(team))
    # The others distrust one proposed member: it drops out, the rest stay.
    j = int(team[-1])
    views_of_j = s.relations.lookup(team[team != j], np.full(team.size - 1, j))
    s.relations.trust[views_of_j] = p.accept_trust_brokered - 0.05
    kept = commissioner.accepted(s, p, lead, team)
    expected = np.sort(team[team != j])
    if expected.size >= 2:
        assert np.array_equal(kept, expected)
    else:
        assert kept is None
    # The lead distrusts everyone: it stays (it holds the challenge), nobody joins it.
    s.relations.trust[s.relations.lookup(np.full(team.size - 1, lead), team[team != lead])] = 0.0
    assert commissioner.accepted(s, p, lead, team) is None


def test_commissioner_gets_partnerships_past_thin_networks():
    # Personal networks rarely cross sectors: a commissioner who sees the whole system gets
    # teams formed that the organisations' own search would not find (source 003).
    # At the calibrated defaults about half of all partnerships are the commissioner's, but
    # most stand in for teams the organisations would have found themselves: the net gain is
    # about 1.5% (124 vs 122 in 60 months), which takes 40 paired seeds to show.
    thin = dict(network_cross_sector=0.05)
    seeds = range(40)
    own = outcomes(seeds, steps=60, **thin)
    helped = outcomes(seeds, steps=60, formation_mode="brokered", **thin)
    greater(helped["partnerships_formed"], own["partnerships_formed"])
    greater(own["went_alone"], helped["went_alone"])
    assert (helped["formed_brokered"] > 0).all() and (own["formed_brokered"] == 0).all()
    # A commissioner who attends to every challenge proposes more teams than one who attends
    # only to the most valuable.
    choosy = outcomes(SEEDS, steps=60, formation_mode="brokered", commissioner_value=1.5, **thin)
    greater(helped["formed_brokered"][: len(SEEDS)], choosy["formed_brokered"])
