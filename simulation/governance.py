"""Governance rules and the five named presets of the model brief.

A preset is only a bundle of values for the individually settable rules in
:mod:`simulation.params` (group ``governance``); any rule can still be set on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

RULES: tuple[str, ...] = (
    "formation_mode",
    "clarity",
    "alignment_required",
    "red_lines",
    "review_interval",
    "renegotiation",
    "exit_arrangements",
    "sharing_rule",
    "sanctions",
    "trust_investment",
    "equal_status",
)


@dataclass(frozen=True)
class Preset:
    """A named bundle of governance rules, with the source it comes from.

    ``why`` says, for each rule the preset sets away from the default, where in its source
    the setting comes from; rules it does not list are the default's.
    """

    name: str
    title: str
    description: str
    source: str
    rules: dict[str, Any] = field(default_factory=dict)
    why: dict[str, str] = field(default_factory=dict)


#: The default's rules: what organisations bring to a partnership without agreeing anything
#: special (voluntary formation, some clarity, yearly reviews, their own red lines, shares in
#: proportion to what each brings, a little time for getting to know each other).
DEFAULT_RULES: dict[str, Any] = dict(
    formation_mode="voluntary",
    clarity=0.4,
    alignment_required=False,
    red_lines=True,
    review_interval=12,
    renegotiation=False,
    exit_arrangements=False,
    sharing_rule="proportional",
    sanctions=False,
    trust_investment=0.2,
    equal_status=False,
)


def _preset(name, title, description, source, why, **changes) -> Preset:
    assert set(changes) == set(why), f"{name}: every changed rule needs its reason"
    return Preset(name, title, description, source, {**DEFAULT_RULES, **changes}, why)


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in [
        _preset(
            "none",
            "No governance",
            "The default with its governance functions taken away: no reviews and no time "
            "set aside for building trust. Nothing else changes.",
            "Brief, 'Governance rules': the no-governance control.",
            dict(
                review_interval="no scheduled reviews (the default's yearly review removed)",
                trust_investment="no time set aside for building trust and shared language",
            ),
            review_interval=0,
            trust_investment=0.0,
        ),
        _preset(
            "contract",
            "Contract-style (outsourcing)",
            "Clear tasks, penalties and contract reviews, but one side commissions the "
            "other: credit by power and no investment in trust.",
            "Source 002: outsourcing is a contracting connection, not partnership.",
            dict(
                clarity="a contract specifies tasks precisely",
                exit_arrangements="contracts state termination terms",
                sharing_rule="'one organisation shouting at another': the commissioner's "
                "power decides who gets the credit (source 002)",
                sanctions="contract penalties",
                trust_investment="'a traditional contracting connection': no time for trust",
            ),
            clarity=0.9,
            exit_arrangements=True,
            sharing_rule="power",
            sanctions=True,
            trust_investment=0.0,
        ),
        _preset(
            "six_principles",
            "The six principles",
            "Recognise the need, clarity and realism of purpose, commitment and ownership, "
            "trust, clear and robust arrangements, monitor-measure-learn.",
            "Source 001, slide 7 (CLG / ODPM Partnering Taskforce); slides 8-11.",
            dict(
                clarity="'develop clarity and realism of purpose' (slide 7)",
                alignment_required="'establish a common purpose' (slide 9)",
                review_interval="'monitor, measure and learn' (slide 7); "
                "a performance-driven measurement approach (slide 10)",
                renegotiation="realism of purpose, reviewed as the partnership learns",
                exit_arrangements="'be clear about where you start and when you disengage: "
                "exit strategy' (slide 8)",
                sanctions="'mechanisms for non conformity' (slide 11)",
                trust_investment="'develop and maintain trust' (slide 7)",
            ),
            clarity=0.85,
            alignment_required=True,
            review_interval=6,
            renegotiation=True,
            exit_arrangements=True,
            sanctions=True,
            trust_investment=0.5,
        ),
        _preset(
            "leading_as_peers",
            "Leading as Peers",
            "Chief executives meet as peers, learn a shared language, call each other to "
            "account, and a commissioner suggests teaming up instead of competing.",
            "Source 003 (Calderdale and Kirklees, NHS Calderdale as broker).",
            dict(
                formation_mode="'NHS Calderdale suggested they team up'",
                clarity="'they were clear what they wanted to hold out for together'",
                alignment_required="'where we have common ground and where there is real "
                "difference'",
                review_interval="'a place we can go and talk things through'",
                renegotiation="issues 'resolved' by talking them through",
                exit_arrangements="'their agreed bottom line'",
                sanctions="'calling each other to account if anyone strayed'",
                trust_investment="five workshops, one on language",
                equal_status="peers: the programme's name",
            ),
            formation_mode="brokered",
            clarity=0.8,
            alignment_required=True,
            review_interval=3,
            renegotiation=True,
            exit_arrangements=True,
            sanctions=True,
            trust_investment=0.8,
            equal_status=True,
        ),
        _preset(
            "forced_marriage",
            "Forced marriage",
            "Partnerships are mandated regardless of fit, trust or values, with no "
            "reviews and no way out.",
            "Source 001, title: 'a beneficial alliance or forced marriage?'.",
            dict(
                formation_mode="partners are assigned, not chosen",
                red_lines="the mandate overrides whom members would refuse",
                review_interval="no say in how it goes: no reviews",
                trust_investment="nobody invests in a marriage they did not choose",
            ),
            formation_mode="mandated",
            red_lines=False,
            review_interval=0,
            trust_investment=0.0,
        ),
    ]
}

assert all(set(p.rules) == set(RULES) for p in PRESETS.values())
