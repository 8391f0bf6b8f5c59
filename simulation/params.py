"""Every model parameter, defined once.

Each :class:`Param` carries its type, default, allowed range or values, a one-line
help text and a group. The Python API (:class:`simulation.model.CollabModel`,
:func:`simulation.run_model`), the command line (``--set NAME=VALUE``), experiment
files and the browser sliders all validate through :func:`validate`, so a value
that one of them accepts is accepted by all of them.
"""

from __future__ import annotations

import decimal
import math
import numbers
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .errors import ParameterError
from .governance import PRESETS
from .sectors import SECTORS


@dataclass(frozen=True)
class Param:
    """One parameter: name, type, default, what is allowed and what it means."""

    name: str
    kind: type  # int, float, bool or str
    default: Any
    help: str
    group: str
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] | None = None

    def allowed(self) -> str:
        """Plain-words description of the allowed values, used in error messages."""
        if self.kind is bool:
            return "allowed: true or false"
        if self.choices is not None:
            return "allowed: " + ", ".join(self.choices)
        kind = "an integer" if self.kind is int else "a number"
        return f"allowed: {kind} from {_fmt(self.low)} to {_fmt(self.high)}"

    def coerce(self, value: Any, *, source: str | None = None) -> Any:
        """Return ``value`` as this parameter's type, or raise :class:`ParameterError`."""
        fail = ParameterError(self.name, value, self.allowed(), source=source)
        if self.kind is bool:
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
                return value.strip().lower() in _TRUE
            if isinstance(value, int | float) and value in (0, 1):
                return bool(value)
            raise fail
        if self.kind is str:
            if not isinstance(value, str) or value not in (self.choices or ()):
                raise fail
            return value
        if isinstance(value, bool) or "bool" in type(value).__name__:  # numpy bools too
            raise fail
        if self.kind is int:
            number = _exact_int(value)
            if number is None:
                raise fail
        else:
            if isinstance(value, str):
                if not value.isascii():  # digits of other scripts are not read as numbers
                    raise fail
                try:
                    value = float(value.strip())
                except ValueError:
                    raise fail from None
            try:
                number = float(value)
            except (TypeError, ValueError, OverflowError):
                raise fail from None
            if not math.isfinite(number):
                raise fail
        if (self.low is not None and number < self.low) or (
            self.high is not None and number > self.high
        ):
            raise fail
        return number


def _exact_int(value: Any) -> int | None:
    """``value`` as an exact Python int, or None if it is not a whole number.

    Never goes through a float: ``"9007199254740993"`` stays ...993. Strings are read as
    decimals (``"12"``, ``"1e3"``, ``"12.0"``); floats must be finite and whole.
    """
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, str):
        if not value.isascii():  # Python also reads other scripts' digits ("١" is 1)
            return None
        try:
            d = decimal.Decimal(value.strip().replace("_", ""))
        except (decimal.InvalidOperation, ValueError):
            return None
        # A bound on the exponent keeps "1e999999999" from building a huge int.
        if not d.is_finite() or d.adjusted() > 40 or d != d.to_integral_value():
            return None
        return int(d)
    if isinstance(value, float):
        return int(value) if math.isfinite(value) and value.is_integer() else None
    if isinstance(value, numbers.Real):  # Fraction, Decimal, numpy floats
        try:
            whole = int(value)
        except (TypeError, ValueError, OverflowError):
            return None
        return whole if whole == value else None
    return None


_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


def _fmt(x: float | None) -> str:
    if x is None:
        return "any"
    return str(int(x)) if float(x).is_integer() else str(x)


_DEFS: list[Param] = [
    # --- population -------------------------------------------------------------------
    Param("n_orgs", int, 150, "Number of organisations.", "population", 4, 100_000),
    Param(
        "share_public",
        float,
        0.20,
        "Share of organisations in the public sector.",
        "population",
        0,
        1,
    ),
    Param(
        "share_private",
        float,
        0.25,
        "Share of organisations in the private sector.",
        "population",
        0,
        1,
    ),
    Param(
        "share_third",
        float,
        0.35,
        "Share of organisations in the third (voluntary) sector.",
        "population",
        0,
        1,
    ),
    Param(
        "share_community",
        float,
        0.20,
        "Share of organisations that are community groups of service users.",
        "population",
        0,
        1,
    ),
    Param(
        "network_degree",
        int,
        6,
        "Mean number of networking ties per organisation.",
        "population",
        0,
        50,
    ),
    Param(
        "network_cross_sector",
        float,
        0.3,
        "Share of networking ties that cross sector lines.",
        "population",
        0,
        1,
    ),
    Param(
        "myth_initial",
        float,
        0.5,
        "Mean initial strength of myths about other sectors (0 none, 1 total).",
        "population",
        0,
        1,
    ),
    Param(
        "jargon_scale",
        float,
        1.0,
        "Multiplier on each sector's typical jargon use.",
        "population",
        0,
        2,
    ),
    Param(
        "behaviour_mean",
        float,
        0.5,
        "Mean of the five partnership behaviours across organisations.",
        "population",
        0,
        1,
    ),
    # --- environment ------------------------------------------------------------------
    Param(
        "challenge_rate",
        float,
        1.5,
        "New challenges arriving per month per 100 organisations.",
        "environment",
        0,
        50,
    ),
    Param(
        "challenge_duration",
        int,
        36,
        "Planned life of a partnership, in months.",
        "environment",
        3,
        240,
    ),
    Param(
        "max_partners",
        int,
        4,
        "Largest number of members a partnership can have.",
        "environment",
        2,
        12,
    ),
    Param(
        "max_memberships",
        int,
        3,
        "Most partnerships one organisation can be in at once.",
        "environment",
        1,
        20,
    ),
    Param(
        "shock_rate",
        float,
        0.02,
        "Monthly probability of a funding shock that cuts one sector's resources.",
        "environment",
        0,
        1,
    ),
    Param(
        "shock_size", float, 0.3, "Share of resources a funding shock removes.", "environment", 0, 1
    ),
    Param(
        "turbulence_rate",
        float,
        0.02,
        "Monthly probability that a turbulent period starts.",
        "environment",
        0,
        1,
    ),
    Param(
        "turbulence_length",
        int,
        12,
        "Mean length of a turbulent period, in months.",
        "environment",
        1,
        120,
    ),
    Param(
        "staff_turnover_scale",
        float,
        1.0,
        "Multiplier on each sector's typical staff turnover, through which organisations "
        "forget skill, shared language and relationships.",
        "environment",
        0,
        5,
    ),
    Param(
        "closure_scale",
        float,
        1.0,
        "Multiplier on each sector's typical rate of organisations closing (each is replaced "
        "by a newly founded one).",
        "environment",
        0,
        10,
    ),
    Param(
        "burn_in",
        int,
        360,
        "Months simulated before read-outs start, so that they come from the steady state.",
        "environment",
        0,
        2400,
    ),
    # --- governance rules (the experimental treatment) ----------------------------------
    Param(
        "governance",
        str,
        "custom",
        "Named governance preset; 'custom' uses the individual rules below.",
        "governance",
        choices=("custom", *PRESETS),
    ),
    Param(
        "formation_mode",
        str,
        "voluntary",
        "How partnerships form: by choice; with a commissioner who proposes teams for the "
        "challenges it values (organisations may refuse, then search themselves); or mandated.",
        "governance",
        choices=("voluntary", "brokered", "mandated"),
    ),
    Param(
        "clarity",
        float,
        0.4,
        "Clarity of accountabilities and responsibilities (curbs free-riding).",
        "governance",
        0,
        1,
    ),
    Param(
        "alignment_required",
        bool,
        False,
        "Objectives must be aligned before a partnership starts.",
        "governance",
    ),
    Param(
        "red_lines",
        bool,
        True,
        "Organisations refuse partners whose values cross their red lines.",
        "governance",
    ),
    Param(
        "review_interval",
        int,
        12,
        "Months between partnership reviews (0 = never).",
        "governance",
        0,
        120,
    ),
    Param(
        "exit_arrangements",
        bool,
        False,
        "Pre-agreed exit arrangements ('nuptial agreements'): a leaver pays its agreed share "
        "of the costs its exit strands, and exits do less damage to trust.",
        "governance",
    ),
    Param(
        "exit_share",
        float,
        0.5,
        "Under exit arrangements, the share of the costs its exit strands that a leaver "
        "agreed to pay; the rest falls on the remaining members as agreed (source 002, "
        "'how to share benefits and risks ... and exit arrangements'; size assumed).",
        "governance",
        0,
        1,
    ),
    Param(
        "renegotiation",
        bool,
        False,
        "A partnership that has met most of its goal by its deadline may agree more time at "
        "a review.",
        "governance",
    ),
    Param(
        "sharing_rule",
        str,
        "proportional",
        "How benefits and credit are shared.",
        "governance",
        choices=("proportional", "equal", "power"),
    ),
    Param(
        "sanctions",
        bool,
        False,
        "Partners call each other to account and sanction non-conformity.",
        "governance",
    ),
    Param(
        "trust_investment",
        float,
        0.2,
        "Share of time invested in building trust and shared language.",
        "governance",
        0,
        1,
    ),
    Param(
        "equal_status",
        bool,
        False,
        "Partners meet as peers (equal status), not as commissioner and supplier.",
        "governance",
    ),
    Param(
        "stakeholders",
        int,
        2,
        "Organisations outside a partnership, touched by its challenge, that its members "
        "consult and inform while the challenge lasts (stakeholder management, source 000: 'a "
        "defined number of people needed to support the plans'); 0 = none. The number is an "
        "assumption.",
        "governance",
        0,
        20,
    ),
    Param(
        "commissioner_value",
        float,
        1.0,
        "Under brokered formation, the lowest value to the community of a challenge for which "
        "the commissioner proposes a team (challenge values are lognormal with median 1); 0 = "
        "every challenge (source 003: a commissioner who steps in for the bids that matter; the "
        "level is an assumption).",
        "governance",
        0,
        10,
    ),
    # --- mechanism strengths (calibration) ---------------------------------------------
    Param(
        "trust_gain", float, 0.08, "Rate at which good experiences build trust.", "mechanisms", 0, 1
    ),
    Param(
        "trust_loss",
        float,
        0.20,
        "Rate at which bad experiences destroy trust.",
        "mechanisms",
        0,
        1,
    ),
    Param(
        "reputation_weight",
        float,
        0.4,
        "Weight of what an organisation's network says about a stranger.",
        "mechanisms",
        0,
        1,
    ),
    Param(
        "myth_erosion",
        float,
        0.0117,
        "Rate at which good cross-sector contact erodes myths (default: calibrated posterior "
        "median, results/calibration).",
        "mechanisms",
        0,
        1,
    ),
    Param(
        "myth_confirmation",
        float,
        0.06,
        "Rate at which bad cross-sector contact confirms myths.",
        "mechanisms",
        0,
        1,
    ),
    Param(
        "myth_bias",
        float,
        0.3,
        "How strongly myths colour the reading of a partner's actions.",
        "mechanisms",
        0,
        1,
    ),
    Param(
        "jargon_penalty",
        float,
        0.5,
        "How much a jargon gap cuts understanding.",
        "mechanisms",
        0,
        1,
    ),
    Param(
        "language_learning",
        float,
        0.03,
        "Monthly rate of learning a shared language while working together.",
        "mechanisms",
        0,
        1,
    ),
    Param(
        "synergy_gain",
        float,
        0.8,
        "Extra output from trust, understanding and leadership together.",
        "mechanisms",
        0,
        5,
    ),
    Param(
        "coordination_cost", float, 0.12, "Coordination cost per extra partner.", "mechanisms", 0, 2
    ),
    Param(
        "freeride_temptation",
        float,
        0.25,
        "Pull towards free-riding where accountability is vague.",
        "mechanisms",
        0,
        1,
    ),
    Param(
        "exit_threshold",
        float,
        -0.25,
        "A member leaves when its net return on effort falls below this: benefit less what "
        "its effort would give alone and less its share of costs, over what it would give "
        "alone (0 = no better than going alone; assumption: a loss of a quarter).",
        "mechanisms",
        -1,
        4,
    ),
    Param(
        "running_cost",
        float,
        0.1,
        "Running costs of a partnership a month (meetings, joint governance, a coordinator) "
        "as a share of what its members' effort would give alone, borne by the members "
        "under the sharing rule (assumption).",
        "mechanisms",
        0,
        2,
    ),
    Param(
        "exit_cost",
        float,
        0.25,
        "Costs a member's early exit strands, a month to the deadline, as a share of the "
        "output it agreed to bring a month: commitments made on the strength of its "
        "contribution (source 001 slide 13, 'jointly manage impacts of failure'; size assumed).",
        "mechanisms",
        0,
        2,
    ),
    Param(
        "value_weight",
        float,
        1.0,
        "How much an outcome-focused organisation weighs a challenge's value to the "
        "community (relative to a typical challenge) against its own return, when joining, "
        "renewing or staying (source 002, 'focus on outcomes for communities'; size assumed).",
        "mechanisms",
        0,
        5,
    ),
    Param(
        "skill_learning",
        float,
        0.02,
        "Monthly growth of partnering skill with practice.",
        "mechanisms",
        0,
        1,
    ),
    Param(
        "behaviour_drift",
        float,
        0.02,
        "Monthly rate at which each behaviour moves with its own evidence (reinforcement).",
        "mechanisms",
        0,
        1,
    ),
    Param(
        "aspiration_learning",
        float,
        0.1,
        "Monthly rate at which what an organisation hopes for follows what it gets.",
        "mechanisms",
        0,
        1,
    ),
    Param(
        "expectation_learning",
        float,
        0.1,
        "Monthly rate at which what a member expects of a partner follows what it sees.",
        "mechanisms",
        0,
        1,
    ),
    Param(
        "network_sharing",
        float,
        0.05,
        "Monthly chance that a trusted fellow member introduces an organisation to one of its "
        "networking ties (source 000: a trusted collaboration begins 'to share networks'; the "
        "rate is an assumption).",
        "mechanisms",
        0,
        1,
    ),
    Param(
        "network_sharing_trust",
        float,
        0.7,
        "Trust, both ways, from which fellow members share their networks (source 000: 'if the "
        "collaboration is a trusted one'; assumption, the level at which partners become "
        "networking ties).",
        "mechanisms",
        0,
        1,
    ),
    Param(
        "stakeholder_weight",
        float,
        0.1,
        "What a month as a partnership's stakeholder counts for, as a share of a month of "
        "joint work: the familiarity gained, and how far the partnership's results move the "
        "stakeholder's trust in its members (source 000: connected 'because of their job, "
        "without any personal or individual connection'; the size is an assumption).",
        "mechanisms",
        0,
        1,
    ),
    Param(
        "empowerment_retention",
        float,
        0.5,
        "Share of what staff turnover would erase that full empowerment of staff and "
        "stakeholders keeps.",
        "mechanisms",
        0,
        1,
    ),
]

# --- mechanism constants ---------------------------------------------------------------------
# The numbers inside each mechanism's equations and the spreads of the population's draws:
# stylised, each from a source or marked as an assumption, and screened by the sensitivity
# analysis like every other parameter. The defaults are the values the model was built with.


def _constant(name: str, kind: type, default: Any, low: float, high: float, help: str) -> Param:
    """A parameter of the ``constants`` group (the mechanism constants)."""
    return Param(name, kind, default, help, "constants", low, high)


_DEFS += [
    # population and founding (simulation/population.py)
    _constant(
        "capacity_sigma",
        float,
        0.5,
        0,
        3,
        "Population: spread of resources around the sector's median (lognormal sigma; assumption).",
    ),
    _constant(
        "capability_sd",
        float,
        0.1,
        0,
        1,
        "Population: spread of capabilities around the sector's typical level (normal "
        "standard deviation; assumption).",
    ),
    _constant(
        "values_sd",
        float,
        0.1,
        0,
        1,
        "Population: spread of values around the sector's typical position (normal standard "
        "deviation; assumption).",
    ),
    _constant(
        "behaviour_sd",
        float,
        0.15,
        0,
        1,
        "Population: spread of the five behaviours around behaviour_mean (normal standard "
        "deviation; assumption).",
    ),
    _constant(
        "jargon_sd",
        float,
        0.05,
        0,
        1,
        "Population: spread of jargon use around the sector's typical level (normal standard "
        "deviation; assumption).",
    ),
    _constant(
        "myth_sd",
        float,
        0.08,
        0,
        1,
        "Population: spread of myths around the sector's typical pattern (normal standard "
        "deviation; assumption).",
    ),
    _constant(
        "min_capability",
        float,
        0.02,
        0.001,
        1,
        "Population: lowest capability in any domain, so that nobody brings nothing at all "
        "(assumption).",
    ),
    _constant(
        "red_line_low",
        float,
        0.3,
        0,
        1,
        "Population: red lines (the largest values distance an organisation accepts) are "
        "U(red_line_low, red_line_high); this is the low end (assumption).",
    ),
    _constant(
        "red_line_high",
        float,
        0.6,
        0,
        1,
        "Population: high end of the red lines' U(red_line_low, red_line_high) (assumption).",
    ),
    _constant(
        "skill_low",
        float,
        0.1,
        0,
        1,
        "Population: partnering skill of a new organisation is U(skill_low, skill_high); this "
        "is the low end (assumption).",
    ),
    _constant(
        "skill_high",
        float,
        0.4,
        0,
        1,
        "Population: high end of a new organisation's skill, U(skill_low, skill_high) "
        "(assumption).",
    ),
    _constant(
        "tie_trust_mean",
        float,
        0.6,
        0,
        1,
        "Population: mean trust a new networking tie starts with, N(mean, sd) clipped to 0..1 "
        "(assumption).",
    ),
    _constant(
        "tie_trust_sd",
        float,
        0.1,
        0,
        1,
        "Population: standard deviation of the trust a new networking tie starts with "
        "(assumption).",
    ),
    # formation (mechanisms/formation.py)
    _constant(
        "accept_trust",
        float,
        0.337,
        0,
        1,
        "Formation: lowest perceived trust at which an organisation will accept a partner "
        "(assumption; default: calibrated posterior median, results/calibration).",
    ),
    _constant(
        "accept_trust_brokered",
        float,
        0.2,
        0,
        1,
        "Commissioner: the lower trust bar at which a member accepts a partner the "
        "commissioner proposed; its backing ('I would support you', source 003) lowers it "
        "(size assumed).",
    ),
    _constant(
        "min_gain",
        float,
        0.03,
        0,
        1,
        "Formation: smallest gain in capability coverage worth an extra partner (assumption).",
    ),
    _constant(
        "decision_margin",
        float,
        0.05,
        0,
        2,
        "Formation: how much better than going alone a partnership must look, as a share of "
        "going alone ('not the only game in town', source 001; the size is an assumption).",
    ),
    _constant(
        "alignable_distance",
        float,
        0.4,
        0,
        1,
        "Formation: under aligned objectives, the largest values distance partners can agree "
        "across (assumption).",
    ),
    _constant(
        "negotiation_gain",
        float,
        0.5,
        0,
        1,
        "Formation: share of the values gap that negotiating objectives closes (source 003: 'we "
        "started to tease out ... where we have common ground'; size assumed).",
    ),
    _constant(
        "negotiation_months",
        int,
        3,
        0,
        24,
        "Formation: extra months of forming that negotiating objectives takes (assumption).",
    ),
    _constant(
        "strangers",
        int,
        5,
        0,
        100,
        "Formation: strangers sampled at random when searching beyond one's network (assumption).",
    ),
    _constant(
        "expected_understanding",
        float,
        0.769,
        0,
        1,
        "Formation: understanding a would-be member expects when judging a team (assumption; "
        "default: calibrated posterior median, results/calibration).",
    ),
    _constant(
        "expected_leadership",
        float,
        0.5,
        0,
        1,
        "Formation: leadership a would-be member expects when judging a team (assumption).",
    ),
    _constant(
        "broker_vouched_trust",
        float,
        0.6,
        0,
        1,
        "Commissioner: trust it expects a team it backs to reach, in its own estimate of the "
        "team's synergy: it cannot see the organisations' trust (assumption).",
    ),
    _constant(
        "challenge_concentration",
        float,
        0.7,
        0.01,
        100,
        "Formation: Dirichlet concentration of a challenge's capability needs; below 1 most "
        "challenges need two or three domains (assumption).",
    ),
    _constant(
        "duration_spread_low",
        float,
        0.67,
        0.01,
        1,
        "Formation: a challenge's planned life is challenge_duration x U(duration_spread_low, "
        "duration_spread_high); this is the low end (assumption).",
    ),
    _constant(
        "duration_spread_high",
        float,
        1.33,
        1,
        3,
        "Formation: high end of the planned life's multiplier U(duration_spread_low, "
        "duration_spread_high) (assumption).",
    ),
    _constant(
        "value_sigma",
        float,
        0.3,
        0,
        3,
        "Formation: spread of a challenge's value to the community (lognormal sigma, median "
        "1; assumption).",
    ),
    _constant(
        "free_capacity",
        float,
        0.5,
        0,
        1,
        "Formation: resources (share of normal) an organisation needs to take on another "
        "partnership (assumption).",
    ),
    _constant(
        "trust_score_base",
        float,
        0.5,
        0,
        10,
        "Formation: a candidate's score is its coverage gain x (trust_score_base + the team's "
        "mean view of it), so trust weighs less the larger this is (assumption).",
    ),
    # contribution (mechanisms/contribution.py)
    _constant(
        "involvement",
        float,
        0.5,
        0,
        1,
        "Contribution: share of an organisation's capacity it can give to partnership work, "
        "split across its partnerships (assumption).",
    ),
    _constant(
        "base_commitment",
        float,
        0.6,
        0,
        1,
        "Contribution: commitment of a member with neutral trust, focus and alignment; also "
        "what a lead going alone gives (assumption).",
    ),
    _constant(
        "w_trust",
        float,
        0.45,
        0,
        5,
        "Contribution: weight of trust in one's partners on commitment (assumption).",
    ),
    _constant(
        "w_focus",
        float,
        0.3,
        0,
        5,
        "Contribution: weight of outcome focus on commitment (assumption).",
    ),
    _constant(
        "w_alignment",
        float,
        0.3,
        0,
        5,
        "Contribution: weight of aligned objectives on commitment (assumption).",
    ),
    _constant(
        "crowd_temptation",
        float,
        0.15,
        0,
        5,
        "Contribution: extra temptation to free-ride per member beyond two (accountability "
        "thins out; Olson 1965; size assumed).",
    ),
    _constant(
        "mandate_reluctance",
        float,
        0.1,
        0,
        1,
        "Contribution: lower commitment of members who were told to partner (source 001, "
        "'forced marriage'; size assumed).",
    ),
    _constant(
        "min_commitment",
        float,
        0.05,
        0,
        1,
        "Contribution: lowest commitment; nobody commits nothing at all (assumption).",
    ),
    _constant(
        "w_clarity",
        float,
        0.713,
        0,
        1,
        "Contribution: how much clarity adds to accountability (assumption; default: calibrated "
        "posterior median, results/calibration).",
    ),
    _constant(
        "w_sanctions",
        float,
        0.2,
        0,
        1,
        "Contribution: how much sanctions add to accountability (assumption).",
    ),
    _constant(
        "w_reviews",
        float,
        0.2,
        0,
        1,
        "Contribution: how much regular reviews add to accountability (assumption).",
    ),
    _constant(
        "regular_reviews",
        int,
        12,
        1,
        120,
        "Contribution: reviews at least this often (months) count fully towards "
        "accountability (assumption).",
    ),
    _constant(
        "rare_reviews",
        float,
        0.5,
        0,
        1,
        "Contribution: how much reviews rarer than regular_reviews count towards "
        "accountability (assumption).",
    ),
    # communication (mechanisms/communication.py)
    _constant(
        "base_understanding",
        float,
        0.585,
        0,
        1,
        "Communication: understanding between two members who communicate and listen not at "
        "all (assumption; default: calibrated posterior median, results/calibration).",
    ),
    _constant(
        "w_communication",
        float,
        0.35,
        0,
        1,
        "Communication: extra understanding at full communication behaviour of both sides "
        "(assumption).",
    ),
    _constant(
        "w_skill",
        float,
        0.1,
        0,
        1,
        "Communication: extra understanding at full partnering skill of the one who listens "
        "(assumption).",
    ),
    # synergy (mechanisms/synergy.py)
    _constant(
        "forming_months",
        int,
        3,
        1,
        24,
        "Synergy: months of forming in which a partnership delivers at reduced pace (assumption).",
    ),
    _constant(
        "forming_pace",
        float,
        0.5,
        0,
        1,
        "Synergy: pace of delivery while forming, as a share of full pace (assumption).",
    ),
    _constant(
        "misunderstanding_waste",
        float,
        0.378,
        0,
        1,
        "Synergy: share of effort lost to duplication when partners understand each other "
        "not at all (source 001 slide 3: misunderstanding, wasted effort; size: calibrated "
        "posterior median, results/calibration).",
    ),
    _constant(
        "investment_cost",
        float,
        0.1,
        0,
        1,
        "Synergy: share of effort that investment in trust building takes from delivery, at "
        "full investment (assumption).",
    ),
    _constant(
        "skill_coordination_saving",
        float,
        0.5,
        0,
        1,
        "Synergy: share of the coordination cost that full partnering skill saves (source 004, "
        "'a skilled business'; size assumed).",
    ),
    # benefit sharing (mechanisms/sharing.py)
    _constant(
        "credit_grab",
        float,
        1.0,
        0,
        10,
        "Sharing: how far a wholly ungenerous member inflates its claim to credit (assumption).",
    ),
    # trust and reputation (mechanisms/trust.py)
    _constant(
        "w_contribution",
        float,
        1.0,
        0,
        10,
        "Trust: weight of a partner's commitment against expectation in the monthly trust "
        "signal (assumption).",
    ),
    _constant(
        "w_fairness",
        float,
        0.5,
        0,
        10,
        "Trust: weight of the fairness of one's own return in the trust signal (assumption).",
    ),
    _constant(
        "w_harm",
        float,
        2.0,
        0,
        10,
        "Trust: weight of credit taken from one (harm) in the trust signal (assumption).",
    ),
    _constant(
        "w_outcome",
        float,
        0.3,
        0,
        10,
        "Trust: weight of the partnership's results in the trust signal (assumption).",
    ),
    _constant(
        "w_investment",
        float,
        0.08,
        0,
        10,
        "Trust: weight of time invested in building trust in the trust signal (source 002; "
        "size assumed).",
    ),
    _constant(
        "myth_colour",
        float,
        0.3,
        0,
        1,
        "Trust: how far a full-strength myth (at myth_bias 1) lowers the reading of a "
        "partner's commitment (assumption).",
    ),
    _constant(
        "signal_noise",
        float,
        0.08,
        0,
        1,
        "Trust: noise in reading a partner's behaviour (standard deviation; assumption).",
    ),
    _constant(
        "fairness_cap",
        float,
        0.5,
        0,
        5,
        "Trust: largest relative unfairness of one's return a trust signal reads (assumption).",
    ),
    _constant(
        "outcome_cap",
        float,
        0.5,
        0,
        5,
        "Trust: largest synergy surplus or shortfall a trust signal reads (assumption).",
    ),
    _constant(
        "first_low",
        float,
        0.2,
        0,
        1,
        "Reputation: first impression of a stranger held with a full myth; with no myth it "
        "is first_low + first_range (source 000's myths as first impressions; size assumed).",
    ),
    _constant(
        "first_range",
        float,
        0.6,
        0,
        1,
        "Reputation: how much higher the first impression of a stranger is with no myth than "
        "with a full one (size assumed).",
    ),
    # myth dynamics (mechanisms/myths.py)
    _constant(
        "contact_boost",
        float,
        1.0,
        0,
        10,
        "Myths: how much the full set of contact conditions amplifies myth erosion (Pettigrew "
        "& Tropp 2006 find larger effects under the optimal conditions; size assumed).",
    ),
    _constant(
        "full_effect",
        float,
        0.25,
        0.001,
        10,
        "Myths: size of the trust signal at which an experience has its full effect on myths "
        "(assumption).",
    ),
    _constant(
        "aligned",
        float,
        0.7,
        0,
        1,
        "Myths: common goals count as met when the partnership's alignment reaches this "
        "(assumption).",
    ),
    _constant(
        "supportive_clarity",
        float,
        0.5,
        0,
        1,
        "Myths: clarity from which rules, with reviews, count as support of authorities "
        "(assumption).",
    ),
    # review and exit (mechanisms/review.py)
    _constant(
        "informal_check",
        float,
        1 / 24,
        0,
        1,
        "Review: without scheduled reviews, the monthly chance that a member takes stock "
        "informally (assumption).",
    ),
    _constant(
        "informal_noise",
        float,
        0.3,
        0,
        5,
        "Review: how badly an informal check misjudges the return on effort (standard "
        "deviation; assumption).",
    ),
    _constant(
        "trust_floor",
        float,
        0.2,
        0,
        1,
        "Review: a member whose mean trust in its partners falls below this wants out "
        "(assumption).",
    ),
    _constant(
        "collapse",
        float,
        0.15,
        0,
        1,
        "Review: a partnership whose mean trust falls below this collapses (assumption).",
    ),
    _constant(
        "slack",
        float,
        0.1,
        0,
        1,
        "Review: shortfall of commitment below what was agreed at which a member is called "
        "to account at a review (assumption).",
    ),
    _constant(
        "call_boost",
        float,
        0.25,
        0,
        1,
        "Review: boost to commitment from being called to account (source 003; size assumed).",
    ),
    _constant(
        "call_decay",
        float,
        0.85,
        0,
        1,
        "Review: share of the boost from being called to account that is left a month later "
        "(assumption).",
    ),
    _constant(
        "sanction_cost",
        float,
        0.2,
        0,
        1,
        "Review: share of its smoothed return a sanctioned member forfeits (source 001 slide "
        "11, 'mechanisms for non conformity'; size assumed).",
    ),
    _constant(
        "exit_damage",
        float,
        0.35,
        0,
        1,
        "Review: share of trust the remaining members lose in a member who walks out (assumption).",
    ),
    _constant(
        "exit_softening",
        float,
        0.75,
        0,
        1,
        "Review: share of the exit damage that pre-agreed exit arrangements prevent (seed "
        "002, nuptial agreements; size assumed).",
    ),
    _constant(
        "cut_level",
        float,
        0.75,
        0,
        1,
        "Review: resources (share of normal) below which a member under stress may pull out "
        "(assumption).",
    ),
    _constant(
        "return_smoothing",
        float,
        0.2,
        0,
        1,
        "Review: weight of the latest month in a member's smoothed return on effort (assumption).",
    ),
    _constant(
        "pull_out",
        float,
        0.5,
        0,
        10,
        "Review: monthly chance of pulling out, per unit of unaccounted stress, under a cut "
        "(source 003, 'pulled away from collaboration'; size assumed).",
    ),
    _constant(
        "renegotiate_share",
        float,
        0.75,
        0,
        1,
        "Review: share of its goal a partnership must have met by its deadline for a "
        "renegotiation of the deadline to be considered (assumption).",
    ),
    # shocks and turbulence (mechanisms/shocks.py)
    _constant(
        "recovery",
        float,
        0.03,
        0,
        1,
        "Shocks: monthly recovery of resources towards their normal level after a cut, as a "
        "share of the gap (assumption).",
    ),
    _constant(
        "stress_decay",
        float,
        0.85,
        0,
        1,
        "Shocks: share of stress left a month later (assumption).",
    ),
    _constant(
        "turbulent_stress",
        float,
        0.3,
        0,
        2,
        "Shocks: stress every organisation feels during a turbulent period (source 003; size "
        "assumed).",
    ),
    # learning (mechanisms/learning.py)
    _constant(
        "investment_language_boost",
        float,
        2.0,
        0,
        10,
        "Learning: how many times faster shared language is learned at full trust "
        "investment, less one (source 003's language workshop; size assumed).",
    ),
    _constant(
        "evidence_scale_leadership",
        float,
        0.5,
        0.01,
        10,
        "Learning: surprise in the leadership evidence (the synergy ratio) that moves "
        "leadership at its full rate (assumption).",
    ),
    _constant(
        "evidence_scale_sharing",
        float,
        0.25,
        0.01,
        10,
        "Learning: surprise in the sharing evidence (partners' trust signal about one) that "
        "moves sharing at its full rate (assumption).",
    ),
    _constant(
        "evidence_scale_outcome_focus",
        float,
        0.5,
        0.01,
        10,
        "Learning: surprise in the outcome-focus evidence (progress against plan, a ratio) "
        "that moves outcome focus at its full rate (assumption).",
    ),
    _constant(
        "evidence_scale_communication",
        float,
        0.25,
        0.01,
        10,
        "Learning: surprise in the communication evidence (understanding, a share) that "
        "moves communication at its full rate (assumption).",
    ),
    _constant(
        "evidence_scale_empowerment",
        float,
        0.25,
        0.01,
        10,
        "Learning: surprise in the empowerment evidence (trust in one's partners, a share) "
        "that moves empowerment at its full rate (assumption).",
    ),
    _constant(
        "tie_trust",
        float,
        0.7,
        0,
        1,
        "Learning: trust, both ways, from which partners who have worked together become "
        "a networking tie ('some networks may develop', source 000; size assumed).",
    ),
    _constant(
        "tie_months",
        int,
        6,
        0,
        240,
        "Learning: months of joint work after which trusting partners become a networking "
        "tie (source 000; size assumed).",
    ),
    # tie decay (mechanisms/networks.py)
    _constant(
        "tie_decay",
        float,
        0.056,
        0,
        1,
        "Tie decay: monthly chance that a networking tie made by collaboration (joint work, "
        "an introduction) is lost while the pair do not work together. Burt 2000 (Decay "
        "functions): most new relationships are gone within a year unless renewed; Burt 2002: "
        "nine in ten bridges are. 'Most' read as half, 1 - 0.5^(1/12) = 0.056 (nine in ten "
        "would be 0.175); that reading is the assumption.",
    ),
    _constant(
        "tie_decay_slowing",
        float,
        1 / 12,
        0,
        10,
        "Tie decay: how much each month of joint work a pair remember slows the decay of "
        "their tie: the chance is tie_decay / (1 + this x familiarity), halved by a year of "
        "joint work at 1/12 (Burt 2000: decay slows as a relationship ages and is embedded; "
        "the form and size are assumptions).",
    ),
    # staff turnover (mechanisms/turnover.py)
    _constant(
        "skill_newcomer",
        float,
        0.25,
        0,
        1,
        "Staff turnover: partnering skill a newcomer brings (the middle of the first "
        "population's range; assumption).",
    ),
    _constant(
        "forgotten",
        float,
        0.5,
        0,
        120,
        "Staff turnover: familiarity (months of joint work remembered) below which a "
        "relationship without a networking tie is forgotten (assumption).",
    ),
]

PARAMS: dict[str, Param] = {p.name: p for p in _DEFS}
DEFAULTS: dict[str, Any] = {p.name: p.default for p in _DEFS}
GROUPS: tuple[str, ...] = ("population", "environment", "governance", "mechanisms", "constants")
#: What each group is called in help and docs, where its name alone says too little.
GROUP_TITLES: dict[str, str] = {"constants": "mechanism constants"}

#: Run settings are not model parameters but are validated the same way.
RUN_PARAMS: dict[str, Param] = {
    "steps": Param("steps", int, 120, "Months to simulate.", "run", 1, 100_000),
    "seed": Param("seed", int, 42, "Random seed.", "run", 0, 2**63 - 1),
}


def check_name(name: str, *, source: str | None = None) -> Param:
    """Return the definition of ``name`` or raise a clear error listing close names."""
    if name in PARAMS:
        return PARAMS[name]
    import difflib

    near = difflib.get_close_matches(name, PARAMS, n=3)
    hint = f" (did you mean {', '.join(near)}?)" if near else " (see `collabsim params`)"
    raise ParameterError(
        name, "<unknown parameter>", "not a collabsim parameter" + hint, source=source
    )


def validate(values: Mapping[str, Any], *, source: str | None = None) -> dict[str, Any]:
    """Check names, types and ranges; return the full parameter set with defaults filled.

    Governance presets are applied here: a named ``governance`` preset sets its rules,
    and any rule given explicitly in ``values`` overrides the preset.
    """
    given: dict[str, Any] = {}
    for name, value in values.items():
        given[name] = check_name(name, source=source).coerce(value, source=source)
    out = dict(DEFAULTS)
    preset = given.get("governance", "custom")
    if preset != "custom":
        out.update(PRESETS[preset].rules)
    out.update(given)
    shares = [out[f"share_{s}"] for s in SECTORS]
    if sum(shares) <= 0:
        raise ParameterError(
            "share_public..share_community",
            shares,
            "at least one sector share must be above 0",
            source=source,
        )
    if out["network_degree"] >= out["n_orgs"]:
        raise ParameterError(
            "network_degree",
            out["network_degree"],
            f"allowed: fewer than n_orgs ({out['n_orgs']})",
            source=source,
        )
    for low, high in (("red_line_low", "red_line_high"), ("skill_low", "skill_high")):
        if out[low] > out[high]:
            raise ParameterError(
                low, out[low], f"allowed: at most {high} ({_fmt(out[high])})", source=source
            )
    if out["first_low"] + out["first_range"] > 1:
        raise ParameterError(
            "first_range",
            out["first_range"],
            f"allowed: at most 1 - first_low ({_fmt(1 - out['first_low'])}), so that a first "
            "impression is a trust from 0 to 1",
            source=source,
        )
    return out


def validate_run(
    steps: Any = None, seed: Any = None, *, source: str | None = None
) -> tuple[int, int]:
    """Validate run length and seed the same way as model parameters."""
    s = RUN_PARAMS["steps"].coerce(
        RUN_PARAMS["steps"].default if steps is None else steps, source=source
    )
    z = RUN_PARAMS["seed"].coerce(
        RUN_PARAMS["seed"].default if seed is None else seed, source=source
    )
    return int(s), int(z)


def parse_assignments(items: Iterable[str], *, source: str = "--set") -> dict[str, Any]:
    """Parse ``NAME=VALUE`` strings from the command line (values validated later)."""
    out: dict[str, Any] = {}
    for item in items:
        if "=" not in item:
            raise ParameterError(source, item, "expected NAME=VALUE, e.g. clarity=0.8")
        name, value = item.split("=", 1)
        name = name.strip()
        check_name(name, source=source)
        if name in out:
            raise ParameterError(
                source,
                item,
                f"each parameter once ({name} is already set to {out[name]!r})",
            )
        out[name] = value.strip()
    return out


def describe() -> list[dict[str, Any]]:
    """Rows describing every parameter (for `collabsim params`, docs and sliders)."""
    rows = []
    for p in _DEFS:
        rows.append(
            {
                "name": p.name,
                "group": p.group,
                "type": p.kind.__name__,
                "default": p.default,
                "allowed": p.allowed().removeprefix("allowed: "),
                "help": p.help,
            }
        )
    return rows


# --- typed access ----------------------------------------------------------------------------
TYPED_MODULE = "param_types.py"


def typed_params_source() -> str:
    """Source of :mod:`simulation.param_types`, generated from the definitions above.

    ``python -m simulation.params`` rewrites the file; a test fails when it is stale.
    """
    lines = [
        '"""Typed, read-only access to a validated parameter set: ``p.trust_gain``.',
        "",
        "GENERATED from the definitions in ``simulation/params.py`` by",
        "``python -m simulation.params``; do not edit. A test fails when it is stale.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "from collections.abc import Iterator, Mapping",
        "from dataclasses import dataclass, fields",
        "from typing import Any, Literal",
        "",
    ]
    for p in _DEFS:
        if p.choices is not None:
            alias = "".join(w.title() for w in p.name.split("_"))
            lines.append(f"{alias} = Literal[")
            lines += [f'    "{c}",' for c in p.choices]
            lines.append("]")
    lines += [
        "",
        "",
        "@dataclass(frozen=True, slots=True)",
        "class Params(Mapping[str, Any]):",
        '    """A full, validated parameter set (build it with ``simulation.params.typed``).',
        "",
        "    Attribute access for the model's code; the mapping interface (``p['clarity']``,",
        "    ``dict(p)``) for everything that treats parameters as data.",
        '    """',
        "",
    ]
    for p in _DEFS:
        if p.choices is not None:
            kind = "".join(w.title() for w in p.name.split("_"))
        else:
            kind = p.kind.__name__
        import textwrap

        lines += textwrap.wrap(p.help, 94, initial_indent="    #: ", subsequent_indent="    #: ")
        lines.append(f"    {p.name}: {kind}")
    lines += [
        "",
        "    def __getitem__(self, key: str) -> Any:",
        "        try:",
        "            return getattr(self, key)",
        "        except AttributeError:",
        "            raise KeyError(key) from None",
        "",
        "    def __iter__(self) -> Iterator[str]:",
        "        return (f.name for f in fields(self))",
        "",
        "    def __len__(self) -> int:",
        "        return len(fields(self))",
        "",
    ]
    return "\n".join(lines)


def typed(values: Mapping[str, Any], *, source: str | None = None):
    """Validate ``values`` (as :func:`validate` does) and return them as typed ``Params``."""
    from .param_types import Params

    return Params(**validate(values, source=source))


if __name__ == "__main__":
    from pathlib import Path

    Path(__file__).with_name(TYPED_MODULE).write_text(typed_params_source())
