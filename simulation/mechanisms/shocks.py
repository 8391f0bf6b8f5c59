"""Mechanism 9: funding shocks and turbulent periods."""

from __future__ import annotations

import numpy as np

from ..lifecycle import log_story
from ..param_types import Params
from ..sectors import SECTORS
from ..state import State, Streams
from .base import Mechanism


class ShocksAndTurbulence(Mechanism):
    """Funding cuts and turbulent periods pull organisations back to their own priorities.

    Rule. Each month, with probability ``shock_rate``, one sector (drawn at random) loses
    ``shock_size`` of its resources and gains that much stress; resources recover by
    ``recovery`` of the gap a month and stress decays. With probability ``turbulence_rate`` a
    turbulent period begins, lasting on average ``turbulence_length`` months, during which
    every organisation's stress is at least ``turbulent_stress``. Stress lowers commitment (see
    :class:`~.contribution.Contribution`) and can pull members under a cut out of their
    partnerships (see :class:`~.review.ReviewAndExit`), unless governance holds them to
    account.

    Equations, each month (u, u' ~ U(0, 1), L ~ Geometric(1 / turbulence_length)):

        capacity ← capacity + recovery (base_capacity − capacity);  stress ← stress_decay stress
        turbulence starts if none is running and u < turbulence_rate, for L months;
        while it runs, stress ← max(stress, turbulent_stress)
        if u' < shock_rate, for a random sector S: capacity_S ← (1 − shock_size) capacity_S,
        stress_S ← stress_S + shock_size
    """

    number = "9"
    title = "Shocks and turbulence"
    sources = (
        "brief mechanism 9",
        'source 003 ("a particularly challenging financial climate, '
        'with flat cash"; leaders "pulled away from collaboration" in turbulent times)',
    )
    constants = ("recovery", "stress_decay", "turbulent_stress")
    tests = (
        "test_mechanisms.py::test_shocks_cut_resources_and_end_partnerships",
        "test_mechanisms.py::test_governance_holds_members_under_stress",
    )

    def __call__(self, s: State, p: Params, rng: Streams) -> None:
        orgs = s.orgs
        orgs.capacity += p.recovery * (orgs.base_capacity - orgs.capacity)
        orgs.stress *= p.stress_decay
        u_turb, u_shock = rng.env.random(2)
        sector = int(rng.env.integers(len(SECTORS)))
        length = int(rng.env.geometric(1.0 / p.turbulence_length))
        if s.month >= s.turbulent_until and u_turb < p.turbulence_rate:
            s.turbulent_until = s.month + length
            log_story(s, "turbulence", f"a turbulent period begins (about {length} months)")
        if s.month < s.turbulent_until:
            np.maximum(orgs.stress, p.turbulent_stress, out=orgs.stress)
        if u_shock < p.shock_rate and p.shock_size > 0:
            hit = orgs.sector == sector
            orgs.capacity[hit] *= 1.0 - p.shock_size
            orgs.stress[hit] += p.shock_size
            s.counts.shocks += 1
            log_story(
                s,
                "funding_cut",
                f"a funding cut of {p.shock_size:.0%} hits the {SECTORS[sector]} sector",
            )
