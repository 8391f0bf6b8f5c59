"""Named scenarios: the research baseline, one per governance preset, and teaching demos.

* :mod:`.registry` – the :class:`Scenario` type and the registry (``SCENARIOS``,
  :func:`register`, :func:`get`, :func:`resolve`);
* :mod:`.research` – the baseline and one scenario per governance preset;
* :mod:`.demos` – the teaching demos, each with the :class:`Contrast` its narrative claims.

The registry is built here, research scenarios first and then the demos, in that order.
"""

from .demos import CONTRASTS, DEMOS, Contrast
from .registry import SCENARIOS, Scenario, get, register, resolve
from .research import BASELINE, RESEARCH

__all__ = [
    "BASELINE",
    "CONTRASTS",
    "DEMOS",
    "RESEARCH",
    "SCENARIOS",
    "Contrast",
    "Scenario",
    "get",
    "register",
    "resolve",
]

for _scenario in (*RESEARCH, *DEMOS):
    register(_scenario)
del _scenario
