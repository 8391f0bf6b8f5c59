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
    #: How partnerships form: by choice, proposed by a commissioner, or mandated.
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
    #: to pay; the rest falls on the remaining members as agreed (seed 002, 'how to share
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
    #: Rate at which good experiences build trust.
    trust_gain: float
    #: Rate at which bad experiences destroy trust.
    trust_loss: float
    #: Weight of what an organisation's network says about a stranger.
    reputation_weight: float
    #: Rate at which good cross-sector contact erodes myths.
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
    #: it agreed to bring a month: commitments made on the strength of its contribution (seed
    #: 001 slide 13, 'jointly manage impacts of failure'; size assumed).
    exit_cost: float
    #: How much an outcome-focused organisation weighs a challenge's value to the community
    #: (relative to a typical challenge) against its own return, when joining, renewing or
    #: staying (seed 002, 'focus on outcomes for communities'; size assumed).
    value_weight: float
    #: Monthly growth of partnering skill with practice.
    skill_learning: float
    #: Monthly rate at which each behaviour moves with its own evidence (reinforcement).
    behaviour_drift: float
    #: Monthly rate at which what an organisation hopes for follows what it gets.
    aspiration_learning: float
    #: Monthly rate at which what a member expects of a partner follows what it sees.
    expectation_learning: float
    #: Share of what staff turnover would erase that full empowerment of staff and
    #: stakeholders keeps.
    empowerment_retention: float

    def __getitem__(self, key: str) -> Any:
        try:
            return getattr(self, key)
        except AttributeError:
            raise KeyError(key) from None

    def __iter__(self) -> Iterator[str]:
        return (f.name for f in fields(self))

    def __len__(self) -> int:
        return len(fields(self))
