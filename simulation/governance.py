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
    "exit_arrangements",
    "sharing_rule",
    "sanctions",
    "trust_investment",
    "equal_status",
)


@dataclass(frozen=True)
class Preset:
    """A named bundle of governance rules, with the source it comes from."""

    name: str
    title: str
    description: str
    source: str
    rules: dict[str, Any] = field(default_factory=dict)


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in [
        Preset(
            "none",
            "No governance",
            "Partnerships form by choice with no agreed rules: vague accountability, "
            "no reviews, no exit plan, credit goes to the powerful.",
            "Brief, 'Governance rules': the no-governance control.",
            dict(
                formation_mode="voluntary",
                clarity=0.1,
                alignment_required=False,
                red_lines=False,
                review_interval=0,
                exit_arrangements=False,
                sharing_rule="power",
                sanctions=False,
                trust_investment=0.0,
                equal_status=False,
            ),
        ),
        Preset(
            "contract",
            "Contract-style (outsourcing)",
            "Clear tasks, penalties and contract reviews, but one side commissions the "
            "other: unequal status, credit by power and no investment in trust.",
            "Seed 002: outsourcing is a contracting connection, not partnership.",
            dict(
                formation_mode="voluntary",
                clarity=0.9,
                alignment_required=False,
                red_lines=True,
                review_interval=12,
                exit_arrangements=True,
                sharing_rule="power",
                sanctions=True,
                trust_investment=0.0,
                equal_status=False,
            ),
        ),
        Preset(
            "six_principles",
            "The six principles",
            "Recognise the need, clarity and realism of purpose, commitment and ownership, "
            "trust, clear and robust arrangements, monitor-measure-learn.",
            "Seed 001, slide 7 (CLG / ODPM Partnering Taskforce); slides 8-11.",
            dict(
                formation_mode="voluntary",
                clarity=0.85,
                alignment_required=True,
                red_lines=True,
                review_interval=6,
                exit_arrangements=True,
                sharing_rule="proportional",
                sanctions=True,
                trust_investment=0.5,
                equal_status=False,
            ),
        ),
        Preset(
            "leading_as_peers",
            "Leading as Peers",
            "Chief executives meet as peers, learn a shared language, call each other to "
            "account, and a commissioner suggests teaming up instead of competing.",
            "Seed 003 (Calderdale and Kirklees, NHS Calderdale as broker).",
            dict(
                formation_mode="brokered",
                clarity=0.8,
                alignment_required=True,
                red_lines=True,
                review_interval=3,
                exit_arrangements=True,
                sharing_rule="proportional",
                sanctions=True,
                trust_investment=0.8,
                equal_status=True,
            ),
        ),
        Preset(
            "forced_marriage",
            "Forced marriage",
            "Partnerships are mandated regardless of fit, trust or values, with no "
            "reviews and no way out.",
            "Seed 001, title: 'a beneficial alliance or forced marriage?'.",
            dict(
                formation_mode="mandated",
                clarity=0.3,
                alignment_required=False,
                red_lines=False,
                review_interval=0,
                exit_arrangements=False,
                sharing_rule="power",
                sanctions=False,
                trust_investment=0.0,
                equal_status=False,
            ),
        ),
    ]
}

assert all(set(p.rules) == set(RULES) for p in PRESETS.values())
