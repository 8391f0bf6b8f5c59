"""Typed, read-only access to a validated parameter set: ``p.trust_gain``.

GENERATED from the definitions in ``simulation/params.py`` by
``python -m simulation.params``; do not edit. A test fails when it is stale.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields
from typing import Any, Literal

Governance = Literal[
    "custom",
    "none",
    "contract",
    "six_principles",
    "leading_as_peers",
    "forced_marriage",
]
FormationMode = Literal[
    "voluntary",
    "brokered",
    "mandated",
]
SharingRule = Literal[
    "proportional",
    "equal",
    "power",
]


@dataclass(frozen=True, slots=True)
class Params(Mapping[str, Any]):
    """A full, validated parameter set (build it with ``simulation.params.typed``).

    Attribute access for the model's code; the mapping interface (``p['clarity']``,
    ``dict(p)``) for everything that treats parameters as data.
    """

    #: Number of organisations.
    n_orgs: int
    #: Share of organisations in the public sector.
    share_public: float
    #: Share of organisations in the private sector.
    share_private: float
    #: Share of organisations in the third (voluntary) sector.
    share_third: float
    #: Share of organisations that are community groups of service users.
    share_community: float
    #: Mean number of networking ties per organisation.
    network_degree: int
    #: Share of networking ties that cross sector lines.
    network_cross_sector: float
    #: Mean initial strength of myths about other sectors (0 none, 1 total).
    myth_initial: float
    #: Multiplier on each sector's typical jargon use.
    jargon_scale: float
    #: Mean of the five partnership behaviours across organisations.
    behaviour_mean: float
    #: New challenges arriving per month per 100 organisations.
    challenge_rate: float
    #: Planned life of a partnership, in months.
    challenge_duration: int
    #: Largest number of members a partnership can have.
    max_partners: int
    #: Most partnerships one organisation can be in at once.
    max_memberships: int
    #: Monthly probability of a funding shock that cuts one sector's resources.
    shock_rate: float
    #: Share of resources a funding shock removes.
    shock_size: float
    #: Monthly probability that a turbulent period starts.
    turbulence_rate: float
    #: Mean length of a turbulent period, in months.
    turbulence_length: int
    #: Multiplier on each sector's typical staff turnover, through which organisations forget
    #: skill, shared language and relationships.
    staff_turnover_scale: float
    #: Multiplier on each sector's typical rate of organisations closing (each is replaced by
    #: a newly founded one).
    closure_scale: float
    #: Months simulated before read-outs start, so that they come from the steady state.
    burn_in: int
    #: Named governance preset; 'custom' uses the individual rules below.
    governance: Governance
    #: How partnerships form: by choice; with a commissioner who proposes teams for the
    #: challenges it values (organisations may refuse, then search themselves); or mandated.
    formation_mode: FormationMode
    #: Clarity of accountabilities and responsibilities (curbs free-riding).
    clarity: float
    #: Objectives must be aligned before a partnership starts.
    alignment_required: bool
    #: Organisations refuse partners whose values cross their red lines.
    red_lines: bool
    #: Months between partnership reviews (0 = never).
    review_interval: int
    #: Pre-agreed exit arrangements ('nuptial agreements'): a leaver pays its agreed share of
    #: the costs its exit strands, and exits do less damage to trust.
    exit_arrangements: bool
    #: Under exit arrangements, the share of the costs its exit strands that a leaver agreed
    #: to pay; the rest falls on the remaining members as agreed (source 002, 'how to share
    #: benefits and risks ... and exit arrangements'; size assumed).
    exit_share: float
    #: A partnership that has met most of its goal by its deadline may agree more time at a
    #: review.
    renegotiation: bool
    #: How benefits and credit are shared.
    sharing_rule: SharingRule
    #: Partners call each other to account and sanction non-conformity.
    sanctions: bool
    #: Share of time invested in building trust and shared language.
    trust_investment: float
    #: Partners meet as peers (equal status), not as commissioner and supplier.
    equal_status: bool
    #: Organisations outside a partnership, touched by its challenge, that its members consult
    #: and inform while the challenge lasts (stakeholder management, source 000: 'a defined
    #: number of people needed to support the plans'); 0 = none. The number is an assumption.
    stakeholders: int
    #: Under brokered formation, the lowest value to the community of a challenge for which
    #: the commissioner proposes a team (challenge values are lognormal with median 1); 0 =
    #: every challenge (source 003: a commissioner who steps in for the bids that matter; the
    #: level is an assumption).
    commissioner_value: float
    #: Rate at which good experiences build trust.
    trust_gain: float
    #: Rate at which bad experiences destroy trust.
    trust_loss: float
    #: Weight of what an organisation's network says about a stranger.
    reputation_weight: float
    #: Rate at which good cross-sector contact erodes myths (default: calibrated posterior
    #: median, results/calibration).
    myth_erosion: float
    #: Rate at which bad cross-sector contact confirms myths.
    myth_confirmation: float
    #: How strongly myths colour the reading of a partner's actions.
    myth_bias: float
    #: How much a jargon gap cuts understanding.
    jargon_penalty: float
    #: Monthly rate of learning a shared language while working together.
    language_learning: float
    #: Extra output from trust, understanding and leadership together.
    synergy_gain: float
    #: Coordination cost per extra partner.
    coordination_cost: float
    #: Pull towards free-riding where accountability is vague.
    freeride_temptation: float
    #: A member leaves when its net return on effort falls below this: benefit less what its
    #: effort would give alone and less its share of costs, over what it would give alone (0 =
    #: no better than going alone; assumption: a loss of a quarter).
    exit_threshold: float
    #: Running costs of a partnership a month (meetings, joint governance, a coordinator) as a
    #: share of what its members' effort would give alone, borne by the members under the
    #: sharing rule (assumption).
    running_cost: float
    #: Costs a member's early exit strands, a month to the deadline, as a share of the output
    #: it agreed to bring a month: commitments made on the strength of its contribution
    #: (source 001 slide 13, 'jointly manage impacts of failure'; size assumed).
    exit_cost: float
    #: How much an outcome-focused organisation weighs a challenge's value to the community
    #: (relative to a typical challenge) against its own return, when joining, renewing or
    #: staying (source 002, 'focus on outcomes for communities'; size assumed).
    value_weight: float
    #: Monthly growth of partnering skill with practice.
    skill_learning: float
    #: Monthly rate at which each behaviour moves with its own evidence (reinforcement).
    behaviour_drift: float
    #: Monthly rate at which what an organisation hopes for follows what it gets.
    aspiration_learning: float
    #: Monthly rate at which what a member expects of a partner follows what it sees.
    expectation_learning: float
    #: Monthly chance that a trusted fellow member introduces an organisation to one of its
    #: networking ties (source 000: a trusted collaboration begins 'to share networks'; the
    #: rate is an assumption).
    network_sharing: float
    #: Trust, both ways, from which fellow members share their networks (source 000: 'if the
    #: collaboration is a trusted one'; assumption, the level at which partners become
    #: networking ties).
    network_sharing_trust: float
    #: What a month as a partnership's stakeholder counts for, as a share of a month of joint
    #: work: the familiarity gained, and how far the partnership's results move the
    #: stakeholder's trust in its members (source 000: connected 'because of their job,
    #: without any personal or individual connection'; the size is an assumption).
    stakeholder_weight: float
    #: Share of what staff turnover would erase that full empowerment of staff and
    #: stakeholders keeps.
    empowerment_retention: float
    #: Population: spread of resources around the sector's median (lognormal sigma;
    #: assumption).
    capacity_sigma: float
    #: Population: spread of capabilities around the sector's typical level (normal standard
    #: deviation; assumption).
    capability_sd: float
    #: Population: spread of values around the sector's typical position (normal standard
    #: deviation; assumption).
    values_sd: float
    #: Population: spread of the five behaviours around behaviour_mean (normal standard
    #: deviation; assumption).
    behaviour_sd: float
    #: Population: spread of jargon use around the sector's typical level (normal standard
    #: deviation; assumption).
    jargon_sd: float
    #: Population: spread of myths around the sector's typical pattern (normal standard
    #: deviation; assumption).
    myth_sd: float
    #: Population: lowest capability in any domain, so that nobody brings nothing at all
    #: (assumption).
    min_capability: float
    #: Population: red lines (the largest values distance an organisation accepts) are
    #: U(red_line_low, red_line_high); this is the low end (assumption).
    red_line_low: float
    #: Population: high end of the red lines' U(red_line_low, red_line_high) (assumption).
    red_line_high: float
    #: Population: partnering skill of a new organisation is U(skill_low, skill_high); this is
    #: the low end (assumption).
    skill_low: float
    #: Population: high end of a new organisation's skill, U(skill_low, skill_high)
    #: (assumption).
    skill_high: float
    #: Population: mean trust a new networking tie starts with, N(mean, sd) clipped to 0..1
    #: (assumption).
    tie_trust_mean: float
    #: Population: standard deviation of the trust a new networking tie starts with
    #: (assumption).
    tie_trust_sd: float
    #: Formation: lowest perceived trust at which an organisation will accept a partner
    #: (assumption; default: calibrated posterior median, results/calibration).
    accept_trust: float
    #: Commissioner: the lower trust bar at which a member accepts a partner the commissioner
    #: proposed; its backing ('I would support you', source 003) lowers it (size assumed).
    accept_trust_brokered: float
    #: Formation: smallest gain in capability coverage worth an extra partner (assumption).
    min_gain: float
    #: Formation: how much better than going alone a partnership must look, as a share of
    #: going alone ('not the only game in town', source 001; the size is an assumption).
    decision_margin: float
    #: Formation: under aligned objectives, the largest values distance partners can agree
    #: across (assumption).
    alignable_distance: float
    #: Formation: share of the values gap that negotiating objectives closes (source 003: 'we
    #: started to tease out ... where we have common ground'; size assumed).
    negotiation_gain: float
    #: Formation: extra months of forming that negotiating objectives takes (assumption).
    negotiation_months: int
    #: Formation: strangers sampled at random when searching beyond one's network
    #: (assumption).
    strangers: int
    #: Formation: understanding a would-be member expects when judging a team (assumption;
    #: default: calibrated posterior median, results/calibration).
    expected_understanding: float
    #: Formation: leadership a would-be member expects when judging a team (assumption).
    expected_leadership: float
    #: Commissioner: trust it expects a team it backs to reach, in its own estimate of the
    #: team's synergy: it cannot see the organisations' trust (assumption).
    broker_vouched_trust: float
    #: Formation: Dirichlet concentration of a challenge's capability needs; below 1 most
    #: challenges need two or three domains (assumption).
    challenge_concentration: float
    #: Formation: a challenge's planned life is challenge_duration x U(duration_spread_low,
    #: duration_spread_high); this is the low end (assumption).
    duration_spread_low: float
    #: Formation: high end of the planned life's multiplier U(duration_spread_low,
    #: duration_spread_high) (assumption).
    duration_spread_high: float
    #: Formation: spread of a challenge's value to the community (lognormal sigma, median 1;
    #: assumption).
    value_sigma: float
    #: Formation: resources (share of normal) an organisation needs to take on another
    #: partnership (assumption).
    free_capacity: float
    #: Formation: a candidate's score is its coverage gain x (trust_score_base + the team's
    #: mean view of it), so trust weighs less the larger this is (assumption).
    trust_score_base: float
    #: Contribution: share of an organisation's capacity it can give to partnership work,
    #: split across its partnerships (assumption).
    involvement: float
    #: Contribution: commitment of a member with neutral trust, focus and alignment; also what
    #: a lead going alone gives (assumption).
    base_commitment: float
    #: Contribution: weight of trust in one's partners on commitment (assumption).
    w_trust: float
    #: Contribution: weight of outcome focus on commitment (assumption).
    w_focus: float
    #: Contribution: weight of aligned objectives on commitment (assumption).
    w_alignment: float
    #: Contribution: extra temptation to free-ride per member beyond two (accountability thins
    #: out; Olson 1965; size assumed).
    crowd_temptation: float
    #: Contribution: lower commitment of members who were told to partner (source 001, 'forced
    #: marriage'; size assumed).
    mandate_reluctance: float
    #: Contribution: lowest commitment; nobody commits nothing at all (assumption).
    min_commitment: float
    #: Contribution: how much clarity adds to accountability (assumption; default: calibrated
    #: posterior median, results/calibration).
    w_clarity: float
    #: Contribution: how much sanctions add to accountability (assumption).
    w_sanctions: float
    #: Contribution: how much regular reviews add to accountability (assumption).
    w_reviews: float
    #: Contribution: reviews at least this often (months) count fully towards accountability
    #: (assumption).
    regular_reviews: int
    #: Contribution: how much reviews rarer than regular_reviews count towards accountability
    #: (assumption).
    rare_reviews: float
    #: Communication: understanding between two members who communicate and listen not at all
    #: (assumption; default: calibrated posterior median, results/calibration).
    base_understanding: float
    #: Communication: extra understanding at full communication behaviour of both sides
    #: (assumption).
    w_communication: float
    #: Communication: extra understanding at full partnering skill of the one who listens
    #: (assumption).
    w_skill: float
    #: Synergy: months of forming in which a partnership delivers at reduced pace
    #: (assumption).
    forming_months: int
    #: Synergy: pace of delivery while forming, as a share of full pace (assumption).
    forming_pace: float
    #: Synergy: share of effort lost to duplication when partners understand each other not at
    #: all (source 001 slide 3: misunderstanding, wasted effort; size: calibrated posterior
    #: median, results/calibration).
    misunderstanding_waste: float
    #: Synergy: share of effort that investment in trust building takes from delivery, at full
    #: investment (assumption).
    investment_cost: float
    #: Synergy: share of the coordination cost that full partnering skill saves (source 004,
    #: 'a skilled business'; size assumed).
    skill_coordination_saving: float
    #: Sharing: how far a wholly ungenerous member inflates its claim to credit (assumption).
    credit_grab: float
    #: Trust: weight of a partner's commitment against expectation in the monthly trust signal
    #: (assumption).
    w_contribution: float
    #: Trust: weight of the fairness of one's own return in the trust signal (assumption).
    w_fairness: float
    #: Trust: weight of credit taken from one (harm) in the trust signal (assumption).
    w_harm: float
    #: Trust: weight of the partnership's results in the trust signal (assumption).
    w_outcome: float
    #: Trust: weight of time invested in building trust in the trust signal (source 002; size
    #: assumed).
    w_investment: float
    #: Trust: how far a full-strength myth (at myth_bias 1) lowers the reading of a partner's
    #: commitment (assumption).
    myth_colour: float
    #: Trust: noise in reading a partner's behaviour (standard deviation; assumption).
    signal_noise: float
    #: Trust: largest relative unfairness of one's return a trust signal reads (assumption).
    fairness_cap: float
    #: Trust: largest synergy surplus or shortfall a trust signal reads (assumption).
    outcome_cap: float
    #: Reputation: first impression of a stranger held with a full myth; with no myth it is
    #: first_low + first_range (source 000's myths as first impressions; size assumed).
    first_low: float
    #: Reputation: how much higher the first impression of a stranger is with no myth than
    #: with a full one (size assumed).
    first_range: float
    #: Myths: how much the full set of contact conditions amplifies myth erosion (Pettigrew &
    #: Tropp 2006 find larger effects under the optimal conditions; size assumed).
    contact_boost: float
    #: Myths: size of the trust signal at which an experience has its full effect on myths
    #: (assumption).
    full_effect: float
    #: Myths: common goals count as met when the partnership's alignment reaches this
    #: (assumption).
    aligned: float
    #: Myths: clarity from which rules, with reviews, count as support of authorities
    #: (assumption).
    supportive_clarity: float
    #: Review: without scheduled reviews, the monthly chance that a member takes stock
    #: informally (assumption).
    informal_check: float
    #: Review: how badly an informal check misjudges the return on effort (standard deviation;
    #: assumption).
    informal_noise: float
    #: Review: a member whose mean trust in its partners falls below this wants out
    #: (assumption).
    trust_floor: float
    #: Review: a partnership whose mean trust falls below this collapses (assumption).
    collapse: float
    #: Review: shortfall of commitment below what was agreed at which a member is called to
    #: account at a review (assumption).
    slack: float
    #: Review: boost to commitment from being called to account (source 003; size assumed).
    call_boost: float
    #: Review: share of the boost from being called to account that is left a month later
    #: (assumption).
    call_decay: float
    #: Review: share of its smoothed return a sanctioned member forfeits (source 001 slide 11,
    #: 'mechanisms for non conformity'; size assumed).
    sanction_cost: float
    #: Review: share of trust the remaining members lose in a member who walks out
    #: (assumption).
    exit_damage: float
    #: Review: share of the exit damage that pre-agreed exit arrangements prevent (seed 002,
    #: nuptial agreements; size assumed).
    exit_softening: float
    #: Review: resources (share of normal) below which a member under stress may pull out
    #: (assumption).
    cut_level: float
    #: Review: weight of the latest month in a member's smoothed return on effort
    #: (assumption).
    return_smoothing: float
    #: Review: monthly chance of pulling out, per unit of unaccounted stress, under a cut
    #: (source 003, 'pulled away from collaboration'; size assumed).
    pull_out: float
    #: Review: share of its goal a partnership must have met by its deadline for a
    #: renegotiation of the deadline to be considered (assumption).
    renegotiate_share: float
    #: Shocks: monthly recovery of resources towards their normal level after a cut, as a
    #: share of the gap (assumption).
    recovery: float
    #: Shocks: share of stress left a month later (assumption).
    stress_decay: float
    #: Shocks: stress every organisation feels during a turbulent period (source 003; size
    #: assumed).
    turbulent_stress: float
    #: Learning: how many times faster shared language is learned at full trust investment,
    #: less one (source 003's language workshop; size assumed).
    investment_language_boost: float
    #: Learning: surprise in the leadership evidence (the synergy ratio) that moves leadership
    #: at its full rate (assumption).
    evidence_scale_leadership: float
    #: Learning: surprise in the sharing evidence (partners' trust signal about one) that
    #: moves sharing at its full rate (assumption).
    evidence_scale_sharing: float
    #: Learning: surprise in the outcome-focus evidence (progress against plan, a ratio) that
    #: moves outcome focus at its full rate (assumption).
    evidence_scale_outcome_focus: float
    #: Learning: surprise in the communication evidence (understanding, a share) that moves
    #: communication at its full rate (assumption).
    evidence_scale_communication: float
    #: Learning: surprise in the empowerment evidence (trust in one's partners, a share) that
    #: moves empowerment at its full rate (assumption).
    evidence_scale_empowerment: float
    #: Learning: trust, both ways, from which partners who have worked together become a
    #: networking tie ('some networks may develop', source 000; size assumed).
    tie_trust: float
    #: Learning: months of joint work after which trusting partners become a networking tie
    #: (source 000; size assumed).
    tie_months: int
    #: Tie decay: monthly chance that a networking tie made by collaboration (joint work, an
    #: introduction) is lost while the pair do not work together. Burt 2000 (Decay functions):
    #: most new relationships are gone within a year unless renewed; Burt 2002: nine in ten
    #: bridges are. 'Most' read as half, 1 - 0.5^(1/12) = 0.056 (nine in ten would be 0.175);
    #: that reading is the assumption.
    tie_decay: float
    #: Tie decay: how much each month of joint work a pair remember slows the decay of their
    #: tie: the chance is tie_decay / (1 + this x familiarity), halved by a year of joint work
    #: at 1/12 (Burt 2000: decay slows as a relationship ages and is embedded; the form and
    #: size are assumptions).
    tie_decay_slowing: float
    #: Staff turnover: partnering skill a newcomer brings (the middle of the first
    #: population's range; assumption).
    skill_newcomer: float
    #: Staff turnover: familiarity (months of joint work remembered) below which a
    #: relationship without a networking tie is forgotten (assumption).
    forgotten: float

    def __getitem__(self, key: str) -> Any:
        try:
            return getattr(self, key)
        except AttributeError:
            raise KeyError(key) from None

    def __iter__(self) -> Iterator[str]:
        return (f.name for f in fields(self))

    def __len__(self) -> int:
        return len(fields(self))
