"""The scenario type and the registry: register, look up and resolve named scenarios.

A scenario is a set of parameter values (validated like any other) plus text: a one-line
description for `collabsim scenarios`, and for teaching demos a short narrative of what
to watch, what to change, what happens and why. The registry starts empty;
:mod:`simulation.scenarios` fills it from :mod:`.research` and :mod:`.demos`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import UserError
from ..params import validate


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    params: dict[str, Any] = field(default_factory=dict)
    steps: int = 120
    kind: str = "research"  # "research" or "teaching"
    watch: str = ""  # teaching demos: what to watch
    change: str = ""  # what to change
    happens: str = ""  # what happens and why


#: Every registered scenario by name, in registration order.
SCENARIOS: dict[str, Scenario] = {}


def register(scenario: Scenario) -> Scenario:
    """Add a scenario (its parameters are validated now, so a bad one fails at import)."""
    validate(scenario.params, source=f"scenario {scenario.name}")
    SCENARIOS[scenario.name] = scenario
    return scenario


def get(name: str) -> Scenario:
    if name not in SCENARIOS:
        raise UserError(f"unknown scenario {name!r}; allowed: {', '.join(SCENARIOS)}")
    return SCENARIOS[name]


def resolve(
    name: str = "baseline", overrides: dict[str, Any] | None = None, *, source: str | None = None
) -> dict[str, Any]:
    """Full validated parameters: defaults, then the scenario, then the overrides.

    A governance preset named by the overrides replaces the scenario's governance rules;
    rules given explicitly in the overrides win over any preset.
    """
    sc = get(name)
    merged = dict(sc.params)
    overrides = dict(overrides or {})
    if "governance" in overrides:
        from ..governance import RULES

        merged = {k: v for k, v in merged.items() if k not in RULES}
    merged.update(overrides)
    return validate(merged, source=source)
