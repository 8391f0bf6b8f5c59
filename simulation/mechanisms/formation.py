"""Mechanism 1: how partnerships form (voluntary search, brokerage, mandate)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .. import kernels
from ..codes import Behaviour
from ..lifecycle import log_story, start_partnership
from ..param_types import Params
from ..partnerships import ordered_pairs
from ..portable import dot
from ..state import State, Streams
from ..stories import join_names
from .base import Mechanism
from .contribution import agreed_output, planned_commitment
from .trust import perceived_trust, reputation_inputs

#: Shortest planned life of a partnership, months: a guard that gives every challenge at least
#: two months of work however short challenge_duration x U(duration_spread_low, ...) comes out
#: (it never binds inside the screening ranges).
MIN_DURATION = 2
#: ``challenge_rate`` counts challenges a month per this many organisations (its unit).
RATE_PER = 100.0
#: Value to the community of a typical challenge (the median of VALUE_SIGMA's lognormal).
TYPICAL_VALUE = 1.0


@dataclass
class Challenge:
    """A problem that needs several capabilities, with value to the community."""

    req: np.ndarray  # weights over capability domains, summing to 1
    value: float
    duration: int


def new_challenge(s: State, p: Params, env: np.random.Generator) -> Challenge:
    """Draw a challenge: req ~ Dirichlet(challenge_concentration), value ~ lognormal(0,
    value_sigma), duration ~ challenge_duration x U(duration_spread_low, duration_spread_high)."""
    req = env.dirichlet(np.full(s.orgs.capability.shape[1], p.challenge_concentration))
    spread = env.uniform(p.duration_spread_low, p.duration_spread_high)
    duration = int(round(p.challenge_duration * spread))
    return Challenge(
        req=req,
        value=float(env.lognormal(0.0, p.value_sigma)),
        duration=max(duration, MIN_DURATION),
    )


def expected_synergy(p: Params, n: int, cover_ratio: float, trust: float) -> float:
    """A would-be member's estimate of the synergy ratio, mirroring :class:`~.synergy.Synergy`.

    Ŝ = cover_ratio (1 − misunderstanding_waste (1 − û)) (1 + synergy_gain τ̂ û λ̂)
        / (1 + coordination_cost (n − 1)), with û = expected_understanding and
        λ̂ = expected_leadership.
    """
    u, lead = p.expected_understanding, p.expected_leadership
    multiplier = 1.0 + p.synergy_gain * trust * u * lead
    coordination = 1.0 + p.coordination_cost * (n - 1)
    return cover_ratio * (1.0 - p.misunderstanding_waste * (1 - u)) * multiplier / coordination


class CommunityValue(Mechanism):
    """Organisations focused on outcomes rather than ego weigh what a challenge is worth to
    the community, not only what partnering is worth to them.

    Rule. A challenge's value to the community, over that of a typical challenge, pulls an
    organisation towards taking it on, and keeping at it, in proportion to its outcome focus
    (source 002: "an ability to focus on outcomes for communities, rather than on one's ego"):
    a valuable challenge is worth joining, renewing and staying for at a lower return, a
    challenge of little value needs a higher one. An ego-driven organisation (focus 0)
    judges by its return alone. Joining and renewing are judged for the team (its members'
    mean focus) by the lead, as the lead judges the team's synergy; staying is judged by
    each member.

    Equations, for a challenge of value v and outcome focus f:

        pull(f, v) = value_weight · f · (v − TYPICAL_VALUE)
        join (formation):  Ŝ + pull(f̄_team, v) ≥ 1 + decision_margin
        renew (review):    Ŝ_new + pull(f̄_team, v_new) ≥ 1 + decision_margin
        stay (review):     view_i + pull(f_i, v_P) ≥ exit_threshold − bar_i

    with Ŝ the expected synergy ratio (:func:`expected_synergy`), view_i the member's
    smoothed net return and bar_i what leaving would cost it (:class:`~.review.ExitCosts`).
    Both sides are in units of the member's own output alone.
    """

    number = "1, 8"
    title = "Outcome focus weighs a challenge's value to the community"
    sources = (
        "brief mechanisms 1 and 8 (a purpose with value to the community)",
        'source 002 ("focus on outcomes for communities, rather than on one\'s ego")',
        'source 001 ("customers see outcomes delivered")',
    )
    constants = ()
    tests = (
        "test_risk_mechanisms.py::test_outcome_focused_teams_take_on_valuable_challenges",
        "test_risk_mechanisms.py::test_outcome_focused_members_stay_for_valuable_challenges",
        "test_risk_mechanisms.py::test_valuable_challenges_draw_outcome_focused_partnerships",
    )

    def __call__(self, p: Params, focus: np.ndarray | float, value: np.ndarray | float):
        """pull(f, v), element-wise."""
        return p.value_weight * focus * (value - TYPICAL_VALUE)


#: The one instance formation and review use (the mechanism holds no state).
community_value = CommunityValue()


def coverage(s: State, members: np.ndarray, req: np.ndarray) -> float:
    """Capability coverage of a team: each domain is covered by its best member."""
    return float(dot(s.orgs.capability[members].max(axis=0), req))


def team_estimate(s: State, p: Params, members: np.ndarray, req: np.ndarray, trust: float) -> float:
    """:func:`expected_synergy` of a team for a challenge needing ``req``, at ``trust``: its
    coverage over its members' mean own fit is the complementarity it expects to gain."""
    alone = float(dot(s.orgs.capability[members], req).mean())
    return expected_synergy(p, members.size, coverage(s, members, req) / alone, trust)


def free_mask(s: State, p: Params) -> np.ndarray:
    """Which organisations have room for another partnership and resources to give."""
    orgs = s.orgs
    return (orgs.n_memberships < p.max_memberships) & (
        orgs.capacity > p.free_capacity * orgs.base_capacity
    )


def mean_distance(values: np.ndarray) -> float:
    """Mean values distance over the ordered pairs of a team."""
    dist = np.abs(values[:, None] - values[None, :])
    return float(dist.sum() / max(values.size * (values.size - 1), 1))


def negotiate(s: State, p: Params, members: np.ndarray) -> tuple[np.ndarray, float, int] | None:
    """Alignment of objectives from the members' values, and the months of forming.

    Without required alignment, objectives are as aligned as the members' values:
    a = 1 − d̄ (d̄ the mean values distance between members). Required alignment means
    negotiating: a member whose mean distance to the others exceeds ``alignable_distance``
    is dropped (the worst first; no partnership if fewer than two remain), the rest close
    ``negotiation_gain`` of their gap, a = 1 − d̄ (1 − negotiation_gain), and forming takes
    ``negotiation_months`` longer than ``forming_months``. Returns (members, alignment,
    forming months) or None.
    """
    if not p.alignment_required:
        return members, 1.0 - mean_distance(s.orgs.values[members]), p.forming_months
    while members.size >= 2:
        v = s.orgs.values[members]
        per_member = np.abs(v[:, None] - v[None, :]).sum(axis=1) / (members.size - 1)
        worst = int(per_member.argmax())
        if per_member[worst] <= p.alignable_distance:
            a = 1.0 - mean_distance(v) * (1.0 - p.negotiation_gain)
            return members, a, p.forming_months + p.negotiation_months
        members = np.delete(members, worst)
    return None


def first_views(members: np.ndarray, first: np.ndarray) -> np.ndarray:
    """Each member's mean view of its fellow members (``first`` per ordered pair)."""
    a, _ = ordered_pairs(members)
    pos = np.searchsorted(members, a)
    return np.bincount(pos, weights=first, minlength=members.size) / (members.size - 1)


def team_search(
    s: State,
    p: Params,
    lead: int,
    cands: np.ndarray,
    req: np.ndarray,
    accept: float,
    use_trust: bool,
) -> np.ndarray:
    """The compiled greedy team search around ``lead`` (members in the order they joined, or
    an empty array). ``use_trust`` weighs candidates by perceived trust; ``accept`` = −inf
    with ``use_trust`` off ignores trust altogether (the commissioner's view)."""
    orgs = s.orgs
    return kernels.assemble(
        lead, np.ascontiguousarray(cands, dtype=np.int64), req, orgs.capability, orgs.values,
        orgs.red_line, p.red_lines, p.alignment_required, p.alignable_distance, p.max_partners,
        p.coordination_cost, float(accept), use_trust, p.trust_score_base, p.min_gain,
        *s.relations.index(), *reputation_inputs(s, p),
    )  # fmt: skip


@dataclass
class _Search:
    """One month's search: who is still free, and the first impressions of teams judged."""

    is_free: np.ndarray
    lead: int = -1  # the lead of the challenge being judged
    brokered: bool = False  # the team judged was proposed by the commissioner
    #: Perceived trust between the ordered pairs of a team judged this month, keyed by the
    #: sorted team: the first impressions its relationships start from if it forms.
    team_trust: dict[bytes, np.ndarray] = field(default_factory=dict)


class Formation(Mechanism):
    """Organisations look for partners for arriving challenges, or are told to partner.

    Rule. For each arriving challenge a lead organisation (one with free capacity,
    likelier where the challenge fits its capabilities) looks for partners:

    * ``voluntary``: among its networking ties, their ties, past partners and a few
      strangers, it adds, one at a time, the candidate who most raises the team's
      capability coverage, weighted by perceived trust. Perceived trust in a stranger is
      a first impression coloured by the myths held about the stranger's sector, mixed
      with what the lead's network says (reputation). Every current member must find
      the candidate acceptable, so larger teams mean more myths to double-check, and the
      candidate must accept the lead. Red lines exclude partners whose values are too
      far away; required alignment of objectives excludes those who cannot align.
      The lead then compares the expected team output with going alone and forms the
      partnership only if joining is clearly better, counting the challenge's value to the
      community as far as the team is focused on outcomes (:class:`CommunityValue`).
    * ``brokered``: a commissioner (:class:`Commissioner`) proposes, for the challenges it
      values, the most complementary team it can see, judging real capabilities rather
      than myths; the organisations accept or refuse it by their own trust, which the
      commissioner's backing lets them stretch. Where it proposes nothing, or its proposal
      is refused, the lead searches by itself, as under ``voluntary``.
    * ``mandated``: members are assigned at random, regardless of fit, trust or values,
      and cannot refuse.

    Equations. Challenges arrive as Poisson(challenge_rate x n / 100) a month. The lead is
    drawn among free organisations with probability ∝ (k_i · r)². A candidate j's score is
    gain_j x (trust_score_base + mean_m τ̂_mj), where gain_j is the rise in coverage; it needs
    every τ̂_mj >= accept_trust, gain_j > min_gain and (cover + gain_j) / cover >
    (1 + cc n) / (1 + cc (n − 1)). The team forms if :func:`expected_synergy`, at the team's
    mean perceived trust, + pull(f̄_team, v) >= 1 + decision_margin (see
    :class:`CommunityValue`). The voluntary search pool adds ``strangers`` random free
    organisations. (The commissioner's rule is in :class:`Commissioner`.)

    Sources: see ``sources``.
    """

    number = "1"
    title = "Formation: partner search, brokerage and mandate"
    sources = (
        "brief mechanism 1",
        'source 000 (reputation through networks; "double check the myths and dragons")',
        'source 001 ("not the only game in town"; "forced marriage")',
        "source 002 (red lines; alignment of objectives)",
        "source 003 (the commissioner who suggested the trusts team up)",
        "source 004 (partnership = goals hard to reach alone)",
    )
    constants = (
        "accept_trust",
        "min_gain",
        "decision_margin",
        "alignable_distance",
        "negotiation_gain",
        "negotiation_months",
        "strangers",
        "expected_understanding",
        "expected_leadership",
        "challenge_concentration",
        "duration_spread_low",
        "duration_spread_high",
        "value_sigma",
        "free_capacity",
        "trust_score_base",
        # also read here: synergy's, to judge a team; contribution's, to go alone
        "forming_months",
        "misunderstanding_waste",
        "base_commitment",
    )
    tests = (
        "test_mechanisms.py::test_formation_stronger_myths_fewer_partnerships",
        "test_mechanisms.py::test_formation_reputation_through_network",
        "test_mechanisms.py::test_formation_red_lines_keep_values_closer",
        "test_mechanisms.py::test_formation_broker_gets_partnerships_past_myths",
        "test_mechanisms.py::test_formation_mandate_ignores_fit_and_never_goes_alone",
    )

    def __call__(self, s: State, p: Params, rng: Streams) -> None:
        n_new = rng.env.poisson(p.challenge_rate * s.orgs.n / RATE_PER)
        mode = p.formation_mode
        search = {
            "voluntary": self.voluntary,
            "brokered": self.brokered,
            "mandated": self.mandated,
        }[mode]
        # Who is free changes only when a new partnership fills someone's last slot, so the
        # list is kept up to date here rather than recomputed for every challenge.
        month = _Search(is_free=free_mask(s, p))
        free = np.flatnonzero(month.is_free)
        mandated = mode == "mandated"
        s.counts.challenges += n_new
        for _ in range(n_new):
            challenge = new_challenge(s, p, rng.env)
            if free.size < 2:
                break
            month.brokered = False
            team = search(s, p, rng, month, challenge, free)
            agreed = None if team is None else negotiate(s, p, team)
            if agreed is None:
                self.go_alone(s, p, month, challenge)
                continue
            team, aligned, forming = agreed
            first = month.team_trust.pop(team.tobytes(), None)
            if first is None:
                first = perceived_trust(s, p, *ordered_pairs(team))
            focus = s.orgs.behaviour[team, Behaviour.OUTCOME_FOCUS]
            plan = planned_commitment(p, first_views(team, first), focus, aligned, mandated)
            output = agreed_output(s, p, team, plan, challenge.req, joining=True)
            start_partnership(
                s,
                team,
                challenge.req,
                challenge.value,
                challenge.duration,
                float(output.sum() * challenge.duration),
                aligned,
                first,
                brokered=month.brokered,
                mandated=mandated,
                forming=forming,
                plan=plan,
                agreed=output,
            )
            s.counts.formed_brokered += month.brokered
            full = team[s.orgs.n_memberships[team] >= p.max_memberships]
            if full.size:
                month.is_free[full] = False
                free = free[month.is_free[free]]

    def go_alone(self, s: State, p: Params, month: _Search, challenge: Challenge) -> None:
        """The lead takes the challenge on alone: it delivers what its own effort gives over
        the planned life, ``base_commitment`` of the capacity it can spare times its fit."""
        s.counts.went_alone += 1
        lead = month.lead
        if lead < 0:
            return
        solo = agreed_output(
            s, p, np.array([lead]), np.array([p.base_commitment]), challenge.req, joining=True
        )
        s.counts.value_alone += float(solo[0] * challenge.duration * challenge.value)

    # --- the three ways of forming ---------------------------------------------------------
    def pick_lead(self, s: State, rng: Streams, challenge: Challenge, free: np.ndarray) -> int:
        # Fit of everyone, then the free ones: the same numbers as gathering the free rows
        # first, at a tenth of the cost for large populations.
        fit = dot(s.orgs.capability, challenge.req)[free] ** 2
        # Generator.choice(free, p=...) spelled out (same draw, same numbers): its checks on
        # ``p`` cost more than the draw when thousands of organisations are free.
        cdf = (fit / fit.sum()).cumsum()
        cdf /= cdf[-1]
        return int(free[cdf.searchsorted(rng.form.random(), side="right")])

    def lead_for(
        self, s: State, rng: Streams, month: _Search, challenge: Challenge, free: np.ndarray
    ) -> int:
        month.lead = self.pick_lead(s, rng, challenge, free)
        return month.lead

    def voluntary(
        self,
        s: State,
        p: Params,
        rng: Streams,
        month: _Search,
        challenge: Challenge,
        free: np.ndarray,
    ) -> np.ndarray | None:
        lead = self.lead_for(s, rng, month, challenge, free)
        return self.voluntary_from(s, p, rng, month, challenge, free, lead)

    def voluntary_from(
        self,
        s: State,
        p: Params,
        rng: Streams,
        month: _Search,
        challenge: Challenge,
        free: np.ndarray,
        lead: int,
    ) -> np.ndarray | None:
        """The lead's own search for partners (its network, past partners, strangers)."""
        cands = self.search_pool(s, p, rng, month, lead, free)
        return self.assemble(s, p, month, lead, cands, challenge)

    def brokered(
        self,
        s: State,
        p: Params,
        rng: Streams,
        month: _Search,
        challenge: Challenge,
        free: np.ndarray,
    ) -> np.ndarray | None:
        lead = self.lead_for(s, rng, month, challenge, free)
        proposal = None
        if challenge.value >= p.commissioner_value:
            proposal = commissioner.propose(s, p, lead, challenge, free)
        if proposal is not None:
            team = commissioner.accepted(s, p, lead, proposal)
            if team is not None and self.worth_joining(s, p, month, team, challenge):
                month.brokered = True
                return team
            commissioner.refused(s, lead, proposal, team)
        return self.voluntary_from(s, p, rng, month, challenge, free, lead)

    def mandated(
        self,
        s: State,
        p: Params,
        rng: Streams,
        month: _Search,
        challenge: Challenge,
        free: np.ndarray,
    ) -> np.ndarray | None:
        month.lead = -1  # nobody leads a mandated partnership
        k = int(rng.form.integers(2, p.max_partners + 1))
        k = min(k, free.size)
        return np.sort(rng.form.choice(free, size=k, replace=False))

    # --- helpers ---------------------------------------------------------------------------
    def search_pool(
        self, s: State, p: Params, rng: Streams, month: _Search, lead: int, free: np.ndarray
    ) -> np.ndarray:
        """Whom the lead hears of: its ties, their ties, past partners and a few strangers."""
        strangers = rng.form.choice(free, size=min(p.strangers, free.size), replace=False)
        rel = s.relations
        return kernels.search_pool(
            lead, s.ties.table, *rel.index(), rel.dst, strangers.astype(np.int64), month.is_free
        )

    def assemble(
        self,
        s: State,
        p: Params,
        month: _Search,
        lead: int,
        cands: np.ndarray,
        challenge: Challenge,
    ) -> np.ndarray | None:
        members = team_search(s, p, lead, cands, challenge.req, p.accept_trust, use_trust=True)
        if members.size < 2:
            return None
        if not self.worth_joining(s, p, month, members, challenge):
            return None
        return np.sort(members)

    def worth_joining(
        self,
        s: State,
        p: Params,
        month: _Search,
        members: np.ndarray,
        challenge: Challenge,
    ) -> bool:
        """Does the expected team output, at the members' own trust in each other and with
        the challenge's value to the community as far as the team is focused on outcomes,
        clearly beat what the members would do alone?"""
        # Listed for the sorted team, as the partnership will list them if it forms;
        # kept as the first impressions its relationships start from.
        team = np.sort(members)
        pairs_trust = perceived_trust(s, p, *ordered_pairs(team))
        self.remember_first_impressions(month, team, pairs_trust)
        expected_trust = float(pairs_trust.sum() / pairs_trust.size)  # the mean
        est = team_estimate(s, p, members, challenge.req, expected_trust)
        focus = float(s.orgs.behaviour[members, Behaviour.OUTCOME_FOCUS].mean())
        return est + community_value(p, focus, challenge.value) >= 1.0 + p.decision_margin

    def remember_first_impressions(
        self, month: _Search, team: np.ndarray, pairs_trust: np.ndarray
    ) -> None:
        """Keep the sorted team's view of itself for the partnership, if it forms."""
        month.team_trust[team.tobytes()] = pairs_trust


class Commissioner(Mechanism):
    """A commissioner with its own view of who should work together (brokered formation).

    Rule. Source 003: NHS Calderdale, the commissioner, saw two trusts about to bid
    separately and "suggested they team up with each other and its own provider arm":
    "why don't you think about doing it this way, and I would support you". Under
    ``formation_mode = brokered`` the commissioner looks at each arriving challenge whose
    value to the community is at least ``commissioner_value``. It sees what is on the
    record: capabilities, sectors, missions and red lines; it does not see the trust
    organisations hold in each other, which is private. Starting from the organisation that
    would take the challenge on (the lead), it adds, one at a time, the free organisation
    that most raises the team's capability coverage of the challenge (complementarity),
    while the gain exceeds min_gain and beats the extra coordination cost, the team stays
    within everyone's red lines, and the team has at most ``max_partners`` members (the
    voluntary search's compiled kernel, with trust left out). It proposes the team if its
    own estimate of the synergy ratio, at the trust it expects a team it backs to reach
    (broker_vouched_trust), clears 1 + decision_margin.

    The organisations then decide by their own trust. With the commissioner's backing a
    member accepts a proposed partner it trusts at least accept_trust_brokered (below the
    accept_trust of a partner it chose itself); while some pair does not accept each other,
    the member in most such pairs (ties: the one the others trust least) drops out, never
    the lead. The rest (two or more) form the partnership if they, at their own mean
    perceived trust, expect it to beat going alone (:meth:`Formation.worth_joining`).
    Otherwise the proposal is refused, and the lead looks for partners by itself.

    Equations, for challenge r with value v, lead l, free organisations F, team T:

        proposes iff v >= commissioner_value
        T ← {l};  repeat: j* = argmax_{j ∈ F ok} gain_j,  gain_j = cover(T ∪ j) − cover(T),
            ok: gain_j > min_gain, cover(T ∪ j) / cover(T) > (1 + cc |T|) / (1 + cc (|T| − 1)),
            red lines of j and of every member of T respected
        proposed iff expected_synergy(|T|, cover(T) / mean_i k_i · r, broker_vouched_trust)
                     >= 1 + decision_margin
        accepted pair (a, b): τ̂_ab >= accept_trust_brokered and τ̂_ba >= accept_trust_brokered
    """

    number = "1"
    title = "The commissioner: proposed teams, accepted or refused"
    sources = (
        "brief: a broker may propose a partnership (mechanism 1); environment: "
        "'optionally a commissioner/broker'",
        'source 003 (NHS Calderdale: "suggested they team up"; "I would support you")',
    )
    constants = ("accept_trust_brokered", "broker_vouched_trust", "min_gain", "decision_margin")
    tests = (
        "test_network_mechanisms.py::test_commissioner_proposes_complementary_teams_for_valued_challenges",
        "test_network_mechanisms.py::test_organisations_refuse_proposed_partners_they_distrust",
        "test_network_mechanisms.py::test_commissioner_gets_partnerships_past_thin_networks",
        "test_mechanisms.py::test_formation_broker_gets_partnerships_past_myths",
    )

    def propose(
        self, s: State, p: Params, lead: int, challenge: Challenge, free: np.ndarray
    ) -> np.ndarray | None:
        """The team the commissioner would propose around ``lead`` (sorted), or None."""
        members = team_search(s, p, lead, free[free != lead], challenge.req, -np.inf, False)
        if members.size < 2:
            return None
        estimate = team_estimate(s, p, members, challenge.req, p.broker_vouched_trust)
        return np.sort(members) if estimate >= 1.0 + p.decision_margin else None

    def accepted(self, s: State, p: Params, lead: int, team: np.ndarray) -> np.ndarray | None:
        """What is left of a proposed team once members drop partners they distrust."""
        team = np.sort(team)
        while team.size >= 2:
            a, b = ordered_pairs(team)
            views = perceived_trust(s, p, a, b)
            low = views < p.accept_trust_brokered
            if not low.any():
                return team
            pa, pb = np.searchsorted(team, a), np.searchsorted(team, b)
            k = team.size
            refusals = np.bincount(pa[low], minlength=k) + np.bincount(pb[low], minlength=k)
            refusals[team == lead] = -1
            trusted = np.bincount(pb, weights=views, minlength=k)
            worst = int(np.lexsort((trusted, -refusals))[0])
            team = np.delete(team, worst)
        return None

    def refused(self, s: State, lead: int, proposal: np.ndarray, team: np.ndarray | None) -> None:
        """Count and tell a refused proposal: who declined, or that it was not worth it."""
        s.counts.refused += 1
        names = s.orgs.name
        proposed = np.sort(proposal).tolist()
        kept = [lead] if team is None else team.tolist()
        out = [names[i] for i in proposed if i not in kept]
        why = []
        if out:
            why.append(f"too little trust between the partners proposed kept {join_names(out)} out")
        if team is not None:  # two or more accepted each other, and then judged it
            why.append(f"{'the rest' if out else 'they'} judged it not worth joining")
        who = join_names([names[i] for i in proposed])
        log_story(
            s,
            "refused",
            f"the commissioner proposed that {who} team up; {' and '.join(why)}; "
            f"{names[lead]} looked for partners itself",
        )


#: The one commissioner (it holds no state).
commissioner = Commissioner()
