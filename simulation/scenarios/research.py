"""Research scenarios: the baseline, and the baseline under each governance preset."""

from __future__ import annotations

from ..governance import PRESETS
from .registry import Scenario

BASELINE = Scenario(
    "baseline",
    "Research baseline: 150 organisations, 10 years, typical partial governance.",
    {},
)

#: In the order `collabsim scenarios` lists them.
RESEARCH: list[Scenario] = [BASELINE] + [
    Scenario(
        f"governance_{name}",
        f"Baseline under the '{preset.title}' preset. {preset.source}",
        {"governance": name},
    )
    for name, preset in PRESETS.items()
]
