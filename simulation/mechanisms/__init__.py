"""The mechanisms of the model brief, one small named unit each.

Each is a :class:`~simulation.mechanisms.base.Mechanism`: a callable of the state, the
parameters and the random streams, whose docstring states its rule and equations and whose
class attributes name its sources, its constants (parameters of the ``constants`` group) and
its tests. Mechanisms import only
the layers below them (state, life-cycle operations, parameters, sectors); the Mesa model
(:class:`simulation.model.CollabModel`) calls them in the order of its schedule.
"""

from __future__ import annotations

from .base import Mechanism
from .communication import Communication
from .contribution import Contribution
from .formation import Commissioner, CommunityValue, Formation
from .learning import Learning
from .myths import MythDynamics
from .networks import NetworkSharing, StakeholderManagement, TieDecay
from .review import ExitCosts, ReviewAndExit
from .sharing import BenefitSharing
from .shocks import ShocksAndTurbulence
from .synergy import Synergy
from .trust import Reputation, TrustDynamics
from .turnover import Demography, StaffTurnover

#: Every mechanism, in the brief's order.
MECHANISMS: tuple[type[Mechanism], ...] = (
    Formation,
    CommunityValue,
    Commissioner,
    Reputation,
    Contribution,
    Communication,
    Synergy,
    BenefitSharing,
    TrustDynamics,
    MythDynamics,
    ReviewAndExit,
    ExitCosts,
    ShocksAndTurbulence,
    Learning,
    Demography,
    StaffTurnover,
    NetworkSharing,
    StakeholderManagement,
    TieDecay,
)

__all__ = [
    "MECHANISMS",
    "BenefitSharing",
    "Commissioner",
    "Communication",
    "CommunityValue",
    "Demography",
    "Contribution",
    "ExitCosts",
    "Formation",
    "Learning",
    "Mechanism",
    "MythDynamics",
    "NetworkSharing",
    "Reputation",
    "ReviewAndExit",
    "ShocksAndTurbulence",
    "StaffTurnover",
    "StakeholderManagement",
    "TieDecay",
    "Synergy",
    "TrustDynamics",
    "traceability",
]


def traceability() -> str:
    """The ODD's traceability table (mechanism, source, code, constants, tests) as Markdown."""
    rows = [
        "| # | mechanism | sources | code | constants (parameters) | tests (in `tests/`) |",
        "|---|---|---|---|---|---|",
    ]
    for m in MECHANISMS:
        module = m.__module__.removeprefix("simulation.").replace(".", "/") + ".py"
        tests = ", ".join(f"`{t}`" for t in m.tests)
        constants = ", ".join(f"`{c}`" for c in m.constants) or "—"
        rows.append(
            f"| {m.number} | {m.title} | {'; '.join(m.sources)} | `{module}` "
            f"`{m.__name__}` | {constants} | {tests} |"
        )
    return "\n".join(rows) + "\n"
