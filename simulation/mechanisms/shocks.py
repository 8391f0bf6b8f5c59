"""Mechanism 9: funding shocks and turbulent periods."""

from __future__ import annotations

import numpy as np

#: Monthly recovery of resources towards their normal level after a cut.
RECOVERY = 0.03
#: Monthly decay of stress.
STRESS_DECAY = 0.85
#: Stress every organisation feels during a turbulent period.
TURBULENT_STRESS = 0.3


class ShocksAndTurbulence:
    """Funding cuts and turbulent periods pull organisations back to their own priorities.

    Names: flat cash; system turbulence.

    Rule. Each month, with probability ``shock_rate``, one sector (drawn at random) loses
    ``shock_size`` of its resources and gains that much stress; resources recover by
    RECOVERY a month and stress decays. With probability ``turbulence_rate`` a turbulent
    period begins, lasting on average ``turbulence_length`` months, during which every
    organisation's stress is at least TURBULENT_STRESS. Stress lowers commitment (see
    :class:`~.contribution.Contribution`) and can pull members under a cut out of their
    partnerships (see :class:`~.review.ReviewAndExit`), unless governance holds them to
    account.

    Sources: brief mechanism 9; seed 003 ("a particularly challenging financial
    climate, with flat cash"; leaders "pulled away from collaboration" in turbulent
    times).
    """

    def __call__(self, model) -> None:
        p, rng = model.p, model.rng_env
        model.capacity += RECOVERY * (model.base_capacity - model.capacity)
        model.stress *= STRESS_DECAY
        u_turb, u_shock = rng.random(2)
        sector = int(rng.integers(len(model.sector_names)))
        length = int(rng.geometric(1.0 / p["turbulence_length"]))
        if model.month >= model.turbulent_until and u_turb < p["turbulence_rate"]:
            model.turbulent_until = model.month + length
            model.log_story("turbulence", f"a turbulent period begins (about {length} months)")
        if model.month < model.turbulent_until:
            np.maximum(model.stress, TURBULENT_STRESS, out=model.stress)
        if u_shock < p["shock_rate"] and p["shock_size"] > 0:
            hit = model.sector == sector
            model.capacity[hit] *= 1.0 - p["shock_size"]
            model.stress[hit] += p["shock_size"]
            model.counts["shocks"] += 1
            model.log_story("funding_cut", f"a funding cut of {p['shock_size']:.0%} hits the "
                            f"{model.sector_names[sector]} sector")
