"""CollabModel: organisations from four sectors forming, working in and leaving partnerships."""

from __future__ import annotations

from typing import Any

import mesa
import numpy as np

from . import readouts
from .agents import Organisation, Partnership
from .mechanisms import (
    Formation,
    Learning,
    MythDynamics,
    ReviewAndExit,
    ShocksAndTurbulence,
)
from .mechanisms.trust import perceived_trust
from .mechanisms.work import trust, work_together
from .params import typed
from .partnership_records import record_month
from .population import initial_state
from .sectors import SECTOR_TITLES, SECTORS
from .state import Counters, Streams


class CollabModel(mesa.Model):
    """Agent-based model of multi-sector collaboration.

    Build with keyword parameters (see ``simulation.params``) and a ``seed``; every
    parameter is validated before anything is built. ``step()`` advances one month.
    Without a seed a fresh one is drawn (as Mesa users expect, so that replicates differ) and
    kept in ``model.seed`` so the run can be repeated.

    The state is ``model.state`` (:class:`simulation.state.State`); ``model.p`` holds the
    parameters (typed: ``model.p.clarity``); ``model.streams`` the three random streams.
    """

    def __init__(self, seed: int | None = None, **params: Any):
        self.p = typed(params)
        if seed is None:
            seed = int(np.random.SeedSequence().entropy % 2**63)
        seed = int(seed)  # numpy integers break Mesa's Model.__init__
        super().__init__(rng=seed)
        self.seed = seed
        self.streams = Streams(
            *(np.random.default_rng(int(s)) for s in self.rng.integers(0, 2**62, size=3))
        )
        self.running = True

        self.shocks = ShocksAndTurbulence()
        self.formation = Formation()
        self.trust = trust
        self.myths = MythDynamics()
        self.learning = Learning()
        self.review = ReviewAndExit()

        self.state = initial_state(self.p, self.rng)
        self.orgs = [Organisation(self, i, name) for i, name in enumerate(self.state.orgs.name)]
        self.readout: dict[str, float] = {}
        self.datacollector = mesa.DataCollector(model_reporters=readouts.reporters())
        self.collect()

    # --- the schedule ------------------------------------------------------------------------
    def step(self) -> None:
        """One month: environment, formation, joint work, trust, myths, learning, review."""
        s, p, rng = self.state, self.p, self.streams
        s.month = int(self.time)
        s.counts = Counters()
        self.shocks(s, p, rng)
        self.formation(s, p, rng)
        roster = s.table.roster()
        s.work = None
        if roster.n:
            edges = s.relations.lookup(roster.pair_org_a, roster.pair_org_b)
            s.work, delta = work_together(s, p, rng, roster, edges)
            record_month(s, roster, s.work)
            self.trust(s, p, edges, delta)
            self.myths(s, p, roster, delta)
            self.learning(s, p, roster, edges, s.work)
            self.review(s, p, rng, roster, s.work)
        self.collect()

    def collect(self) -> None:
        self.readout = readouts.compute(self.state)
        self.datacollector.collect(self)

    # --- reading it --------------------------------------------------------------------------
    @property
    def month(self) -> int:
        return self.state.month

    @property
    def n(self) -> int:
        """Number of organisations."""
        return self.state.orgs.n

    @property
    def events(self) -> list[dict[str, Any]]:
        """The event log: one dict per formation, departure, ending, shock or turbulence."""
        return self.state.events

    @property
    def partnerships(self) -> list[Partnership]:
        """Active partnerships."""
        return [Partnership(self, int(p)) for p in self.state.table.active_partnerships()]

    def perceived_trust(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """What organisations ``a`` believe of ``b`` (own trust, else myths and reputation)."""
        return perceived_trust(self.state, self.p, a, b)

    def sector_title(self, i: int) -> str:
        return SECTOR_TITLES[SECTORS[self.state.orgs.sector[i]]]
