"""Source 000's other two kinds of tie at work: trusted partners share their networks, and
partnerships manage stakeholders; and networking ties that joint work made decay once the
work stops (Burt 2000).

Source 000 keeps three things apart: networking (personal relationships, which carry
reputation), stakeholder management (structured, task-bound) and collaboration (a
partnership). Networking ties are :class:`~simulation.state.Ties`; collaboration is
membership of a partnership; stakeholder links are :class:`~simulation.state.StakeholderLinks`.
"""

from __future__ import annotations

import numpy as np

from ..arrays import clip, fill_nan, group_by_last
from ..param_types import Params
from ..partnerships import ENDED, Roster
from ..portable import outer_dot
from ..state import State, Streams, WorkRecord
from .base import Mechanism
from .trust import asymmetric_update, perceived_trust


class NetworkSharing(Mechanism):
    """Trusted partners introduce each other to their networking ties.

    Rule. Source 000: "if the collaboration is a trusted one, [partners] begin to share
    networks". Each month, every fellow member b whom an organisation a trusts, and who
    trusts a, at least ``network_sharing_trust`` introduces a, with probability
    ``network_sharing``, to one of b's networking ties that a is not yet tied to, drawn
    uniformly. a and the contact c become networking ties. Where they did not know each
    other, each starts from its first impression of the other (myths and reputation, as in
    :class:`~.trust.Reputation`) pulled towards what the introducer thinks of the other, with
    weight ``reputation_weight``: the introducer vouches for its contact. The contact is then
    in a's network: a finds it, and its ties, when looking for partners (formation), and
    asks it about strangers (reputation). Staff turnover erodes these ties like any other,
    and, made by collaboration, they decay unless the pair work together (:class:`TieDecay`).
    A pair working together in several partnerships gets one chance a month.

    Equations, for an ordered pair of fellow members (a, b) this month:

        trusted_ab = τ_ab ≥ network_sharing_trust and τ_ba ≥ network_sharing_trust
        introduced_ab = trusted_ab and U < network_sharing
        c ~ uniform over the ties of b that are neither a nor tied to a
        new tie a–c; if new: τ_ac = (1 − w) τ̂_ac + w τ_bc,  τ_ca = (1 − w) τ̂_ca + w τ_ba,
        with τ̂ the perceived trust of :class:`~.trust.Reputation` and w = reputation_weight
    """

    number = "13"
    title = "Trusted partners share networks"
    sources = (
        'source 000 ("if the collaboration is a trusted one, begin to share networks"; '
        '"People check out other people and organisations through their networks")',
        "brief: reputation spreads through networking ties",
    )
    tests = (
        "test_network_mechanisms.py::test_trusted_partners_introduce_each_other_to_their_ties",
        "test_network_mechanisms.py::test_introductions_start_from_the_introducers_view",
        "test_network_mechanisms.py::test_network_sharing_widens_networks_and_reach",
    )

    def __call__(
        self, s: State, p: Params, rng: Streams, roster: Roster, edges: np.ndarray
    ) -> None:
        if p.network_sharing <= 0 or not edges.size:
            return
        rel, n = s.relations, s.orgs.n
        a, b = roster.pair_org_a, roster.pair_org_b
        back = rel.lookup(b, a)
        trusted = (rel.trust.take(edges) >= p.network_sharing_trust) & (back >= 0)
        trusted[trusted] &= rel.trust.take(back[trusted]) >= p.network_sharing_trust
        pairs = np.unique(a[trusted] * n + b[trusted])  # one chance a month per pair
        gen = rng.net
        pairs = pairs[gen.random(pairs.size) < p.network_sharing]
        if not pairs.size:
            return
        a, b = pairs // n, pairs % n
        table = s.ties.table
        contacts = table[b]
        mine = table[a]
        open_ = (contacts >= 0) & (contacts != a[:, None])
        open_ &= ~(contacts[:, :, None] == mine[:, None, :]).any(axis=2)
        count = open_.sum(axis=1)
        pick = np.floor(gen.random(a.size) * count).astype(np.int64)
        has = count > 0
        # The pick-th open contact of each row.
        col = (open_.cumsum(axis=1) > pick[:, None]).argmax(axis=1)
        a, b = a[has], b[has]
        c = contacts[has, col[has]]
        if not c.size:
            return
        self.introduce(s, p, a, b, c)

    def introduce(self, s: State, p: Params, a: np.ndarray, b: np.ndarray, c: np.ndarray) -> None:
        """Tie each a[k] to c[k], b[k] vouching for each to the other."""
        rel = s.relations
        holders, others = np.concatenate([a, c]), np.concatenate([c, a])
        first = perceived_trust(s, p, holders, others)
        vouch = rel.lookup(np.concatenate([b, b]), others)
        w = p.reputation_weight
        heard = vouch >= 0
        first[heard] = (1.0 - w) * first[heard] + w * rel.trust.take(vouch[heard])
        before = int((s.ties.table >= 0).sum())
        s.ties.add(a, c)
        e = rel.add(holders, others, first)
        rel.tie[e] = True
        rel.earned[e] = True
        s.counts.ties_introduced += (int((s.ties.table >= 0).sum()) - before) // 2


def tie_pairs(s: State) -> tuple[np.ndarray, np.ndarray]:
    """Every networking tie once, as (a, b) with a < b."""
    table = s.ties.table
    a = np.repeat(np.arange(table.shape[0]), table.shape[1])
    b = table.ravel()
    once = (b >= 0) & (a < b)
    return a[once], b[once]


def working_together(roster: Roster | None, n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Which pairs (a[k], b[k]) are fellow members of a partnership at work (``roster``)."""
    if roster is None or not roster.pair_org_a.size:
        return np.zeros(a.size, dtype=bool)
    work = np.unique(roster.pair_org_a * n + roster.pair_org_b)  # both orders are listed
    pos = np.minimum(np.searchsorted(work, a * n + b), work.size - 1)
    return work[pos] == a * n + b


class TieDecay(Mechanism):
    """Networking ties that collaboration made decay unless joint work renews them, and
    decay more slowly the more joint work the pair remember.

    Rule. Burt (2000, "Decay functions") follows bankers' relationships with colleagues from
    year to year: most new relationships are gone within a year unless renewed, and decay
    slows as a relationship ages and is embedded; Burt (2002, "Bridge decay") finds nine in
    ten relationships that bridge otherwise separate groups gone a year later. Here the
    ties that collaboration makes, between partners who came to trust each other at work
    (:class:`~.learning.Learning`) and through a trusted partner's introduction
    (:class:`NetworkSharing`), are kept up by working together: each month such a tie
    whose pair are not fellow members of a partnership at work is lost with probability
    ``tie_decay``, divided by 1 + ``tie_decay_slowing`` times the months of joint work the
    pair remember (their familiarity, the mean of the two views; it fades with staff
    turnover): a tie with a long shared history lasts longer. The ties organisations bring
    of their own (month 0, a founding, newcomers' networks: the personal networks
    ``network_degree`` describes) are kept up by networking the model does not represent,
    and are lost with staff turnover (:class:`~.turnover.StaffTurnover`), not here. A
    decayed tie leaves the relationship (trust, familiarity) as it was: the organisations
    still know each other, until staff turnover makes them forget.

    Equations, for a tie a–b made by collaboration, with f̄_ab = (f_ab + f_ba) / 2:

        working_ab = a and b are fellow members of a partnership at work this month
        h_ab = tie_decay / (1 + tie_decay_slowing · f̄_ab)
        lost_ab = not working_ab and U < h_ab
        tie_decay = 1 − (1 − share lost within a year)^(1/12); a half gives 0.056
    """

    number = "15"
    title = "Networking ties made by collaboration decay unless renewed"
    sources = (
        "Burt 2000, Decay functions, Social Networks 22(1):1-28 (new relationships decay "
        "quickly unless renewed; decay slows with age and embedding)",
        "Burt 2002, Bridge decay, Social Networks 24(4):333-363 (nine in ten bridges gone "
        "a year later)",
        "source 000 (networks are individual relationships)",
    )
    constants = ("tie_decay", "tie_decay_slowing")
    tests = (
        "test_network_mechanisms.py::test_ties_decay_unless_the_pair_work_together",
        "test_network_mechanisms.py::test_decay_slows_with_the_joint_work_remembered",
        "test_network_mechanisms.py::test_tie_decay_keeps_ties_made_by_collaboration_from_piling_up",
    )

    def __call__(self, s: State, p: Params, rng: Streams, roster: Roster | None) -> None:
        if p.tie_decay <= 0:
            return
        rel = s.relations
        a, b = tie_pairs(s)
        ab, ba = rel.lookup(a, b), rel.lookup(b, a)
        made = (ab >= 0) & (ba >= 0)
        made[made] &= rel.earned[ab[made]] | rel.earned[ba[made]]
        made[made] &= ~working_together(roster, s.orgs.n, a[made], b[made])
        a, b, ab, ba = a[made], b[made], ab[made], ba[made]
        if not a.size:
            return
        familiar = (rel.familiarity[ab] + rel.familiarity[ba]) / 2
        hazard = p.tie_decay / (1.0 + p.tie_decay_slowing * familiar)
        lost = rng.net.random(a.size) < hazard
        if not lost.any():
            return
        s.ties.remove(a[lost], b[lost])
        for e in (ab[lost], ba[lost]):
            rel.tie[e] = False
            rel.earned[e] = False
        s.counts.ties_decayed += int(lost.sum())


def live_links(s: State) -> np.ndarray:
    """Mask of the stakeholder links whose task is still on: the partnership is active, on
    the challenge the link was made for, and the organisation has not closed since."""
    links, t = s.stakeholders, s.table
    if not links.size:
        return np.zeros(0, dtype=bool)
    return (
        (t.p_stage[links.pid] != ENDED)
        & (t.p_challenges[links.pid] == links.challenge)
        & (s.orgs.founded[links.org] == links.founded)
    )


def link_pairs(s: State, roster: Roster) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every (stakeholder, member) pair of the live links of partnerships in ``roster``, and
    the roster part of each pair's partnership."""
    links = s.stakeholders
    live = np.flatnonzero(live_links(s))
    part_of = np.full(s.table.n_p, -1, dtype=np.int64)
    part_of[roster.active_pid] = np.arange(roster.active_pid.size)
    part = part_of[links.pid[live]]
    live, part = live[part >= 0], part[part >= 0]
    size = roster.size[part]
    start = np.searchsorted(roster.part, part)  # entries run in part order
    link = np.repeat(np.arange(live.size), size)
    first = np.repeat(np.cumsum(size) - size, size)
    entry = np.repeat(start, size) + np.arange(link.size) - first
    return links.org[live[link]], roster.org[entry], part[link]


class StakeholderManagement(Mechanism):
    """Partnerships consult and inform organisations their challenge touches, for as long as
    the task lasts.

    Rule. Source 000: stakeholder management is "agreeing a defined number of people needed to
    support the plans you have for a particular timeframe. The individuals involved are
    connected to you because of their job, without any personal or individual connection.
    When the task is achieved the stakeholders may stay involved or not." A partnership at
    work keeps ``stakeholders`` links for its current challenge, with organisations outside
    it drawn without replacement with probability ∝ (k_j · r)² (those whose work the
    challenge touches, as a lead is drawn); it replaces one whose organisation closes. A
    link ends with its task: when the partnership ends or takes up a new challenge. While it
    lasts, the stakeholder is consulted and informed: each month counts for
    ``stakeholder_weight`` of a month of joint work in its relationship with every member
    (familiarity, so it remembers the members for a while after the task), and what it sees
    of the partnership's results moves its trust in them, at that weight. (The members'
    views of their stakeholders are not recorded: nothing in the model reads them.) A link is not
    a networking tie (it carries no introductions and makes no tie however long it lasts)
    and not membership (the stakeholder commits nothing and receives nothing). Because the
    relationship outlasts the task, a former stakeholder knows the members: it finds them
    when it looks for partners, and its view of them is what its networking ties hear when
    they ask about them (reputation).

    Equations, for stakeholder c of partnership P, member m, synergy ratio S_P this month and
    w = stakeholder_weight:

        stakeholders of P: k draws without replacement ∝ (k_j · r_P)², j ∉ P,
            k = stakeholders, made when P starts a challenge (or a stakeholder closes)
        familiarity_cm += w   (once a month, however many partnerships link c and m)
        Δ_cm = w · w_outcome · clip(S_P − 1, ±outcome_cap)   (summed over the links c holds
                                                              with partnerships of m)
        τ_cm ← asymmetric_update(τ_cm, Δ_cm, trust_gain, trust_loss)
        (a relationship that did not exist starts from perceived trust, as in Reputation)
    """

    number = "14"
    title = "Stakeholder management"
    sources = (
        "source 000 (networking, stakeholder management and collaboration are three things; "
        'stakeholders are agreed "for a particular timeframe"; "from this structured '
        'connection, some networks may develop")',
        "brief: relationships, three kinds of tie",
    )
    constants = ("w_outcome", "outcome_cap")
    tests = (
        "test_network_mechanisms.py::test_stakeholders_are_outsiders_the_challenge_touches",
        "test_network_mechanisms.py::test_stakeholder_links_end_with_the_task",
        "test_network_mechanisms.py::test_stakeholders_trust_members_by_the_results_they_see",
        "test_network_mechanisms.py::test_stakeholder_management_makes_more_organisations_known",
    )

    def __call__(self, s: State, p: Params, rng: Streams, roster: Roster, work: WorkRecord) -> None:
        links = s.stakeholders
        links.keep(live_links(s))
        if p.stakeholders > 0:
            self.agree(s, p, rng, roster)
        if links.size:
            self.inform(s, p, roster, work)

    def agree(self, s: State, p: Params, rng: Streams, roster: Roster) -> None:
        """Partnerships at work keep ``stakeholders`` live links for their current challenge:
        one with fewer (new, on a new challenge, or a stakeholder closed) draws the rest."""
        t, orgs, links = s.table, s.orgs, s.stakeholders
        k = min(p.stakeholders, orgs.n - 1)
        held = np.bincount(links.pid, minlength=t.n_p)[roster.active_pid]
        short = np.flatnonzero(held < k)  # parts, in partnership order
        if not short.size:
            return
        pids = roster.active_pid[short]
        weight = outer_dot(t.p_req[pids], orgs.capability) ** 2  # (parts, organisations)
        # Neither members nor current stakeholders can be drawn.
        members = np.isin(roster.part, short)
        weight[np.searchsorted(short, roster.part[members]), roster.org[members]] = 0.0
        theirs = np.isin(links.pid, pids)
        weight[np.searchsorted(pids, links.pid[theirs]), links.org[theirs]] = 0.0
        with np.errstate(divide="ignore"):
            # The k smallest of E/w, E ~ Exp(1): k draws without replacement ∝ w.
            race = rng.net.exponential(size=weight.shape) / weight
        chosen = np.argpartition(race, k - 1, axis=1)[:, :k]
        keys = np.take_along_axis(race, chosen, axis=1)
        order = np.argsort(keys, axis=1)
        chosen, keys = np.take_along_axis(chosen, order, 1), np.take_along_axis(keys, order, 1)
        ok = np.isfinite(keys) & (np.arange(k) < (k - held[short])[:, None])
        pid = np.broadcast_to(pids[:, None], chosen.shape)[ok]
        org = chosen[ok]
        links.extend(pid, org, t.p_challenges[pid], orgs.founded[org])
        s.counts.stakeholder_links += org.size

    def inform(self, s: State, p: Params, roster: Roster, work: WorkRecord) -> None:
        """Each stakeholder's view of each member: familiarity, and trust moved by results."""
        c, m, part = link_pairs(s, roster)
        if not c.size:
            return
        rel, w = s.relations, p.stakeholder_weight
        e = rel.lookup(c, m)
        new = e < 0
        if new.any():
            e[new] = rel.add(c[new], m[new], perceived_trust(s, p, c[new], m[new]))
        outcome = clip(fill_nan(work.synergy, 1.0) - 1.0, -p.outcome_cap, p.outcome_cap)
        delta = w * p.w_outcome * outcome.take(part)
        # One total per relationship: a stakeholder of two partnerships with one member sees
        # both; it counts as one month.
        group, last = group_by_last(e, rel.size)
        total = np.bincount(group, weights=delta, minlength=e.size)[last]
        e = e[last]
        rel.familiarity[e] += w
        before = rel.trust.take(e)
        rel.trust[e] = asymmetric_update(before, total, p.trust_gain, p.trust_loss)
        moved, up = rel.trust.take(e) - before, total > 0
        counts = s.counts
        counts.trust_gained += float(moved[up].sum())
        counts.gain_signal += float(total[up].sum())
        counts.trust_lost -= float(moved[~up].sum())
        counts.loss_signal -= float(total[~up].sum())
